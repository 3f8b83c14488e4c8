import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CertificateSigner,
  PublicKeyRing,
  canonicalJson,
  ensureDevSigningKeys,
  newVerificationCode,
  verifyCertificateSignature,
} from '../../infra/signing/certificate-signer';

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

describe('verification codes', () => {
  it('are 24 base32 characters, random, and never repeat in 10,000 draws', () => {
    const codes = Array.from({ length: 10_000 }, newVerificationCode);
    expect(codes.every((c) => /^[A-Z2-7]{24}$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    // Every symbol of the alphabet shows up: the encoding uses all 5 bits of each character.
    expect(new Set(codes.join('')).size).toBe(32);
  });
});

describe('public keys only for the API', () => {
  it('the worker publishes the public key in development and refuses a mismatching deployed one in production', () => {
    const dir = tmp();
    const signer = CertificateSigner.fromFile(path.join(dir, 'k.pem'), 'k1', true);
    const pub = path.join(dir, 'k1.pub.pem');
    expect(signer.syncPublicKeyFile(pub, { publish: false })).toBe('absent');
    expect(signer.syncPublicKeyFile(pub, { publish: true })).toBe('written');
    expect(fs.readFileSync(pub, 'utf8')).toBe(signer.publicKeyPem);
    expect(fs.readFileSync(pub, 'utf8')).not.toMatch(/PRIVATE/);
    expect(signer.syncPublicKeyFile(pub, { publish: false })).toBe('unchanged');
    const other = CertificateSigner.fromFile(path.join(dir, 'other.pem'), 'k1', true);
    expect(() => other.syncPublicKeyFile(pub, { publish: false })).toThrow(/not the public half of the signing key k1/);
    expect(other.syncPublicKeyFile(pub, { publish: true })).toBe('written'); // dev: a regenerated key republishes
    expect(fs.readFileSync(pub, 'utf8')).toBe(other.publicKeyPem);
  });

  it('the key ring reads public PEM files and refuses a private key, wherever it is put', () => {
    const dir = tmp();
    const signer = CertificateSigner.fromFile(path.join(dir, 'k.pem'), 'k1', true);
    const pub = path.join(dir, 'k1.pub.pem');
    signer.syncPublicKeyFile(pub, { publish: true });
    const ring = PublicKeyRing.fromFiles({ currentKeyId: 'k1', currentPublicKeyPath: pub, retiredKeysDir: path.join(dir, 'none') });
    expect(ring.currentPem).toBe(signer.publicKeyPem);
    expect(() => PublicKeyRing.fromFiles({ currentKeyId: 'k1', currentPublicKeyPath: path.join(dir, 'k.pem') })).toThrow(/private key; the API reads public keys only/);
    expect(() => PublicKeyRing.fromFiles({ currentKeyId: 'k1', currentPublicKeyPath: path.join(dir, 'missing.pem') })).toThrow(/SIGNING_PUBLIC_KEY_PATH/);
    const retired = path.join(dir, 'retired');
    fs.mkdirSync(retired);
    fs.copyFileSync(path.join(dir, 'k.pem'), path.join(retired, 'old.pem'));
    expect(() => PublicKeyRing.fromFiles({ currentKeyId: 'k1', currentPublicKeyPath: pub, retiredKeysDir: retired })).toThrow(/old\.pem holds a private key/);
    fs.writeFileSync(path.join(retired, 'old.pem'), 'not a key');
    expect(() => PublicKeyRing.fromFiles({ currentKeyId: 'k1', currentPublicKeyPath: pub, retiredKeysDir: retired })).toThrow(/not a PEM public key/);
  });

  it('in development the first start creates the key pair once; an existing public key is used without touching the private key', () => {
    const dir = tmp();
    const priv = path.join(dir, 'keys', 'signing.pem');
    const pub = path.join(dir, 'keys', 'dev-1.pub.pem');
    ensureDevSigningKeys(priv, pub, 'dev-1');
    expect(fs.existsSync(priv)).toBe(true);
    const first = fs.readFileSync(pub, 'utf8');
    expect(first).toBe(CertificateSigner.fromFile(priv, 'dev-1', false).publicKeyPem);
    fs.rmSync(priv); // gone: the second call must neither read nor regenerate it
    ensureDevSigningKeys(priv, pub, 'dev-1');
    expect(fs.existsSync(priv)).toBe(false);
    expect(fs.readFileSync(pub, 'utf8')).toBe(first);
  });
});
