/**
 * Ed25519 signatures over certificates. What is signed is the exact string stored with the certificate (its canonical
 * JSON payload), so anyone holding the public key can verify a certificate offline, byte for byte.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
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

export class CertificateSigner {
  readonly publicKeyPem: string;
  private constructor(
    private readonly privateKey: KeyObject,
    readonly keyId: string,
  ) {
    this.publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
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
}

/** Offline verification: needs only the payload string, the base64 signature and the PEM public key. */
export function verifyCertificateSignature(payload: string, signatureB64: string, publicKeyPem: string): boolean {
  try {
    return verify(null, Buffer.from(payload, 'utf8'), createPublicKey(publicKeyPem), Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Public keys by key id, for verification across key rotations: the current key, plus retired keys kept as
 * `<keyId>.pem` files in a folder (SIGNING_PUBLIC_KEYS_DIR). Every certificate names the key that signed it.
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
        this.keys.set(file.slice(0, -4), fs.readFileSync(path.join(retiredKeysDir, file), 'utf8'));
      }
    }
    this.keys.set(currentKeyId, currentPem);
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
