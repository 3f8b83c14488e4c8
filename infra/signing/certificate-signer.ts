/**
 * Ed25519 signatures over certificates. What is signed is the exact string stored with the certificate (its canonical
 * JSON payload), so anyone holding the public key can verify a certificate offline, byte for byte.
 *
 * Who holds what: the worker issues certificates, so only the worker loads the private key (CertificateSigner). The
 * internet-facing API verifies and serves public keys only (PublicKeyRing reads public PEM files and refuses a private
 * key), so a compromised API pod cannot mint certificates.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

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

export class CertificateSigner {
  readonly publicKeyPem: string;
  private constructor(
    private readonly privateKey: KeyObject,
    readonly keyId: string,
  ) {
    this.publicKeyPem = spkiPem(createPublicKey(privateKey));
  }

  /** Loads the PEM private key at `keyPath`; when it does not exist and `generateIfMissing`, creates a dev key (0600). */
  static fromFile(keyPath: string, keyId: string, generateIfMissing: boolean): CertificateSigner {
    if (!fs.existsSync(keyPath)) {
      if (!generateIfMissing) throw new Error(`certificate signing key not found at ${keyPath} (set SIGNING_KEY_PATH)`);
      fs.mkdirSync(path.dirname(keyPath), { recursive: true });
      const { privateKey } = generateKeyPairSync('ed25519');
      try {
        fs.writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        // Another process (API and worker start together) wrote it first: use theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const key = createPrivateKey(fs.readFileSync(keyPath));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`signing key at ${keyPath} is not an Ed25519 key`);
    return new CertificateSigner(key, keyId);
  }

  sign(payload: string): string {
    return sign(null, Buffer.from(payload, 'utf8'), this.privateKey).toString('base64');
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
export function ensureDevSigningKeys(privateKeyPath: string, publicKeyPath: string, keyId: string): void {
  if (fs.existsSync(publicKeyPath)) return;
  CertificateSigner.fromFile(privateKeyPath, keyId, true).syncPublicKeyFile(publicKeyPath, { publish: true });
}

/** Offline verification: needs only the payload string, the base64 signature and the PEM public key. */
export function verifyCertificateSignature(payload: string, signatureB64: string, publicKeyPem: string): boolean {
  try {
    return verify(null, Buffer.from(payload, 'utf8'), createPublicKey(publicKeyPem), Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/** A public Ed25519 key in PEM, or an error naming `where`. A private key is refused: the API must never hold one. */
export function parsePublicKeyPem(pem: string, where: string): string {
  if (/PRIVATE KEY/.test(pem)) throw new Error(`${where} holds a private key; the API reads public keys only (export it with \`openssl pkey -pubout\`)`);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error(`${where} is not a PEM public key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${where} is not an Ed25519 public key`);
  return spkiPem(key);
}

/** `prod-1.pem` and `prod-1.pub.pem` both name key `prod-1`. */
const keyIdOfFile = (file: string) => file.replace(/\.pub\.pem$/, '').replace(/\.pem$/, '');

/**
 * Public keys by key id, for verification across key rotations: the current key, plus retired keys kept as
 * `<keyId>.pem` (or `<keyId>.pub.pem`) files in a folder (SIGNING_PUBLIC_KEYS_DIR). Every certificate names the key
 * that signed it. Only public keys are accepted.
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

  /** The API's key ring: the current public key file (SIGNING_PUBLIC_KEY_PATH) and the retired keys' folder. */
  static fromFiles(o: { currentKeyId: string; currentPublicKeyPath: string; retiredKeysDir?: string }): PublicKeyRing {
    if (!fs.existsSync(o.currentPublicKeyPath)) {
      throw new Error(`certificate public key not found at ${o.currentPublicKeyPath} (set SIGNING_PUBLIC_KEY_PATH)`);
    }
    return new PublicKeyRing(o.currentKeyId, parsePublicKeyPem(fs.readFileSync(o.currentPublicKeyPath, 'utf8'), o.currentPublicKeyPath), o.retiredKeysDir);
  }

  get(keyId: string): string | undefined {
    return this.keys.get(keyId);
  }
  get currentPem(): string {
    return this.keys.get(this.currentKeyId)!;
  }
  ids(): string[] {
    return [...this.keys.keys()].sort();
  }
}
