/**
 * Public certificate verification (infra/signing/verification.ts): computed from the signed payload, `tampered` on any
 * disagreement between the row and what was signed, and a minimised public view.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { creditCodeWithCheck, idCardWithCheck } from '../../domain/identifiers';
import { CertificateSigner, canonicalJson, newVerificationCode } from '../../infra/signing/certificate-signer';
import { checkCertificate, isOrganisationKey, publicCertificate, type StoredCertificate } from '../../infra/signing/verification';
import { loadServiceCatalog } from '../../infra/services/catalog';
import type { PublicFieldRule } from '../../domain/types';
import { verifyOffline } from '../../scripts/verify-certificate';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-verify-'));
// The current key is SM2 (the default for a generated key); `k0` is an Ed25519 key certificates were signed with before.
const signer = CertificateSigner.fromFile(path.join(dir, 'k.pem'), 'k1', true);
const otherSigner = CertificateSigner.fromFile(path.join(dir, 'other.pem'), 'k1', true);
const legacySigner = CertificateSigner.fromFile(path.join(dir, 'ed25519.pem'), 'k0', true, { algorithm: 'Ed25519' });
const keys = (id: string) => (id === 'k1' ? signer.publicKeyPem : id === 'k0' ? legacySigner.publicKeyPem : undefined);
const SCHOOL = creditCodeWithCheck('12370800MB0000010');
const PERSON = idCardWithCheck('37080219800101001');
const TODAY = '2026-11-26';

/**
 * A certificate as activities/certificates.ts issues it: the row and its signed payload agree. `legacy`: as issued
 * before verification codes and `alg` existed (Ed25519, neither field in the payload).
 */
function issue(over: { holderKey?: string; holderName?: string; fields?: Record<string, unknown>; legacy?: boolean } = {}): StoredCertificate {
  const by = over.legacy ? legacySigner : signer;
  const code = newVerificationCode();
  const fields = over.fields ?? {
    'vehicle.plate': '鲁H12345',
    'carrier.name': '济宁安运校车服务有限公司',
    'driver.name': '李建国',
    'route.name': '实验小学-北湖新区线',
    'route.departureTimes': ['07:10', '16:40'],
    'route.stops': ['实验小学', '北湖公园'],
  };
  const holder = { key: over.holderKey ?? SCHOOL, name: over.holderName ?? '济宁市任城区实验小学' };
  const issuedAt = new Date('2026-11-26T02:03:04.567Z');
  const body = {
    no: 'JN-SCHOOLBUS-20261126-000001-C2-1',
    type: 'school-bus-sign',
    name: { zh: '校车标牌', en: 'School bus sign' },
    caseNo: 'JN-SCHOOLBUS-20261126-000001',
    holder,
    subject: '鲁H12345',
    fields,
    authority: { zh: '济宁市公安局交通警察支队', en: 'Jining Traffic Police' },
    validFrom: '2026-11-26',
    validUntil: '2029-11-25',
    issuedAt: '2026-11-26T10:03:04+08:00',
    keyId: by.keyId,
    ...(over.legacy ? {} : { verificationCode: code, alg: by.algorithm }),
  };
  const payload = canonicalJson(body);
  return {
    no: body.no,
    caseNo: body.caseNo,
    type: body.type,
    subjectKey: body.subject,
    holderKey: holder.key,
    holderName: holder.name,
    authority: body.authority.zh,
    fields: JSON.parse(JSON.stringify(fields)) as Record<string, unknown>,
    validFrom: body.validFrom,
    validUntil: body.validUntil,
    issuedAt,
    payload,
    signature: by.sign(payload),
    keyId: by.keyId,
    revokedAt: null,
    verificationCode: code,
  };
}

