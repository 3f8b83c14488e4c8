/**
 * Certificate signatures: SM2 over SM3 with the standard's default identifier (the default, GB/T 38540-2020 and GB/T
 * 32918; infra/signing/sm2.ts), or Ed25519 (by configuration, and every certificate issued before SM2). What is signed
 * is the exact string stored with the certificate (its canonical JSON payload, which names the algorithm in `alg`), so
 * anyone holding the public key can verify a certificate offline, byte for byte. The key decides the algorithm: a
 * certificate names its key id, the key ring holds keys of both algorithms, so rotation from one to the other keeps
 * older certificates verifying.
 *
 * Who holds what: the worker issues certificates, so only the worker loads the private key (CertificateSigner). The
 * internet-facing API verifies and serves public keys only (PublicKeyRing reads public PEM files and refuses a private
 * key), so a compromised API pod cannot mint certificates.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateSm2PrivateKey, isSm2Key, sm2Sign, sm2Verify, sm2VerifyReference } from './sm2';

import { type SignatureAlgorithm } from './algorithms';

export { parseSigningAlgorithm, SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from './algorithms';

/** The algorithm a key (public or private) signs with, or undefined for any other key. */
export function keyAlgorithm(key: KeyObject): SignatureAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  return isSm2Key(key) ? 'SM2-SM3' : undefined;
}

const displayName = (a: SignatureAlgorithm) => (a === 'SM2-SM3' ? 'SM2' : 'Ed25519');

/** JSON with object keys sorted at every level and no insignificant whitespace: one value, one string. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A certificate's verification code: 120 random bits as 24 base32 characters (RFC 4648 alphabet, upper case, so a QR
 * code stores it in its compact alphanumeric mode). Random, never derived from the certificate number: nobody can
 * enumerate certificates by guessing codes.
 */
