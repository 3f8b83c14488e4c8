/**
 * SM2 digital signatures over SM3 (GB/T 32918.2-2016, GB/T 32905-2016), with the distinguishing identifier of GM/T
 * 0009-2012 / GB/T 35276-2017 ("1234567812345678", ENTL 0x0080), as electronic seals and certificates use them.
 *
 * SM2 does not sign SM3(M): it signs e = SM3(Z_A || M), where Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)
 * binds the signer's identifier and public key. Node cannot set that identifier: its OpenSSL 3 signs SM2 keys with an
 * EMPTY identifier when none is set (EVP_PKEY_CTX_set1_id is not exposed), so `crypto.sign('sm3', …)` makes signatures
 * no standard verifier accepts (test/unit/sm2-signing.test.ts shows it). So:
 *
 * - Signing computes Z_A and e here, explicitly, with OpenSSL's SM3; the nonce point [k]G comes from OpenSSL (ECDH on
 *   the SM2 curve: constant-time scalar multiplication, k from the CSPRNG), and r, s follow the standard's steps A5-A6.
 * - Verification (`sm2Verify`, the public verify endpoint's hot path) computes Z_A and e with OpenSSL's SM3 and the
 *   point [s]G + [t]P with @noble/curves (audited constant-curve arithmetic, precomputed tables per issuer key): about
 *   1 ms, where sm-crypto's pure-JS arithmetic took about 100 ms per certificate, too slow for a public endpoint that
 *   a million certificates are checked against.
 * - `sm2VerifyReference` is an independent implementation, `sm-crypto` (its own SM3, Z_A and curve arithmetic), given
 *   the identifier explicitly rather than relying on its default. The signer checks itself against both when it loads
 *   a key, and the tests hold the two verifiers to the same answers.
 *
 * Both are checked against the standard's published examples (GB/T 32918.2 Annex A; GB/T 32918.5 / GM/T 0003.5 Annex
 * A), and against the OpenSSL command line with `-pkeyopt distid:1234567812345678`, in test/unit/sm2-signing.test.ts.
 * Signatures are DER `SEQUENCE { r INTEGER, s INTEGER }` (GM/T 0009 SM2Signature), as OpenSSL writes them.
 */
import { createECDH, createHash, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { weierstrassN, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass';
import { sm2 as smCrypto } from 'sm-crypto';

/** The standard's default distinguishing identifier (GM/T 0009-2012 §10; GB/T 35276-2017). */
export const SM2_DEFAULT_ID = '1234567812345678';

export interface Sm2Curve {
  p: bigint;
  a: bigint;
  b: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
}

/** The recommended curve, sm2p256v1 (GB/T 32918.5-2017). The only one this platform signs with. */
export const SM2_P256: Sm2Curve = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
};

// DER of the AlgorithmIdentifier { id-ecPublicKey (1.2.840.10045.2.1), sm2p256v1 (1.2.156.10197.1.301) }, as in the
// SPKI and PKCS#8 encodings of SM2 keys (GM/T 0010, GB/T 35275).
const SM2_ALGORITHM_ID = Buffer.from('301306072a8648ce3d020106082a811ccf5501822d', 'hex');

const bytes32 = (v: bigint): Buffer => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
const toBig = (b: Buffer): bigint => BigInt(`0x${b.toString('hex') || '0'}`);
const mod = (v: bigint, m: bigint): bigint => ((v % m) + m) % m;
function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}
/** n is prime: x^(n-2) is x's inverse (Fermat). */
const modInverse = (x: bigint, n: bigint): bigint => modPow(x, n - 2n, n);

/**
 * Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA) (GB/T 32918.2 §5.5). `publicKey` is the uncompressed point
 * 04 || xA || yA. ENTL is the identifier's length in bits, two bytes big-endian (0x0080 for the default identifier).
 */
export function sm2Za(publicKey: Buffer, id: string = SM2_DEFAULT_ID, curve: Sm2Curve = SM2_P256): Buffer {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) throw new Error('an SM2 public key must be an uncompressed point (65 bytes, 04 || x || y)');
  const idBytes = Buffer.from(id, 'utf8');
  if (idBytes.length * 8 > 0xffff) throw new Error('SM2 identifier too long');
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(idBytes.length * 8);
  return createHash('sm3')
    .update(Buffer.concat([entl, idBytes, bytes32(curve.a), bytes32(curve.b), bytes32(curve.gx), bytes32(curve.gy), publicKey.subarray(1)]))
    .digest();
}

/** e = SM3(Z_A || M): what SM2 actually signs (GB/T 32918.2 §6.1, steps A1-A2). */
export function sm2Digest(message: Buffer, publicKey: Buffer, id: string = SM2_DEFAULT_ID, curve: Sm2Curve = SM2_P256): Buffer {
  return createHash('sm3').update(sm2Za(publicKey, id, curve)).update(message).digest();
}

