import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../infra/config';
import {
  CertificateSigner,
  PublicKeyRing,
  canonicalJson,
  ensureDevSigningKeys,
  newVerificationCode,
  parseSigningAlgorithm,
  publicKeyAlgorithm,
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

describe('the signing algorithm', () => {
  it('SIGNING_ALGORITHM: SM2 by default, Ed25519 by configuration, anything else refused naming the variable', () => {
    expect(parseSigningAlgorithm(undefined)).toBe('SM2-SM3');
    expect(parseSigningAlgorithm('sm2')).toBe('SM2-SM3');
    expect(parseSigningAlgorithm('SM2-SM3')).toBe('SM2-SM3');
    expect(parseSigningAlgorithm('ed25519')).toBe('Ed25519');
    expect(() => parseSigningAlgorithm('RSA')).toThrow(/SIGNING_ALGORITHM must be SM2 or Ed25519/);
  });

  it('the dev key file and id follow the algorithm, so switching never overwrites a key', () => {
    const sm2 = loadConfig({ ONESTOP_DATA_DIR: '/d' }).signing;
    expect(sm2).toMatchObject({ algorithm: 'SM2-SM3', keyId: 'dev-sm2-1', privateKeyPath: '/d/keys/certificate-signing-sm2.pem', publicKeyPath: '/d/keys/dev-sm2-1.pub.pem' });
    const ed = loadConfig({ ONESTOP_DATA_DIR: '/d', SIGNING_ALGORITHM: 'Ed25519' }).signing;
    expect(ed).toMatchObject({ algorithm: 'Ed25519', keyId: 'dev-1', privateKeyPath: '/d/keys/certificate-signing.pem', publicKeyPath: '/d/keys/dev-1.pub.pem' });
    // Deployed names win whatever the algorithm.
    expect(loadConfig({ SIGNING_KEY_PATH: '/k/s.pem', SIGNING_KEY_ID: 'prod-2' }).signing).toMatchObject({ privateKeyPath: '/k/s.pem', keyId: 'prod-2', publicKeyPath: '/k/prod-2.pub.pem' });
  });

  it('a generated key is SM2 unless Ed25519 is asked for; each signs and verifies with its own algorithm', () => {
    const dir = tmp();
    const sm2 = CertificateSigner.fromFile(path.join(dir, 'sm2.pem'), 's1', true);
    const ed = CertificateSigner.fromFile(path.join(dir, 'ed.pem'), 'e1', true, { algorithm: 'Ed25519' });
    expect([sm2.algorithm, ed.algorithm]).toEqual(['SM2-SM3', 'Ed25519']);
    expect(publicKeyAlgorithm(sm2.publicKeyPem)).toBe('SM2-SM3');
    expect(publicKeyAlgorithm(ed.publicKeyPem)).toBe('Ed25519');
    // PKCS#8 with the SM2 curve identifier (1.2.156.10197.1.301), SPKI public key.
    const der = Buffer.from(fs.readFileSync(path.join(dir, 'sm2.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(der.includes(Buffer.from('06082a811ccf5501822d', 'hex'))).toBe(true);
    const payload = '{"no":"X-1"}';
    expect(verifyCertificateSignature(payload, sm2.sign(payload), sm2.publicKeyPem)).toBe(true);
    expect(verifyCertificateSignature(payload, ed.sign(payload), ed.publicKeyPem)).toBe(true);
    expect(Buffer.from(ed.sign(payload), 'base64')).toHaveLength(64);
    // Never across algorithms.
    expect(verifyCertificateSignature(payload, sm2.sign(payload), ed.publicKeyPem)).toBe(false);
    expect(verifyCertificateSignature(payload, ed.sign(payload), sm2.publicKeyPem)).toBe(false);
  });

  it('production refuses a key of another algorithm than SIGNING_ALGORITHM, naming both and the way out; development warns and uses it', () => {
    const dir = tmp();
    const file = path.join(dir, 'k.pem');
    CertificateSigner.fromFile(file, 'prod-1', true, { algorithm: 'Ed25519' });
    expect(() => CertificateSigner.fromFile(file, 'prod-1', false, { algorithm: 'SM2-SM3' })).toThrow(
      /signing key prod-1 at .* is an Ed25519 key, SIGNING_ALGORITHM is SM2: rotate to a new SM2 key with a new SIGNING_KEY_ID/,
    );
    const warnings: string[] = [];
    const dev = CertificateSigner.fromFile(file, 'prod-1', true, { algorithm: 'SM2-SM3', warn: (l) => warnings.push(l) });
    expect(dev.algorithm).toBe('Ed25519');
    expect(warnings).toEqual([expect.stringMatching(/is an Ed25519 key, SIGNING_ALGORITHM is SM2: development signs with the key as it is/)]);
    expect(CertificateSigner.fromFile(file, 'prod-1', false, { algorithm: 'Ed25519' }).algorithm).toBe('Ed25519');
  });

  it('keys of other types or curves are refused, as signing keys and as public keys', () => {
    const dir = tmp();
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(path.join(dir, 'p256.pem'), p256.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => CertificateSigner.fromFile(path.join(dir, 'p256.pem'), 'k1', false)).toThrow(/neither an SM2 \(sm2p256v1\) nor an Ed25519 key/);
    fs.writeFileSync(path.join(dir, 'k1.pub.pem'), p256.publicKey.export({ type: 'spki', format: 'pem' }));
    expect(() => PublicKeyRing.fromFiles({ currentKeyId: 'k1', currentPublicKeyPath: path.join(dir, 'k1.pub.pem') })).toThrow(/neither an SM2 \(sm2p256v1\) nor an Ed25519 public key/);
  });

  it('the key ring holds both algorithms: an Ed25519 certificate issued before a rotation to SM2 still verifies', () => {
    const dir = tmp();
    const old = CertificateSigner.fromFile(path.join(dir, 'old.pem'), 'prod-1', true, { algorithm: 'Ed25519' });
    const current = CertificateSigner.fromFile(path.join(dir, 'new.pem'), 'prod-sm2-1', true, { algorithm: 'SM2-SM3' });
    const retired = path.join(dir, 'retired');
    fs.mkdirSync(retired);
    fs.writeFileSync(path.join(retired, 'prod-1.pem'), old.publicKeyPem);
    fs.writeFileSync(path.join(dir, 'prod-sm2-1.pub.pem'), current.publicKeyPem);
    const ring = PublicKeyRing.fromFiles({ currentKeyId: 'prod-sm2-1', currentPublicKeyPath: path.join(dir, 'prod-sm2-1.pub.pem'), retiredKeysDir: retired });
    expect(ring.ids()).toEqual(['prod-1', 'prod-sm2-1']);
    expect([ring.algorithmOf('prod-1'), ring.algorithmOf('prod-sm2-1'), ring.algorithmOf('nope')]).toEqual(['Ed25519', 'SM2-SM3', undefined]);
    const payload = '{"no":"OLD-1"}';
    expect(verifyCertificateSignature(payload, old.sign(payload), ring.get('prod-1')!)).toBe(true);
    expect(verifyCertificateSignature(payload, current.sign(payload), ring.get('prod-sm2-1')!)).toBe(true);
  });

  it('development: the ring also reads the other dev keys next to the current one (devSiblings), never in production', () => {
    const dir = tmp();
    const ed = CertificateSigner.fromFile(path.join(dir, 'certificate-signing.pem'), 'dev-1', true, { algorithm: 'Ed25519' });
    ed.syncPublicKeyFile(path.join(dir, 'dev-1.pub.pem'), { publish: true });
    ensureDevSigningKeys(path.join(dir, 'certificate-signing-sm2.pem'), path.join(dir, 'dev-sm2-1.pub.pem'), 'dev-sm2-1', { algorithm: 'SM2-SM3' });
    const o = { currentKeyId: 'dev-sm2-1', currentPublicKeyPath: path.join(dir, 'dev-sm2-1.pub.pem') };
    expect(PublicKeyRing.fromFiles({ ...o, devSiblings: true }).ids()).toEqual(['dev-1', 'dev-sm2-1']);
    expect(PublicKeyRing.fromFiles(o).ids()).toEqual(['dev-sm2-1']);
    expect(PublicKeyRing.fromFiles({ ...o, devSiblings: true }).algorithmOf('dev-1')).toBe('Ed25519');
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