describe('checkCertificate', () => {
  it('an untouched certificate is valid, with its signature checked and the payload returned', () => {
    const c = issue();
    const r = checkCertificate(c, keys, TODAY);
    expect(r).toMatchObject({ status: 'valid', signatureValid: true, problems: [] });
    expect(r.payload?.holder.name).toBe('济宁市任城区实验小学');
  });

  it('no row: unknown', () => {
    expect(checkCertificate(undefined, keys, TODAY)).toEqual({ status: 'unknown', signatureValid: null, payload: null, problems: [] });
  });

  it('revoked wins over valid; expiry is read from the signed validUntil', () => {
    expect(checkCertificate({ ...issue(), revokedAt: new Date() }, keys, TODAY).status).toBe('revoked');
    expect(checkCertificate(issue(), keys, '2029-11-25').status).toBe('valid'); // valid through its last day
    expect(checkCertificate(issue(), keys, '2029-11-26').status).toBe('expired');
  });

  const tamperings: [string, (c: StoredCertificate) => StoredCertificate, string][] = [
    ['holder name', (c) => ({ ...c, holderName: '济宁市某某小学' }), 'holder.name'],
    ['holder key', (c) => ({ ...c, holderKey: creditCodeWithCheck('91370800MA3C00020') }), 'holder.key'],
    ['a field value', (c) => ({ ...c, fields: { ...c.fields, 'vehicle.plate': '鲁H99999' } }), 'fields'],
    ['an added field', (c) => ({ ...c, fields: { ...c.fields, extra: 1 } }), 'fields'],
    ['validUntil (extended)', (c) => ({ ...c, validUntil: '2039-11-25' }), 'validUntil'],
    ['validFrom', (c) => ({ ...c, validFrom: '2026-01-01' }), 'validFrom'],
    ['type', (c) => ({ ...c, type: 'school-bus-permit' }), 'type'],
    ['case', (c) => ({ ...c, caseNo: 'JN-SCHOOLBUS-20261126-000002' }), 'caseNo'],
    ['subject', (c) => ({ ...c, subjectKey: '鲁H54321' }), 'subject'],
    ['authority', (c) => ({ ...c, authority: '某某局' }), 'authority'],
    ['issue time', (c) => ({ ...c, issuedAt: new Date('2025-01-01T00:00:00Z') }), 'issuedAt'],
    ['verification code (QR pointed at another certificate)', (c) => ({ ...c, verificationCode: newVerificationCode() }), 'verificationCode'],
    ['number', (c) => ({ ...c, no: 'JN-SCHOOLBUS-20261126-000001-C2-2' }), 'no'],
  ];
  it.each(tamperings)('a row whose %s changed is tampered, and the problem is named without its value', (_what, change, problem) => {
    const r = checkCertificate(change(issue()), keys, TODAY);
    expect(r.status).toBe('tampered');
    expect(r.signatureValid).toBe(true);
    expect(r.problems).toEqual([problem]);
    expect(JSON.stringify(r.problems)).not.toMatch(/鲁H|小学|某某/);
  });

  it('a payload rewritten in the database (and its fields with it) fails the signature: tampered', () => {
    const c = issue();
    const payload = c.payload.replace('济宁市任城区实验小学', '济宁市某某小学');
    const r = checkCertificate({ ...c, payload, holderName: '济宁市某某小学' }, keys, TODAY);
    expect(r).toEqual({ status: 'tampered', signatureValid: false, payload: null, problems: ['signature'] });
  });

  it('a payload re-signed with another key under the same key id, or a key id nobody knows: tampered', () => {
    const c = issue();
    expect(checkCertificate({ ...c, signature: otherSigner.sign(c.payload) }, keys, TODAY).status).toBe('tampered');
    expect(checkCertificate({ ...c, keyId: 'k9' }, keys, TODAY)).toMatchObject({ status: 'tampered', signatureValid: false });
  });

  it('a signed payload of the wrong shape is tampered, never a crash', () => {
    const c = issue();
    for (const payload of ['not json', '{"no":"x"}', 'null', '[]']) {
      expect(checkCertificate({ ...c, payload, signature: signer.sign(payload) }, keys, TODAY).status).toBe('tampered');
    }
  });

  it('certificates issued before verification codes and `alg` existed (Ed25519) verify on the other facts', () => {
    const legacy = issue({ legacy: true });
    expect(JSON.parse(legacy.payload)).not.toHaveProperty('alg');
    expect(checkCertificate({ ...legacy, verificationCode: 'a'.repeat(32) }, keys, TODAY).status).toBe('valid');
    expect(checkCertificate({ ...legacy, verificationCode: 'a'.repeat(32), holderName: 'x' }, keys, TODAY).status).toBe('tampered');
  });

  it('a field stored with its keys in another order is the same field (jsonb does not keep key order)', () => {
    const c = issue({ fields: { b: 1, a: 2 } });
    expect(checkCertificate({ ...c, fields: { a: 2, b: 1 } }, keys, TODAY).status).toBe('valid');
  });

  it('new certificates are SM2-SM3 and say so in the signed payload; the public view names the algorithm', () => {
    expect(signer.algorithm).toBe('SM2-SM3');
    const c = issue();
    expect(JSON.parse(c.payload).alg).toBe('SM2-SM3');
    // DER SEQUENCE { r INTEGER, s INTEGER }: 0x30, then at most 70 bytes.
    expect(Buffer.from(c.signature, 'base64')[0]).toBe(0x30);
    expect(publicCertificate(checkCertificate(c, keys, TODAY).payload!, RULES).signatureAlgorithm).toBe('SM2-SM3');
    expect(publicCertificate(checkCertificate(issue({ legacy: true }), keys, TODAY).payload!, RULES).signatureAlgorithm).toBe('Ed25519');
  });

  it.each([
    ['an SM2-signed payload that says Ed25519', signer, 'Ed25519'],
    ['an Ed25519-signed payload that says SM2-SM3', legacySigner, 'SM2-SM3'],
  ] as const)('the algorithm the payload names must be the verifying key\'s: %s is tampered', (_name, by, claimed) => {
    const c = issue();
    const payload = canonicalJson({ ...JSON.parse(c.payload), keyId: by.keyId, alg: claimed });
    const r = checkCertificate({ ...c, payload, signature: by.sign(payload), keyId: by.keyId }, keys, TODAY);
    expect(r).toMatchObject({ status: 'tampered', signatureValid: true, problems: ['alg'] });
  });

  it('an SM2 signature checked under the Ed25519 key of the same id (or the reverse) fails the signature', () => {
    const c = issue();
    expect(checkCertificate({ ...c, keyId: 'k0' }, keys, TODAY)).toMatchObject({ status: 'tampered', signatureValid: false });
    const legacy = issue({ legacy: true });
    expect(checkCertificate({ ...legacy, keyId: 'k1' }, keys, TODAY)).toMatchObject({ status: 'tampered', signatureValid: false });
  });
});