/** A nonce k in [1, n-1], uniformly, from the CSPRNG (rejection sampling: no modulo bias). */
function randomNonce(): bigint {
  for (;;) {
    const k = toBig(randomBytes(32));
    if (k >= 1n && k < SM2_P256.n) return k;
  }
}

/** x1 of [k]G on sm2p256v1, by OpenSSL. */
function nonceX(k: bigint): bigint {
  const ecdh = createECDH('SM2');
  ecdh.setPrivateKey(bytes32(k));
  return toBig(ecdh.getPublicKey().subarray(1, 33));
}

function derInteger(v: bigint): Buffer {
  let b = Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i += 1;
  b = b.subarray(i);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return Buffer.concat([Buffer.from([0x02, b.length]), b]);
}

/** DER SEQUENCE { r INTEGER, s INTEGER } (both below 2^256, so every length fits one byte). */
export function encodeSm2Signature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/**
 * Steps A3-A7 of GB/T 32918.2 §6.1 on the digest e: r = (e + x1) mod n, s = (1 + d)^-1 (k - r d) mod n, new k when
 * r = 0, r + k = n or s = 0. `nonce` is injectable for the standard's worked example only (its fixed k); the platform
 * always uses the CSPRNG.
 */
export function sm2SignDigest(e: Buffer, d: bigint, nonce: () => bigint = randomNonce): { r: bigint; s: bigint } {
  const { n } = SM2_P256;
  if (d < 1n || d > n - 2n) throw new Error('SM2 private key out of range [1, n-2]');
  const eInt = toBig(e);
  const inverse = modInverse(1n + d, n);
  for (;;) {
    const k = nonce();
    const r = mod(eInt + nonceX(k), n);
    if (r === 0n || r + k === n) continue;
    const s = mod(inverse * (k - r * d), n);
    if (s === 0n) continue;
    return { r, s };
  }
}

// ---- keys ----

interface Tlv {
  tag: number;
  value: Buffer;
  end: number;
}
/** One DER element at `at` (definite lengths up to 4 bytes, which is all a key needs). */
function readTlv(buf: Buffer, at: number): Tlv {
  const tag = buf[at];
  let len = buf[at + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated DER');
  let start = at + 2;
  if (len & 0x80) {
    const octets = len & 0x7f;
    if (octets < 1 || octets > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < octets; i++) len = len * 256 + buf[start + i]!;
    start += octets;
  }
  if (start + len > buf.length) throw new Error('truncated DER');
  return { tag, value: buf.subarray(start, start + len), end: start + len };
}
/** The elements of a SEQUENCE's content. */
function children(content: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < content.length; ) {
    const t = readTlv(content, at);
    out.push(t);
    at = t.end;
  }
  return out;
}

const spkiOf = (key: KeyObject): Buffer => (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });

/** Whether `key` (public or private) is an SM2 key on sm2p256v1. OpenSSL 3 gives such keys no Node key type. */
export function isSm2Key(key: KeyObject): boolean {
  if (key.type === 'secret' || key.asymmetricKeyType === 'ed25519') return false;
  try {
    const [algorithm] = children(readTlv(spkiOf(key), 0).value);
    return !!algorithm && algorithm.tag === 0x30 && Buffer.concat([Buffer.from([0x30, algorithm.value.length]), algorithm.value]).equals(SM2_ALGORITHM_ID);
  } catch {
    return false;
  }
}

/** The public point 04 || x || y of an SM2 key (public or private). */
export function sm2PublicPoint(key: KeyObject): Buffer {
  const [, bits] = children(readTlv(spkiOf(key), 0).value);
  // BIT STRING: one byte of unused bits (0), then the point.
  const point = bits?.value.subarray(1);
  if (!point || point.length !== 65 || point[0] !== 0x04) throw new Error('not an uncompressed SM2 public key');
  return Buffer.from(point);
}

/** The private scalar d of an SM2 private key (PKCS#8 PrivateKeyInfo around an ECPrivateKey, RFC 5915). */
export function sm2PrivateScalar(key: KeyObject): bigint {
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const [, , privateKey] = children(readTlv(der, 0).value);
  if (!privateKey || privateKey.tag !== 0x04) throw new Error('not a PKCS#8 private key');
  const [, d] = children(readTlv(privateKey.value, 0).value);
  if (!d || d.tag !== 0x04) throw new Error('not an EC private key');
  return toBig(d.value);
}

/** A new SM2 key pair on sm2p256v1 (PKCS#8 / SPKI with the SM2 curve identifier). */
export function generateSm2PrivateKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'SM2' }).privateKey;
}

