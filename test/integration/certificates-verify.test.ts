/**
 * Public certificate verification against the real API, worker, Temporal and PostgreSQL: a completed case's
 * certificates verify by their random code, from the signed payload, with a masked view; a row changed in PostgreSQL
 * answers `tampered`; unknown and revoked certificates say so; the number route names no holder; issuance is
 * idempotent (a retried or concurrent activity returns the stored certificate, never a new code).
 *
 * The worker signs with an SM2 key (the default algorithm) and the API's key ring also holds a retired Ed25519 key, as
 * after the switch from Ed25519 to SM2: certificates issued before it keep verifying.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCertificateActivities } from '../../activities/certificates';
import { freightCompanyExample } from '../../api/schemas/examples';
import type { CertificateSummary } from '../../domain/types';
import { CertificateSigner, PublicKeyRing, canonicalJson, verifyCertificateSignature } from '../../infra/signing/certificate-signer';
import { sm2VerifyReference } from '../../infra/signing/sm2';
import { verifyOffline } from '../../scripts/verify-certificate';
import { startApi, token, type ApiHarness } from '../helpers/api-harness';
import { service, waitFor } from '../helpers/harness';

// Keys of this file: the current SM2 key the worker signs with, and the Ed25519 key certificates were signed with
// before the switch, now retired (its public key in the retired keys' folder, as docs/operations.md says).
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-verify-keys-'));
const sm2Signer = CertificateSigner.fromFile(path.join(keyDir, 'sm2.pem'), 'verify-sm2-1', true, { algorithm: 'SM2-SM3' });
const ed25519Signer = CertificateSigner.fromFile(path.join(keyDir, 'ed25519.pem'), 'verify-ed-1', true, { algorithm: 'Ed25519' });
fs.mkdirSync(path.join(keyDir, 'retired'));
fs.writeFileSync(path.join(keyDir, 'retired', 'verify-ed-1.pem'), ed25519Signer.publicKeyPem);

let api: ApiHarness;
const portal = token('portal', undefined, `portal-verify-${randomUUID().slice(0, 6)}`);
const transport = token('reviewer', 'transport', 'transport-verify-01');
const ops = token('ops', undefined, 'ops-verify');

const sql = (query: string, params: unknown[] = []) => api.orm.em.fork().getConnection().execute(query, params);

interface Cert {
  no: string;
  type: string;
  payload: string;
  signature: string;
  verificationCode: string;
  verifyPath: string;
}
let caseNo: string;
let permit: Cert;
let vehicleCert: Cert;
const example = freightCompanyExample();

beforeAll(async () => {
  api = await startApi({ signer: sm2Signer, publicKeys: new PublicKeyRing(sm2Signer.keyId, sm2Signer.publicKeyPem, path.join(keyDir, 'retired')) });
  const submitted = await api.call('POST', '/cases', { token: portal, body: example, headers: { 'Idempotency-Key': `verify-${randomUUID()}` } });
  expect(submitted.status).toBe(201);
  caseNo = submitted.body.caseNo;
  const task = await waitFor('the transport review task', async () => {
    const q = await api.call('GET', '/reviews?status=open', { token: transport });
    return (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === 'transport-review');
  });
  expect((await api.call('POST', `/reviews/${encodeURIComponent(task.taskId)}/claim`, { token: transport })).status).toBe(200);
  const decided = await api.call('POST', `/cases/${caseNo}/steps/transport-review/decision`, { token: transport, body: { decision: 'approve', comment: '同意' } });
  expect(decided.status).toBe(202);
  const done = await waitFor('completion with 3 certificates', async () => {
    const c = await api.call('GET', `/cases/${caseNo}`, { token: portal });
    return c.body.status === 'completed' && c.body.certificates?.length === 3 ? c.body : undefined;
  });
  const get = async (type: string) => {
    const no = (done.certificates as { no: string; type: string }[]).find((c) => c.type === type)!.no;
    const r = await api.call('GET', `/certificates/${no}`, { token: portal });
    expect(r.status).toBe(200);
    return r.body as Cert;
  };
  permit = await get('road-transport-operating-permit');
  vehicleCert = await get('road-transport-certificate');
});
afterAll(async () => {
  await api?.close();
  fs.rmSync(keyDir, { recursive: true, force: true });
});

describe('certificate verification by code', () => {
  it('a fresh certificate is valid; what is shown comes from the signed payload, minimised', async () => {
    expect(permit.verificationCode).toMatch(/^[A-Z2-7]{24}$/);
    expect(vehicleCert.verificationCode).not.toBe(permit.verificationCode);
    expect(permit.verifyPath).toBe(`/api/v1/certificates/verify/${permit.verificationCode}`);
    const r = await api.call('GET', `/certificates/verify/${permit.verificationCode}`);
    expect(r.status).toBe(200);
    const signed = JSON.parse(permit.payload);
    expect(r.body).toEqual({
      status: 'valid',
      signatureValid: true,
      revokedAt: null,
      certificate: {
        no: permit.no,
        type: 'road-transport-operating-permit',
        name: signed.name,
        // The holder is a company (credit code): its name is public record, shown whole.
        holder: { name: example.form.applicant.name, kind: 'organisation' },
        subject: 'case',
        authority: signed.authority,
        validFrom: signed.validFrom,
        validUntil: signed.validUntil,
        issuedAt: signed.issuedAt,
        keyId: signed.keyId,
        signatureAlgorithm: 'SM2-SM3',
        fields: {
          'applicant.name': example.form.applicant.name,
          'applicant.address': example.form.applicant.address,
          'applicant.legalRepresentative': '钱*', // a person: masked
        },
        withheldFields: [],
      },
    });
    // The signed payload binds the code: pointing a QR code at another certificate's row cannot verify.
    expect(signed.verificationCode).toBe(permit.verificationCode);
  });

  it('a per-vehicle certificate masks the plate, in the subject and in the fields', async () => {
    const r = await api.call('GET', `/certificates/verify/${vehicleCert.verificationCode}`);
    const plate = JSON.parse(vehicleCert.payload).subject as string;
    expect(r.body.status).toBe('valid');
    expect(r.body.certificate.subject).toBe(`${plate.slice(0, 2)}${'*'.repeat([...plate].length - 4)}${plate.slice(-2)}`);
    expect(r.body.certificate.fields['vehicle.plate']).toBe(r.body.certificate.subject);
    expect(JSON.stringify(r.body)).not.toContain(plate);
  });

  it('the signature verifies offline with the public key, and fails on a changed byte', async () => {
    const pem = (await api.call('GET', '/certificates/public-key')).body as string;
    expect(pem).toMatch(/BEGIN PUBLIC KEY/);
    expect(verifyCertificateSignature(permit.payload, permit.signature, pem)).toBe(true);
    expect(verifyCertificateSignature(permit.payload.replace('"subject":"case"', '"subject":"casf"'), permit.signature, pem)).toBe(false);
  });

  it('a case completed with SM2 is signed SM2 over SM3, names it, and verifies independently and offline', async () => {
    const cert = (await api.call('GET', `/certificates/${permit.no}`, { token: portal })).body;
    expect(cert.signatureAlgorithm).toBe('SM2-SM3');
    expect(cert.keyId).toBe('verify-sm2-1');
    expect(JSON.parse(permit.payload)).toMatchObject({ alg: 'SM2-SM3', keyId: 'verify-sm2-1' });
    const key = await api.call('GET', '/certificates/public-key');
    expect(key.headers.get('x-key-algorithm')).toBe('SM2-SM3');
    // sm-crypto, with the default identifier, over the payload's UTF-8 bytes.
    expect(sm2VerifyReference(Buffer.from(permit.payload, 'utf8'), Buffer.from(permit.signature, 'base64'), Buffer.from(sm2PublicPointOf(key.body as string), 'hex'))).toBe(true);
    expect(verifyOffline({ payload: cert.payload, signature: cert.signature, statedAlgorithm: cert.signatureAlgorithm, statedKeyId: cert.keyId }, key.body as string).valid).toBe(true);
  });

  it('Ed25519 certificates issued before the switch to SM2 still verify, through the retired key', async () => {
    const rows = (await sql('select * from certificate where no = ?', [permit.no])) as Record<string, unknown>[];
    const before = rows[0]!;
    // The same certificate as the Ed25519 key signed it before SM2 (and before `alg` and verification codes existed).
    const legacyBody = { ...JSON.parse(permit.payload), keyId: ed25519Signer.keyId };
    delete legacyBody.alg;
    delete legacyBody.verificationCode;
    const legacyPayload = canonicalJson(legacyBody);
    try {
      await sql('update certificate set payload = ?, signature = ?, key_id = ? where no = ?', [legacyPayload, ed25519Signer.sign(legacyPayload), ed25519Signer.keyId, permit.no]);
      const byCode = await api.call('GET', `/certificates/verify/${permit.verificationCode}`);
      expect(byCode.body).toMatchObject({ status: 'valid', signatureValid: true, certificate: { keyId: 'verify-ed-1', signatureAlgorithm: 'Ed25519' } });
      expect((await api.call('GET', `/certificates/${permit.no}/verify`)).body.status).toBe('valid');
      const cert = (await api.call('GET', `/certificates/${permit.no}`, { token: portal })).body;
      expect(cert.signatureAlgorithm).toBe('Ed25519');
      const oldKey = await api.call('GET', '/certificates/public-key?keyId=verify-ed-1');
      expect(oldKey.headers.get('x-key-algorithm')).toBe('Ed25519');
      expect(verifyCertificateSignature(cert.payload, cert.signature, oldKey.body as string)).toBe(true);
      // Claiming SM2 in a payload the Ed25519 key signed is a lie the signature cannot carry.
      const lying = canonicalJson({ ...legacyBody, alg: 'SM2-SM3' });
      await sql('update certificate set payload = ?, signature = ? where no = ?', [lying, ed25519Signer.sign(lying), permit.no]);
      expect((await api.call('GET', `/certificates/verify/${permit.verificationCode}`)).body.status).toBe('tampered');
    } finally {
      await sql('update certificate set payload = ?, signature = ?, key_id = ? where no = ?', [before.payload, before.signature, before.key_id, permit.no]);
    }
    expect((await api.call('GET', `/certificates/verify/${permit.verificationCode}`)).body.status).toBe('valid');
  });

  it('the number route answers the status only: no holder, no fields', async () => {
    const r = await api.call('GET', `/certificates/${permit.no}/verify`);
    expect(r.body).toEqual({ no: permit.no, status: 'valid', signatureValid: true });
    expect((await api.call('GET', `/certificates/${caseNo}-C9/verify`)).body).toEqual({ no: `${caseNo}-C9`, status: 'unknown', signatureValid: null });
  });

  it('an unknown code is unknown; a malformed one is a 400 naming the parameter', async () => {
    const r = await api.call('GET', `/certificates/verify/${'A'.repeat(24)}`);
    expect(r.body).toEqual({ status: 'unknown', signatureValid: null, revokedAt: null, certificate: null });
    const bad = await api.call('GET', '/certificates/verify/abc!');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('params.code');
  });

  const tamperings: [string, string, unknown[]][] = [
    ['holder_name', `update certificate set holder_name = ? where no = ?`, ['济宁某某冒名运输有限公司']],
    ['fields', `update certificate set fields = jsonb_set(fields, '{applicant.legalRepresentative}', '"冒名"') where no = ?`, []],
    ['valid_until', `update certificate set valid_until = valid_until + interval '10 years' where no = ?`, []],
    ['type', `update certificate set type = 'road-transport-certificate' where no = ?`, []],
    ['case_no', `update certificate set case_no = 'JN-FREIGHTCO-20200101-000001' where no = ?`, []],
    ['payload', `update certificate set payload = replace(payload, '"validUntil":"', '"validUntil":"2') where no = ?`, []],
  ];
  it.each(tamperings)('a row whose %s was changed in PostgreSQL answers tampered, on both routes, and shows nothing', async (_column, update, params) => {
    const before = (await sql('select * from certificate where no = ?', [permit.no]))[0]!;
    try {
      await sql(update, [...params, permit.no]);
      const byCode = await api.call('GET', `/certificates/verify/${permit.verificationCode}`);
      expect(byCode.body).toMatchObject({ status: 'tampered', certificate: null });
      expect(JSON.stringify(byCode.body)).not.toMatch(/冒名|2036|2037|2038|2039|2040/);
      expect((await api.call('GET', `/certificates/${permit.no}/verify`)).body.status).toBe('tampered');
    } finally {
      await sql(
        'update certificate set holder_name = ?, fields = ?, valid_until = ?, type = ?, case_no = ?, payload = ? where no = ?',
        [before.holder_name, JSON.stringify(before.fields), before.valid_until, before.type, before.case_no, before.payload, permit.no],
      );
    }
    expect((await api.call('GET', `/certificates/verify/${permit.verificationCode}`)).body.status).toBe('valid');
  });

  it('a revoked certificate answers revoked, with when', async () => {
    expect((await api.call('POST', `/certificates/${vehicleCert.no}/revoke`, { token: ops, body: { reason: '车辆报废' } })).status).toBe(200);
    const r = await api.call('GET', `/certificates/verify/${vehicleCert.verificationCode}`);
    expect(r.body.status).toBe('revoked');
    expect(Date.parse(r.body.revokedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(r.body.certificate.no).toBe(vehicleCert.no);
    expect((await api.call('GET', `/certificates/${vehicleCert.no}/verify`)).body.status).toBe('revoked');
  });

  it('the OpenAPI document describes every field of the public responses (no open objects)', () => {
    const schemas = (api.openapi as { components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } }).components.schemas;
    expect(Object.keys(schemas.CertificateVerification!.properties!)).toEqual(['status', 'signatureValid', 'revokedAt', 'certificate']);
    expect(schemas.PublicCertificate!.required).toEqual(expect.arrayContaining(['no', 'holder', 'fields', 'withheldFields', 'validUntil']));
    expect(Object.keys(schemas.CertificateStatus!.properties!)).toEqual(['no', 'status', 'signatureValid']);
    expect(Object.keys(schemas.Certificate!.properties!)).toEqual(expect.arrayContaining(['payload', 'signature', 'verificationCode', 'verifyPath']));
  });
});

describe('idempotent issuance', () => {
  const issue = (issuedAtMs: number): Promise<CertificateSummary[]> =>
    new MockActivityEnvironment().run(createCertificateActivities({ orm: api.orm, signer: sm2Signer }).issueCertificates, {
      caseNo,
      certificates: service('FREIGHTCO').certificates,
      issuedAtMs,
    }) as Promise<CertificateSummary[]>;

  it('a retried activity (even a day later) returns the stored certificates and changes no code or signature', async () => {
    const rowsBefore = (await sql('select no, verification_code, signature, payload from certificate where case_no = ? order by no', [caseNo])) as { no: string }[];
    const again = await issue(Date.now() + 86_400_000);
    const rowsAfter = await sql('select no, verification_code, signature, payload from certificate where case_no = ? order by no', [caseNo]);
    expect(rowsAfter).toEqual(rowsBefore);
    expect(again.map((c) => c.no).sort()).toEqual(rowsBefore.map((r) => r.no));
    expect(again.find((c) => c.no === permit.no)?.validUntil).toBe(JSON.parse(permit.payload).validUntil);
  });

  it('two attempts racing on a case without certificates store one row per certificate, and both return it', async () => {
    const saved = await sql('select * from certificate where case_no = ?', [caseNo]);
    await sql('delete from certificate where case_no = ?', [caseNo]);
    try {
      const [a, b] = await Promise.all([issue(Date.now()), issue(Date.now())]);
      expect(a).toEqual(b);
      const rows = await sql('select no, verification_code, payload from certificate where case_no = ? order by no', [caseNo]);
      expect(rows).toHaveLength(3);
      for (const r of rows as { verification_code: string; payload: string }[]) expect(JSON.parse(r.payload).verificationCode).toBe(r.verification_code);
    } finally {
      await sql('delete from certificate where case_no = ?', [caseNo]);
      for (const r of saved as Record<string, unknown>[]) {
        const cols = Object.keys(r);
        await sql(`insert into certificate (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`, cols.map((c) => (c === 'fields' ? JSON.stringify(r[c]) : r[c])));
      }
    }
  });
});

/** The uncompressed point (hex) of an SM2 public key PEM, as sm-crypto takes it. */
function sm2PublicPointOf(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return der.subarray(der.length - 65).toString('hex');
}
