/**
 * Encryption of everything the platform hands to Temporal: workflow and activity inputs and results, signals, queries,
 * and (through failure-converter.ts) failure messages and stack traces. The Temporal server, its database and anyone
 * who reaches its UI see only ciphertext; the API and the worker, which hold the keys, see the data.
 *
 * Format of an encrypted payload: metadata `encoding` = `binary/encrypted`, `encryption-key-id` = the key's id,
 * `encryption-cipher` = `AES-256-GCM`; data = 12-byte random IV ‖ ciphertext ‖ 16-byte GCM tag. The plaintext is the
 * original payload (metadata and data) as protobuf, so decoding gives back exactly what was encoded. The key id is
 * bound to the ciphertext as additional authenticated data.
 *
 * Keys: one file per key, `<keyId>.key`, holding 32 random bytes in base64, in PAYLOAD_CODEC_KEYS_DIR. New payloads
 * use the current key (PAYLOAD_CODEC_KEY_ID); decoding uses whichever key the payload names, so rotating is adding a
 * new key file and switching the current id while the old files stay. Payloads that are not encrypted (histories from
 * before the codec, committed replay histories) pass through decoding unchanged.
 *
 * Runs outside the workflow sandbox only (clients and the worker's main thread): Node's crypto is fine here.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const KEY_BYTES = 32;
const IV_BYTES = 12; // 96 bits: the GCM nonce size that needs no extra derivation
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Where every client and worker finds the failure converter (a path: the worker bundles it with the workflows). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** A payload that cannot be decoded or a keyring that cannot be loaded. Messages name key ids and files, never data. */
export class PayloadCodecError extends Error {
  override name = 'PayloadCodecError';
}

export interface PayloadCodecConfig {
  /** Folder of `<keyId>.key` files (PAYLOAD_CODEC_KEYS_DIR). */
  keysDir: string;
  /** The key new payloads are encrypted with (PAYLOAD_CODEC_KEY_ID). */
  currentKeyId: string;
}

/** The codec's keys by id: the current one and every retired one still needed to read older histories. */
export class CodecKeyring {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    readonly currentKeyId: string,
    keys: ReadonlyMap<string, Buffer>,
  ) {
    if (!KEY_ID.test(currentKeyId)) throw new PayloadCodecError(`PAYLOAD_CODEC_KEY_ID "${currentKeyId}" is not a valid key id (letters, digits, ".", "_", "-"; at most 64)`);
    for (const [id, key] of keys) {
      if (key.length !== KEY_BYTES) throw new PayloadCodecError(`payload codec key "${id}" has ${key.length} bytes; AES-256 needs ${KEY_BYTES}`);
    }
    if (!keys.has(currentKeyId)) throw new PayloadCodecError(`PAYLOAD_CODEC_KEY_ID "${currentKeyId}" names no loaded key`);
    this.keys = keys;
  }

  /**
   * Loads every `<keyId>.key` in `dir`. When the current key's file is missing: with `generateIfMissing` (development)
   * a new random key is written (0600); otherwise the process must not start, and the error says which variable to set.
   */
  static fromDir(dir: string, currentKeyId: string, opts: { generateIfMissing: boolean }): CodecKeyring {
    if (!KEY_ID.test(currentKeyId)) throw new PayloadCodecError(`PAYLOAD_CODEC_KEY_ID "${currentKeyId}" is not a valid key id (letters, digits, ".", "_", "-"; at most 64)`);
    const currentFile = path.join(dir, `${currentKeyId}.key`);
    if (!fs.existsSync(currentFile)) {
      if (!opts.generateIfMissing) {
        throw new PayloadCodecError(
          `PAYLOAD_CODEC_KEY_ID: no key file ${currentFile} (32 random bytes in base64, e.g. openssl rand -base64 32); set PAYLOAD_CODEC_KEYS_DIR to the folder that holds it`,
        );
      }
      writeNewKeyFile(dir, currentKeyId);
    }
    const keys = new Map<string, Buffer>();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.key'))) {
      const id = file.slice(0, -'.key'.length);
      if (!KEY_ID.test(id)) throw new PayloadCodecError(`PAYLOAD_CODEC_KEYS_DIR: "${file}" is not named <keyId>.key with a valid key id`);
      keys.set(id, parseKeyFile(path.join(dir, file)));
    }
    return new CodecKeyring(currentKeyId, keys);
  }

  get(keyId: string): Buffer | undefined {
    return this.keys.get(keyId);
  }

  get current(): Buffer {
    return this.keys.get(this.currentKeyId)!;
  }

  ids(): string[] {
    return [...this.keys.keys()].sort();
  }
}

function parseKeyFile(file: string): Buffer {
  const text = fs.readFileSync(file, 'utf8').trim();
  // Buffer.from(…, 'base64') skips characters it does not know; a typo must not silently make a different key.
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new PayloadCodecError(`PAYLOAD_CODEC_KEYS_DIR: ${file} must hold exactly ${KEY_BYTES} bytes in base64 (e.g. openssl rand -base64 32)`);
  }
  return key;
}

/** Writes a fresh key atomically: API and worker start together, and neither may ever read a half-written file. */
function writeNewKeyFile(dir: string, keyId: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${keyId}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  fs.writeFileSync(tmp, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, path.join(dir, `${keyId}.key`)); // fails if another process won the race: then use theirs
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.unlinkSync(tmp);
  }
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);
const additionalData = (keyId: string) => utf8(`${ENCRYPTED_ENCODING};${keyId}`);

/** True when the payload is one this codec wrote (whatever key). */
export function isEncrypted(p: Payload): boolean {
  return text(p.metadata?.encoding) === ENCRYPTED_ENCODING;
}

/** AES-256-GCM payload codec; see the module comment for the format. */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(readonly keyring: CodecKeyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encryptOne(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decryptOne(p));
  }

  encryptOne(p: Payload): Payload {
    const keyId = this.keyring.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyring.current, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(keyId));
    const plain = temporal.api.common.v1.Payload.encode(p).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId), [CIPHER_METADATA]: utf8(CIPHER) },
      data,
    };
  }

  decryptOne(p: Payload): Payload {
    if (!isEncrypted(p)) return p;
    const keyId = text(p.metadata?.[KEY_ID_METADATA]);
    if (keyId === undefined || !KEY_ID.test(keyId)) throw new PayloadCodecError(`an encrypted payload has no valid ${KEY_ID_METADATA}`);
    const key = this.keyring.get(keyId);
    if (!key) {
      throw new PayloadCodecError(
        `no payload codec key "${keyId}": put its file ${keyId}.key back in PAYLOAD_CODEC_KEYS_DIR (retired keys must stay while histories written with them exist)`,
      );
    }
    const data = Buffer.from(p.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadCodecError(`an encrypted payload (key "${keyId}") is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadCodecError(`an encrypted payload failed authentication with key "${keyId}": it was altered, or ${keyId}.key is not the key it was written with`);
    }
    const inner = temporal.api.common.v1.Payload.decode(plain);
    return { metadata: inner.metadata, data: inner.data };
  }
}

/** The codec from configuration. Production (`generateIfMissing: false`) refuses to start without its key. */
export function loadPayloadCodec(cfg: PayloadCodecConfig, opts: { generateIfMissing: boolean }): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(CodecKeyring.fromDir(cfg.keysDir, cfg.currentKeyId, opts));
}

/** The data converter of every client and worker: this codec plus the failure converter that encodes messages. */
export function payloadDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
}