// ---- sign and verify ----

/** SM2 over SM3 of `message` with the default identifier: the DER signature. */
export function sm2Sign(message: Buffer, privateKey: KeyObject): Buffer {
  const { r, s } = sm2SignDigest(sm2Digest(message, sm2PublicPoint(privateKey)), sm2PrivateScalar(privateKey));
  return encodeSm2Signature(r, s);
}

/** sm2p256v1's points (point arithmetic only: no ECDSA, whose hash and equations are not SM2's). */
const Sm2Points = weierstrassN({ p: SM2_P256.p, n: SM2_P256.n, h: 1n, a: SM2_P256.a, b: SM2_P256.b, Gx: SM2_P256.gx, Gy: SM2_P256.gy });
type Sm2Point = WeierstrassPoint<bigint>;

/** Per issuer key and identifier: its point with precomputed multiples and its Z_A. A platform has a handful of keys. */
const verifierCache = new Map<string, { point: Sm2Point; za: Buffer }>();
const VERIFIER_CACHE_LIMIT = 64;

function verifierFor(point: Buffer, id: string): { point: Sm2Point; za: Buffer } {
  const cacheKey = `${point.toString('hex')}/${id}`;
  let entry = verifierCache.get(cacheKey);
  if (!entry) {
    const p = Sm2Points.fromHex(point.toString('hex'));
    p.assertValidity();
    // An 8-bit window table: a few ms once per key, then each verify's [t]P costs a fraction of a plain multiply.
    p.precompute(8);
    entry = { point: p, za: sm2Za(point, id) };
    if (verifierCache.size >= VERIFIER_CACHE_LIMIT) verifierCache.delete(verifierCache.keys().next().value!);
    verifierCache.set(cacheKey, entry);
  }
  return entry;
}

/** The public point of a key object, exported once per object (the key ring hands out the same objects). */
const pointsOfKeys = new WeakMap<KeyObject, Buffer>();
function publicPointOf(key: KeyObject): Buffer {
  let point = pointsOfKeys.get(key);
  if (!point) {
    point = sm2PublicPoint(key);
    pointsOfKeys.set(key, point);
  }
  return point;
}

/** r and s of a strict DER SM2Signature (the canonical encoding only: anything else is refused, not repaired). */
function decodeSm2Signature(der: Buffer): { r: bigint; s: bigint } | undefined {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) return undefined;
  const parts = children(outer.value);
  if (parts.length !== 2 || parts.some((p) => p.tag !== 0x02)) return undefined;
  const r = toBig(parts[0]!.value);
  const s = toBig(parts[1]!.value);
  return encodeSm2Signature(r, s).equals(der) ? { r, s } : undefined;
}

/**
 * GB/T 32918.2 §7.1, steps B1-B7: r, s in [1, n-1]; e = SM3(Z_A || M'); t = (r + s) mod n, not 0;
 * (x1, y1) = [s]G + [t]P_A; valid when (e + x1) mod n = r. Strict DER; false on any malformed input.
 */
export function sm2Verify(message: Buffer, signatureDer: Buffer, publicKey: KeyObject | Buffer, id: string = SM2_DEFAULT_ID): boolean {
  try {
    const { n } = SM2_P256;
    const rs = decodeSm2Signature(signatureDer);
    if (!rs || rs.r < 1n || rs.r >= n || rs.s < 1n || rs.s >= n) return false;
    const { point, za } = verifierFor(Buffer.isBuffer(publicKey) ? publicKey : publicPointOf(publicKey), id);
    const e = toBig(createHash('sm3').update(za).update(message).digest());
    const t = mod(rs.r + rs.s, n);
    if (t === 0n) return false;
    // Public inputs only, so the variable-time double multiplication (Shamir's trick) is safe here.
    const sum = Sm2Points.BASE.multiplyAndAddUnsafe(point, rs.s, t);
    if (!sum) return false;
    return mod(e + sum.toAffine().x, n) === rs.r;
  } catch {
    return false;
  }
}

/**
 * Verification by the independent implementation (sm-crypto): SM3, Z_A (with the identifier given explicitly) and the
 * curve arithmetic are its own. Strict DER; false on any malformed input. Slow (~100 ms): for self-checks and tests.
 */
export function sm2VerifyReference(message: Buffer, signatureDer: Buffer, publicKey: KeyObject | Buffer, id: string = SM2_DEFAULT_ID): boolean {
  try {
    const point = Buffer.isBuffer(publicKey) ? publicKey : sm2PublicPoint(publicKey);
    return smCrypto.doVerifySignature(Array.from(message), signatureDer.toString('hex'), point.toString('hex'), { der: true, hash: true, userId: id });
  } catch {
    return false;
  }
}
