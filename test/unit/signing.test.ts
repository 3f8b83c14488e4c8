import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CertificateSigner, PublicKeyRing, canonicalJson, verifyCertificateSignature } from '../../infra/signing/certificate-signer';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-signing-'));

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined, so one value has one string', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 'é' }], c: undefined } })).toBe('{"a":{"d":[2,{"y":"é","z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

describe('certificate signatures', () => {
  it('verify with the public key, and fail when one byte of the payload changes', () => {
    const signer = CertificateSigner.fromFile(path.join(tmp(), 'k.pem'), 'k1', true);
    const payload = canonicalJson({ no: 'X-1', holder: '济宁市任城区实验小学', validUntil: '2027-11-25' });
    const sig = signer.sign(payload);
    expect(verifyCertificateSignature(payload, sig, signer.publicKeyPem)).toBe(true);
    const bytes = Buffer.from(payload, 'utf8');
    bytes[5] = bytes[5]! ^ 1;
    expect(verifyCertificateSignature(bytes.toString('utf8'), sig, signer.publicKeyPem)).toBe(false);
    expect(verifyCertificateSignature(payload, sig.replace(/^./, sig[0] === 'A' ? 'B' : 'A'), signer.publicKeyPem)).toBe(false);
    expect(verifyCertificateSignature(payload, 'not base64 at all', signer.publicKeyPem)).toBe(false);
  });

  it('a dev key is generated once, private (0600), and reused by the next process', () => {
    const file = path.join(tmp(), 'keys', 'k.pem');
    const a = CertificateSigner.fromFile(file, 'k1', true);
    const b = CertificateSigner.fromFile(file, 'k1', true);
    expect(a.publicKeyPem).toBe(b.publicKeyPem);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(() => CertificateSigner.fromFile(path.join(tmp(), 'missing.pem'), 'k1', false)).toThrow(/SIGNING_KEY_PATH/);
  });

  it('after a rotation, certificates signed with the retired key still verify through the key ring', () => {
    const dir = tmp();
    const old = CertificateSigner.fromFile(path.join(dir, 'old.pem'), 'k2025', true);
    const current = CertificateSigner.fromFile(path.join(dir, 'new.pem'), 'k2026', true);
    const retired = path.join(dir, 'retired');
    fs.mkdirSync(retired);
    fs.writeFileSync(path.join(retired, 'k2025.pem'), old.publicKeyPem);
    const ring = new PublicKeyRing(current.keyId, current.publicKeyPem, retired);
    const payload = '{"no":"OLD-1"}';
    expect(verifyCertificateSignature(payload, old.sign(payload), ring.get('k2025')!)).toBe(true);
    expect(verifyCertificateSignature(payload, old.sign(payload), ring.currentPem)).toBe(false);
    expect(ring.ids()).toEqual(['k2025', 'k2026']);
    expect(ring.get('unknown')).toBeUndefined();
  });
});
