import fs from 'node:fs';
import { fatalMessage } from '../../infra/process';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { codecEndpointConfig } from '../../api/routes/codec';
import { PROJECT_ROOT, loadConfig } from '../../infra/config';
import {
  type AesGcmPayloadCodec,
  CodecKeyring,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadCodecError,
  isEncrypted,
  loadPayloadCodec,
} from '../../infra/temporal/codec';
import { failureConverter } from '../../infra/temporal/failure-converter';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-codec-'));
const writeKey = (dir: string, id: string, key = randomBytes(32)) => fs.writeFileSync(path.join(dir, `${id}.key`), key.toString('base64'));
const text = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('utf8');

// Personal data of the kind that flows through the workflows.
const SECRET = { driver: '张三', idCard: '370802198001011234', plate: '鲁H12345', creditCode: '91370800MA3C5XXX0X' };
const plain = (): Payload[] => [defaultPayloadConverter.toPayload(SECRET), defaultPayloadConverter.toPayload(undefined), defaultPayloadConverter.toPayload(new Uint8Array([1, 2, 3]))];

function codecIn(dir: string, current: string): AesGcmPayloadCodec {
  return loadPayloadCodec({ keysDir: dir, currentKeyId: current }, { generateIfMissing: false });
}

describe('payload codec (AES-256-GCM)', () => {
  it('round-trips every payload, metadata included, and leaves no plaintext on the wire', async () => {
    const dir = tmp();
    writeKey(dir, 'k1');
    const codec = codecIn(dir, 'k1');
    const encoded = await codec.encode(plain());
    for (const p of encoded) {
      expect(text(p.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata?.[KEY_ID_METADATA])).toBe('k1');
      expect(Buffer.from(p.data!).includes(Buffer.from(SECRET.plate))).toBe(false);
      expect(Buffer.from(p.data!).includes(Buffer.from('json/plain'))).toBe(false); // the original metadata is inside too
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([SECRET, undefined, new Uint8Array([1, 2, 3])]);
    expect(decoded.map((p) => text(p.metadata?.encoding))).toEqual(['json/plain', 'binary/null', 'binary/plain']);
  });

  it('uses a fresh 96-bit IV per payload: the same value encrypts differently each time', async () => {
    const dir = tmp();
    writeKey(dir, 'k1');
    const codec = codecIn(dir, 'k1');
    const [a, b] = await codec.encode([defaultPayloadConverter.toPayload(SECRET), defaultPayloadConverter.toPayload(SECRET)]);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('detects tampering: a flipped byte anywhere (IV, ciphertext, tag) or a swapped key id fails to decode', async () => {
    const dir = tmp();
    writeKey(dir, 'k1');
    writeKey(dir, 'k2');
    const codec = codecIn(dir, 'k1');
    const [p] = await codec.encode([defaultPayloadConverter.toPayload(SECRET)]);
    const data = Buffer.from(p!.data!);
    for (const at of [0, 11, 12, Math.floor(data.length / 2), data.length - 1]) {
      const flipped = Buffer.from(data);
      flipped[at] = flipped[at]! ^ 0x01;
      await expect(codec.decode([{ ...p, data: flipped }])).rejects.toThrow(/failed authentication with key "k1"/);
    }
    const relabelled = { ...p, metadata: { ...p!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(PayloadCodecError);
    await expect(codec.decode([{ ...p, data: data.subarray(0, 20) }])).rejects.toThrow(/truncated/);
  });

  it('names an unknown key id clearly, without key material or plaintext in the message', async () => {
    const a = tmp();
    writeKey(a, 'old-1');
    const [p] = await codecIn(a, 'old-1').encode([defaultPayloadConverter.toPayload(SECRET)]);
    const b = tmp();
    const keyB = randomBytes(32);
    writeKey(b, 'new-1', keyB);
    const err = await codecIn(b, 'new-1').decode([p!]).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(PayloadCodecError);
    expect(err!.message).toMatch(/no payload codec key "old-1".*old-1\.key.*PAYLOAD_CODEC_KEYS_DIR/);
    for (const leak of [...Object.values(SECRET), keyB.toString('base64'), keyB.toString('hex')]) expect(err!.message).not.toContain(leak);
  });

  it('rotates: payloads written with the old key still decode after the current key changes; new ones use the new key', async () => {
    const dir = tmp();
    writeKey(dir, '2026-01');
    const [old] = await codecIn(dir, '2026-01').encode([defaultPayloadConverter.toPayload(SECRET)]);
    writeKey(dir, '2026-07');
    const rotated = codecIn(dir, '2026-07');
    expect(rotated.keyring.ids()).toEqual(['2026-01', '2026-07']);
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload(SECRET)]);
    expect(text(fresh!.metadata?.[KEY_ID_METADATA])).toBe('2026-07');
    expect((await rotated.decode([old!, fresh!])).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([SECRET, SECRET]);
  });

  it('passes plain payloads through decoding (histories and cases from before the codec)', async () => {
    const dir = tmp();
    writeKey(dir, 'k1');
    const codec = codecIn(dir, 'k1');
    const before = plain();
    expect(before.some(isEncrypted)).toBe(false);
    const after = await codec.decode(before);
    expect(after).toEqual(before);
    expect(defaultPayloadConverter.fromPayload(after[0]!)).toEqual(SECRET);
  });
});

describe('codec keys', () => {
  it('development: a missing current key is generated once (32 bytes, base64, 0600) and reused by the next process', () => {
    const dir = path.join(tmp(), 'codec');
    const a = CodecKeyring.fromDir(dir, 'dev-1', { generateIfMissing: true });
    const file = path.join(dir, 'dev-1.key');
    expect(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const b = CodecKeyring.fromDir(dir, 'dev-1', { generateIfMissing: true });
    expect(b.current.equals(a.current)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['dev-1.key']); // no temporary files left behind
  });

  it('production: a missing key refuses to start with one line naming the variable', () => {
    const dir = tmp();
    expect(() => CodecKeyring.fromDir(dir, 'prod-1', { generateIfMissing: false })).toThrow(/^PAYLOAD_CODEC_KEY_ID: no key file .*prod-1\.key.*PAYLOAD_CODEC_KEYS_DIR[^\n]*$/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a short or malformed key file is refused, naming the variable and the file but not its content', () => {
    for (const content of [randomBytes(16).toString('base64'), randomBytes(31).toString('base64'), `${randomBytes(32).toString('base64')}!`, 'not base64 at all']) {
      const dir = tmp();
      fs.writeFileSync(path.join(dir, 'prod-1.key'), content);
      let message = '';
      try {
        CodecKeyring.fromDir(dir, 'prod-1', { generateIfMissing: false });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^PAYLOAD_CODEC_KEYS_DIR: .*prod-1\.key must hold exactly 32 bytes/);
      expect(message).not.toContain(content);
    }
  });

  it('a key id that is not a plain name is refused', () => {
    expect(() => CodecKeyring.fromDir(tmp(), '../etc/passwd', { generateIfMissing: true })).toThrow(/PAYLOAD_CODEC_KEY_ID ".*" is not a valid key id/);
  });

  it('is configured from PAYLOAD_CODEC_KEYS_DIR and PAYLOAD_CODEC_KEY_ID, defaulting to .data/keys/codec and dev-1', () => {
    const defaults = loadConfig({});
    expect(defaults.payloadCodec.keysDir.endsWith(path.join('.data', 'keys', 'codec'))).toBe(true);
    expect(defaults.payloadCodec.currentKeyId).toBe('dev-1');
    expect(defaults.payloadCodec.uiOrigins).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    const set = loadConfig({ PAYLOAD_CODEC_KEYS_DIR: '/run/secrets/codec', PAYLOAD_CODEC_KEY_ID: 'prod-2', PAYLOAD_CODEC_UI_ORIGINS: 'https://temporal.ops.example' });
    expect(set.payloadCodec).toMatchObject({ keysDir: '/run/secrets/codec', currentKeyId: 'prod-2', uiOrigins: ['https://temporal.ops.example'] });
  });
});

describe('failure converter', () => {
  it('moves failure messages and stack traces into a payload, so the codec encrypts them', async () => {
    const dir = tmp();
    writeKey(dir, 'k1');
    const failure = failureConverter.errorToFailure(new Error(`driver ${SECRET.driver} ${SECRET.idCard} not found`), defaultPayloadConverter);
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    const [encrypted] = await codecIn(dir, 'k1').encode([failure.encodedAttributes!]);
    expect(Buffer.from(encrypted!.data!).includes(Buffer.from(SECRET.idCard))).toBe(false);
    const [back] = await codecIn(dir, 'k1').decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload<{ message: string }>(back!).message).toContain(SECRET.idCard);
  });
});

describe('encode/decode cost', () => {
  it('is small beside a Temporal round trip (measured, printed)', async () => {
    const dir = tmp();
    writeKey(dir, 'k1');
    const codec = codecIn(dir, 'k1');
    // About the size of the largest payloads the workflows carry (the oversize pre-review report).
    const big = defaultPayloadConverter.toPayload({ report: Array.from({ length: 21 }, (_, i) => ({ id: `C${i}`, title: '限高检查'.repeat(4), explanation: 'x'.repeat(200) })) });
    const n = 2000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await codec.decode(await codec.encode([big]));
    const perRoundTripUs = Number(process.hrtime.bigint() - t0) / 1000 / n;
    console.log(`payload codec: ${(big.data!.length / 1024).toFixed(1)} KiB payload, encode+decode ${perRoundTripUs.toFixed(1)} µs`);
    expect(perRoundTripUs).toBeLessThan(2000); // generous: a shared 2-core machine; a Temporal round trip is milliseconds
  });
});

describe('codec endpoint settings', () => {
  const dir = tmp();
  writeKey(dir, 'k1');
  const codec = codecIn(dir, 'k1');
  const warnings: string[] = [];
  const warn = (line: string) => warnings.push(line);

  it('refuses the development secret in production, with one line naming the variable', () => {
    expect(() => codecEndpointConfig(codec, { uiOrigins: [], devSecret: 's' }, { production: true, apiHost: '127.0.0.1', warn })).toThrow(
      /^PAYLOAD_CODEC_DEV_SECRET is for development only/,
    );
  });

  it('enables the development secret only with the API on loopback', () => {
    expect(codecEndpointConfig(codec, { uiOrigins: [], devSecret: 's' }, { production: false, apiHost: '127.0.0.1', warn }).devSecret).toBe('s');
    expect(codecEndpointConfig(codec, { uiOrigins: [], devSecret: 's' }, { production: false, apiHost: '0.0.0.0', warn }).devSecret).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/API_HOST 0\.0\.0\.0 is not loopback/);
    expect(warnings.join('\n')).not.toContain("'s'");
  });
});

describe('production start without a codec key', () => {
  // The real entry points, before they touch PostgreSQL or Temporal: the key is checked first.
  it.each(['worker/main.ts', 'api/main.ts'])('%s exits 1 with one line naming the variable (missing key, then a short key)', (entry) => {
    const dir = tmp();
    const run = () =>
      spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, entry)], {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          PAYLOAD_CODEC_KEYS_DIR: dir,
          PAYLOAD_CODEC_KEY_ID: 'prod-1',
          JWT_SECRET: randomBytes(32).toString('hex'),
          DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', // never reached
          TEMPORAL_ADDRESS: '127.0.0.1:1',
        },
      });
    const missing = run();
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(fatalMessage(missing.stderr)).toMatch(/^(api|worker): PAYLOAD_CODEC_KEY_ID: no key file \S+prod-1\.key [^\n]*PAYLOAD_CODEC_KEYS_DIR[^\n]*$/);
    expect(fs.readdirSync(dir)).toEqual([]); // nothing generated in production

    const short = randomBytes(16).toString('base64');
    fs.writeFileSync(path.join(dir, 'prod-1.key'), short);
    const tooShort = run();
    expect(tooShort.status).toBe(1);
    expect(fatalMessage(tooShort.stderr)).toMatch(/^(api|worker): PAYLOAD_CODEC_KEYS_DIR: \S+prod-1\.key must hold exactly 32 bytes[^\n]*$/);
    expect(tooShort.stderr).not.toContain(short);
  });
});