/** The committed definitions' public rules for every certificate field (each certificate's `publicFields`), merged. */
const RULES = Object.assign({}, ...loadServiceCatalog().list().flatMap((d) => d.certificates.map((c) => c.publicFields ?? {}))) as Record<string, PublicFieldRule>;

describe('publicCertificate', () => {
  it("takes each field's rule from its certificate's definition: none listed, nothing shown", () => {
    const payload = checkCertificate(issue(), keys, TODAY).payload!;
    const view = publicCertificate(payload, {});
    expect(view.fields).toEqual({});
    expect(view.withheldFields).toEqual(Object.keys(payload.fields).sort());
    expect(publicCertificate(payload, { 'route.stops': 'show' }).fields).toEqual({ 'route.stops': expect.any(Array) });
  });

  it('the committed school-bus sign withholds where and when children board', () => {
    const sign = loadServiceCatalog().publicFieldRules('school-bus-sign');
    expect(sign).not.toHaveProperty(['route.stops']);
    expect(sign).not.toHaveProperty(['route.departureTimes']);
    expect(sign['driver.name']).toBe('person');
  });

  it('an organisation holder is shown whole; plates, drivers masked; where children board withheld', () => {
    const view = publicCertificate(checkCertificate(issue(), keys, TODAY).payload!, RULES);
    expect(view.holder).toEqual({ name: '济宁市任城区实验小学', kind: 'organisation' });
    expect(view.subject).toBe('鲁H***45');
    expect(view.fields).toEqual({
      'carrier.name': '济宁安运校车服务有限公司',
      'driver.name': '李**',
      'route.name': '实验小学-北湖新区线',
      'vehicle.plate': '鲁H***45',
    });
    expect(view.withheldFields).toEqual(['route.departureTimes', 'route.stops']);
    expect(JSON.stringify(view)).not.toMatch(/07:10|北湖公园|李建国|12345/);
  });

  it('a person holder is masked, in the holder and in applicant.name', () => {
    const c = issue({ holderKey: PERSON, holderName: '张伟', fields: { 'applicant.name': '张伟', 'applicant.legalRepresentative': '王芳' } });
    const view = publicCertificate(checkCertificate(c, keys, TODAY).payload!, RULES);
    expect(view.holder).toEqual({ name: '张*', kind: 'person' });
    expect(view.fields).toEqual({ 'applicant.name': '张*', 'applicant.legalRepresentative': '王*' });
    expect(JSON.stringify(view)).not.toMatch(/张伟|王芳|37080219800101/);
  });

  it('a field without a public rule is withheld, whatever it holds', () => {
    const view = publicCertificate(checkCertificate(issue({ fields: { 'driver.idCard': PERSON, 'vehicle.seats': 19 } }), keys, TODAY).payload!, RULES);
    expect(view.fields).toEqual({ 'vehicle.seats': 19 });
    expect(view.withheldFields).toEqual(['driver.idCard']);
  });

  it('organisation keys are credit codes that are not also ID numbers', () => {
    expect(isOrganisationKey(SCHOOL)).toBe(true);
    expect(isOrganisationKey(PERSON)).toBe(false);
    expect(isOrganisationKey('not a key')).toBe(false);
  });
});