export function newVerificationCode(): string {
  const bytes = randomBytes(15);
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

const spkiPem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

/** Writes `content` to `file` through a temporary file and a rename: a reader never sees half a key. */
function writeAtomically(file: string, content: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

export interface SignerOptions {
  /**
   * SIGNING_ALGORITHM: what a generated key is (default SM2) and, where keys are never generated (production), what
   * the key must be: the worker refuses to sign with another algorithm than the operator asked for. In development an
   * existing key of the other algorithm is used as it is, and `warn` says so.
   */
  algorithm?: SignatureAlgorithm;
  warn?: (line: string) => void;
}

export class CertificateSigner {
  readonly publicKeyPem: string;
  private constructor(
    private readonly privateKey: KeyObject,
    readonly keyId: string,
    readonly algorithm: SignatureAlgorithm,
  ) {
    this.publicKeyPem = spkiPem(createPublicKey(privateKey));
  }

  /** Loads the PEM private key at `keyPath`; when it does not exist and `generateIfMissing`, creates a dev key (0600). */
  static fromFile(keyPath: string, keyId: string, generateIfMissing: boolean, opts: SignerOptions = {}): CertificateSigner {
    if (!fs.existsSync(keyPath)) {
      if (!generateIfMissing) throw new Error(`certificate signing key not found at ${keyPath} (set SIGNING_KEY_PATH)`);
      fs.mkdirSync(path.dirname(keyPath), { recursive: true });
      const privateKey = (opts.algorithm ?? 'SM2-SM3') === 'SM2-SM3' ? generateSm2PrivateKey() : generateKeyPairSync('ed25519').privateKey;
      try {
        fs.writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        // Another process (API and worker start together) wrote it first: use theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const key = createPrivateKey(fs.readFileSync(keyPath));
    const algorithm = keyAlgorithm(key);
    if (!algorithm) throw new Error(`signing key at ${keyPath} is neither an SM2 (sm2p256v1) nor an Ed25519 key`);
    if (opts.algorithm && algorithm !== opts.algorithm) {
      const line = `the signing key ${keyId} at ${keyPath} (SIGNING_KEY_PATH) is an ${displayName(algorithm)} key, SIGNING_ALGORITHM is ${displayName(opts.algorithm)}`;
      if (!generateIfMissing) throw new Error(`${line}: rotate to a new ${displayName(opts.algorithm)} key with a new SIGNING_KEY_ID (docs/operations.md), or set SIGNING_ALGORITHM=${displayName(algorithm)}`);
      opts.warn?.(`${line}: development signs with the key as it is`);
    }
    const signer = new CertificateSigner(key, keyId, algorithm);
    if (algorithm === 'SM2-SM3') signer.selfTest();
    return signer;
  }

  /** Base64 signature of the payload's UTF-8 bytes: SM2 (DER r, s over e = SM3(Z_A || M)) or Ed25519 (64 bytes). */
  sign(payload: string): string {
    const bytes = Buffer.from(payload, 'utf8');
    return (this.algorithm === 'SM2-SM3' ? sm2Sign(bytes, this.privateKey) : sign(null, bytes, this.privateKey)).toString('base64');
  }

  /**
   * Signs a probe and verifies it with the independent SM2 implementation and with the platform's fast verifier: a
   * signer that disagrees with either (a broken or changed dependency, a key whose halves do not match) never issues a
   * certificate.
   */
  private selfTest(): void {
    const probe = Buffer.from(`onestop signer self-test ${this.keyId}`, 'utf8');
    const signature = Buffer.from(this.sign(probe.toString('utf8')), 'base64');
    const publicKey = createPublicKey(this.privateKey);
    if (!sm2VerifyReference(probe, signature, publicKey) || !sm2Verify(probe, signature, publicKey)) {
      throw new Error(`the SM2 signature of key ${this.keyId} does not verify with the independent implementation (sm-crypto) or the platform's verifier: not signing`);
    }
  }

  /**
   * Keeps the public key file the API reads in step with this private key. A file that exists must hold this key's
   * public half: otherwise every certificate issued from now on would verify as `tampered`, so the worker refuses to
   * start (`publish: false`, production, where the file is a read-only ConfigMap) or rewrites it (`publish: true`,
   * development, where the worker writes `<keyId>.pub.pem` next to the private key on first start).
   */
  syncPublicKeyFile(file: string, opts: { publish: boolean }): 'unchanged' | 'written' | 'absent' {
    if (fs.existsSync(file)) {
      const current = spkiPem(createPublicKey(fs.readFileSync(file, 'utf8')));
      if (current === this.publicKeyPem) return 'unchanged';
      if (!opts.publish) {
        throw new Error(`the public key at ${file} (SIGNING_PUBLIC_KEY_PATH) is not the public half of the signing key ${this.keyId} (SIGNING_KEY_PATH)`);
      }
    } else if (!opts.publish) {
      return 'absent';
    }
    writeAtomically(file, this.publicKeyPem, 0o644);
    return 'written';
  }
}

/**
 * Development only (`npm start`, where the API and the worker start together): makes sure the current public key file
 * exists, generating the dev key pair if this is the very first start. Production never calls this: there the public
 * key is a deployed file and the API never sees the private key.
 */
export function ensureDevSigningKeys(privateKeyPath: string, publicKeyPath: string, keyId: string, opts: SignerOptions = {}): void {
  if (fs.existsSync(publicKeyPath)) return;
  CertificateSigner.fromFile(privateKeyPath, keyId, true, opts).syncPublicKeyFile(publicKeyPath, { publish: true });
}

/**
 * A PEM public key parsed once: the public verify routes check every certificate against one of a handful of keys,
 * and parsing the PEM (and exporting its SPKI to tell SM2 apart) cost more than an Ed25519 signature check itself.
 * Bounded; a PEM that does not parse is remembered as such too.
 */
const parsedKeys = new Map<string, { key: KeyObject; algorithm: SignatureAlgorithm | undefined } | null>();
const PARSED_KEYS_LIMIT = 64;

function parsedPublicKey(publicKeyPem: string): { key: KeyObject; algorithm: SignatureAlgorithm | undefined } | null {
  let entry = parsedKeys.get(publicKeyPem);
  if (entry === undefined) {
    try {
      const key = createPublicKey(publicKeyPem);
      entry = { key, algorithm: keyAlgorithm(key) };
    } catch {
      entry = null;
    }
    if (parsedKeys.size >= PARSED_KEYS_LIMIT) parsedKeys.delete(parsedKeys.keys().next().value!);
    parsedKeys.set(publicKeyPem, entry);
  }
  return entry;
}

/** The algorithm of a PEM public key, or undefined when it is not a key this platform verifies with. */
export function publicKeyAlgorithm(publicKeyPem: string): SignatureAlgorithm | undefined {
  return parsedPublicKey(publicKeyPem)?.algorithm;
}

// SM2 verification costs about 1 ms (OpenSSL's SM3 and @noble/curves); Ed25519 well under one. A verification is a pure function of the
// key, the payload and the signature, so the public routes remember recent answers by their SHA-256: a changed row has
// another digest and is verified afresh. Bounded; the oldest answer goes first.
const VERIFIED_CACHE_SIZE = 5000;
const verified = new Map<string, boolean>();

/**
 * Offline verification: needs only the payload string, the base64 signature and the PEM public key, whose algorithm
 * (SM2 with the default identifier, or Ed25519) decides how. False on anything malformed.
 */
export function verifyCertificateSignature(payload: string, signatureB64: string, publicKeyPem: string): boolean {
  const memo = createHash('sha256').update(publicKeyPem).update('\0').update(payload).update('\0').update(signatureB64).digest('base64');
  const known = verified.get(memo);
  if (known !== undefined) return known;
  let ok = false;
  try {
    const parsed = parsedPublicKey(publicKeyPem);
    const bytes = Buffer.from(payload, 'utf8');
    const signature = Buffer.from(signatureB64, 'base64');
    const algorithm = parsed?.algorithm;
    ok = !parsed ? false : algorithm === 'SM2-SM3' ? sm2Verify(bytes, signature, parsed.key) : algorithm === 'Ed25519' ? verify(null, bytes, parsed.key, signature) : false;
  } catch {
    ok = false;
  }
  if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
  verified.set(memo, ok);
  return ok;
}

/** A public SM2 or Ed25519 key in PEM, or an error naming `where`. A private key is refused: the API must never hold one. */
export function parsePublicKeyPem(pem: string, where: string): string {
  if (/PRIVATE KEY/.test(pem)) throw new Error(`${where} holds a private key; the API reads public keys only (export it with \`openssl pkey -pubout\`)`);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error(`${where} is not a PEM public key`);
  }
  if (!keyAlgorithm(key)) throw new Error(`${where} is neither an SM2 (sm2p256v1) nor an Ed25519 public key`);
  return spkiPem(key);
}

/** `prod-1.pem` and `prod-1.pub.pem` both name key `prod-1`. */
const keyIdOfFile = (file: string) => file.replace(/\.pub\.pem$/, '').replace(/\.pem$/, '');

/**
 * Public keys by key id, for verification across key rotations: the current key, plus retired keys kept as
 * `<keyId>.pem` (or `<keyId>.pub.pem`) files in a folder (SIGNING_PUBLIC_KEYS_DIR). Every certificate names the key
 * that signed it; each key is SM2 or Ed25519, whatever the current one is. Only public keys are accepted.
 */
export class PublicKeyRing {
  private readonly keys = new Map<string, string>();
  constructor(
    readonly currentKeyId: string,
    currentPem: string,
    retiredKeysDir?: string,
  ) {
    if (retiredKeysDir && fs.existsSync(retiredKeysDir)) {
      for (const file of fs.readdirSync(retiredKeysDir).filter((f) => f.endsWith('.pem'))) {
        const full = path.join(retiredKeysDir, file);
        if (!fs.statSync(full).isFile()) continue;
        this.keys.set(keyIdOfFile(file), parsePublicKeyPem(fs.readFileSync(full, 'utf8'), full));
      }
    }
    this.keys.set(currentKeyId, parsePublicKeyPem(currentPem, `the current public key ${currentKeyId}`));
  }

  /**
   * The API's key ring: the current public key file (SIGNING_PUBLIC_KEY_PATH) and the retired keys' folder. With
   * `devSiblings` (development only) also every other `<keyId>.pub.pem` next to the current one: the dev keys of both
   * algorithms live side by side (`dev-1` Ed25519, `dev-sm2-1` SM2), so switching SIGNING_ALGORITHM in development keeps
   * the certificates issued before verifying, without a rotation step.
   */
  static fromFiles(o: { currentKeyId: string; currentPublicKeyPath: string; retiredKeysDir?: string; devSiblings?: boolean }): PublicKeyRing {
    if (!fs.existsSync(o.currentPublicKeyPath)) {
      throw new Error(`certificate public key not found at ${o.currentPublicKeyPath} (set SIGNING_PUBLIC_KEY_PATH)`);
    }
    const ring = new PublicKeyRing(o.currentKeyId, parsePublicKeyPem(fs.readFileSync(o.currentPublicKeyPath, 'utf8'), o.currentPublicKeyPath), o.retiredKeysDir);
    if (o.devSiblings) {
      const dir = path.dirname(o.currentPublicKeyPath);
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.pub.pem'))) {
        const full = path.join(dir, file);
        if (!ring.keys.has(keyIdOfFile(file)) && fs.statSync(full).isFile()) ring.keys.set(keyIdOfFile(file), parsePublicKeyPem(fs.readFileSync(full, 'utf8'), full));
      }
    }
    return ring;
  }

  get(keyId: string): string | undefined {
    return this.keys.get(keyId);
  }
  /** The algorithm of key `keyId`, if the ring holds it. */
  algorithmOf(keyId: string): SignatureAlgorithm | undefined {
    const pem = this.keys.get(keyId);
    return pem ? publicKeyAlgorithm(pem) : undefined;
  }
  get currentPem(): string {
    return this.keys.get(this.currentKeyId)!;
  }
  ids(): string[] {
    return [...this.keys.keys()].sort();
  }
}