describe('offline verification (scripts/verify-certificate.ts, no database)', () => {
  const asApi = (c: StoredCertificate, alg: string) => ({ payload: c.payload, signature: c.signature, statedAlgorithm: alg, statedKeyId: c.keyId });

  it('an SM2 certificate and an Ed25519 one issued before the switch both verify with their public keys', () => {
    const sm2 = verifyOffline(asApi(issue(), 'SM2-SM3'), signer.publicKeyPem);
    expect(sm2.valid).toBe(true);
    expect(sm2.lines).toEqual(expect.arrayContaining(['algorithm:  SM2-SM3', 'key id:     k1']));
    const ed = verifyOffline(asApi(issue({ legacy: true }), 'Ed25519'), legacySigner.publicKeyPem);
    expect(ed).toMatchObject({ valid: true });
    expect(ed.lines).toContain('algorithm:  Ed25519');
  });

  it('fails on a changed byte, the wrong key, a stated algorithm or key id that disagrees, a private key; and prints no personal data', () => {
    const c = issue();
    const cases: [Parameters<typeof verifyOffline>[0], string, RegExp][] = [
      [{ ...asApi(c, 'SM2-SM3'), payload: c.payload.replace('"subject":"', '"subject":"X') }, signer.publicKeyPem, /signature does not verify/],
      [asApi(c, 'SM2-SM3'), otherSigner.publicKeyPem, /signature does not verify/],
      [asApi(c, 'SM2-SM3'), legacySigner.publicKeyPem, /signature does not verify/],
      [asApi(c, 'Ed25519'), signer.publicKeyPem, /signatureAlgorithm says Ed25519, the signed payload SM2-SM3/],
      [{ ...asApi(c, 'SM2-SM3'), statedKeyId: 'k9' }, signer.publicKeyPem, /keyId says k9/],
      [asApi(c, 'SM2-SM3'), fs.readFileSync(path.join(dir, 'k.pem'), 'utf8'), /private key/],
    ];
    for (const [input, pem, why] of cases) {
      const r = verifyOffline(input, pem);
      expect(r.valid).toBe(false);
      expect(r.lines.at(-1)).toMatch(why);
    }
    expect(JSON.stringify(verifyOffline(asApi(c, 'SM2-SM3'), signer.publicKeyPem).lines)).not.toMatch(/实验小学|李建国|鲁H12345/);
  });
});
