/**
 * SM2 over SM3 (infra/signing/sm2.ts) against the examples published with the standard, and across three independent
 * implementations: the platform's signer (Z_A and e here, [k]G by OpenSSL), sm-crypto (the platform's verifier) and
 * the OpenSSL command line with the distinguishing identifier set explicitly.
 *
 * Vectors:
 * - GB/T 32918.2-2016 Annex A (also draft-shen-sm2-ecdsa-02): the 256-bit SAMPLE curve (not the recommended one),
 *   ID "ALICE123@YAHOO.COM", message "message digest". Checked here: Z_A and e, which test the Z_A construction on
 *   any curve.
 * - GB/T 32918.5-2017 / GM/T 0003.5-2012 Annex A: the recommended curve sm2p256v1, the default ID "1234567812345678",
 *   message "message digest", with the example's fixed k. Checked here: Z_A, e, the exact r and s, and the published
 *   signature verifying (and failing under another ID).
 */
import { createPrivateKey, createPublicKey, sign as nodeSign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sm2 as smCrypto } from 'sm-crypto';
import { CertificateSigner, canonicalJson, verifyCertificateSignature } from '../../infra/signing/certificate-signer';
import {
  SM2_DEFAULT_ID,
  SM2_P256,
  encodeSm2Signature,
  generateSm2PrivateKey,
  sm2Digest,
  sm2PrivateScalar,
  sm2PublicPoint,
  sm2Sign,
  sm2SignDigest,
  sm2Verify,
  sm2VerifyReference,
  sm2Za,
  type Sm2Curve,
} from '../../infra/signing/sm2';

const hex = (h: string) => Buffer.from(h.replace(/\s/g, ''), 'hex');
const big = (h: string) => BigInt(`0x${h.replace(/\s/g, '')}`);
const MESSAGE = Buffer.from('message digest', 'ascii');

/** GB/T 32918.2-2016 Annex A: the sample Fp-256 curve and key. */
const SAMPLE_CURVE: Sm2Curve = {
  p: big('8542D69E 4C044F18 E8B92435 BF6FF7DE 45728391 5C45517D 722EDB8B 08F1DFC3'),
  a: big('787968B4 FA32C3FD 2417842E 73BBFEFF 2F3C848B 6831D7E0 EC65228B 3937E498'),
  b: big('63E4C6D3 B23B0C84 9CF84241 484BFE48 F61D59A5 B16BA06E 6E12D1DA 27C5249A'),
  n: big('8542D69E 4C044F18 E8B92435 BF6FF7DD 29772063 0485628D 5AE74EE7 C32E79B7'),
  gx: big('421DEBD6 1B62EAB6 746434EB C3CC315E 32220B3B ADD50BDC 4C4E6C14 7FEDD43D'),
  gy: big('0680512B CBB42C07 D47349D2 153B70C4 E5D7FDFC BFA36EA1 A85841B9 E46E09A2'),
};
const SAMPLE = {
  id: 'ALICE123@YAHOO.COM',
  publicKey: hex(
    '04 0AE4C779 8AA0F119 471BEE11 825BE462 02BB79E2 A5844495 E97C04FF 4DF2548A 7C0240F8 8F1CD4E1 6352A73C 17B7F16F 07353E53 A176D684 A9FE0C6B B798E857',
  ),
  za: 'F4A38489E32B45B6F876E3AC2168CA392362DC8F23459C1D1146FC3DBFB7BC9A',
  e: 'B524F552CD82B8B028476E005C377FB19A87E6FC682D48BB5D42E3D9B9EFFE76',
};

/** GB/T 32918.5-2017 / GM/T 0003.5-2012 Annex A: the recommended curve, the default ID. */
const RECOMMENDED = {
  d: big('3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8'),
  publicKey: hex(
    '04 09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020 CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13',
  ),
  za: 'B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3',
  e: 'F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640',
  k: big('59276E27 D506861A 16680F3A D9C02DCC EF3CC1FA 3CDBE4CE 6D54B80D EAC1BC21'),
  r: big('F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3'),
  s: big('B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA'),
};

// The example's key as PEM (PKCS#8 / SPKI with the SM2 curve identifier), built from its raw values.
const SM2_ALG_ID = '301306072a8648ce3d020106082a811ccf5501822d';
const examplePrivateKey = createPrivateKey({
  key: hex(`308187020100${SM2_ALG_ID}046d306b0201010420${RECOMMENDED.d.toString(16).padStart(64, '0')}a144034200${RECOMMENDED.publicKey.toString('hex')}`),
  format: 'der',
  type: 'pkcs8',
});
const examplePublicKey = createPublicKey({ key: hex(`3059${SM2_ALG_ID}034200${RECOMMENDED.publicKey.toString('hex')}`), format: 'der', type: 'spki' });
const publishedSignature = encodeSm2Signature(RECOMMENDED.r, RECOMMENDED.s);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-sm2-'));
let files = 0;
/** The OpenSSL command line verifies (exit 0) or not, with `distid` as the distinguishing identifier when given. */
function opensslVerifies(message: Buffer, signature: Buffer, publicKeyPem: string, distid?: string): boolean {
  const n = (files += 1);
  const [msg, sig, pub] = ['msg', 'sig', 'pem'].map((ext) => path.join(tmp, `${n}.${ext}`)) as [string, string, string];
  fs.writeFileSync(msg, message);
  fs.writeFileSync(sig, signature);
  fs.writeFileSync(pub, publicKeyPem);
  const args = ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-digest', 'sm3', '-in', msg, '-sigfile', sig];
  try {
    execFileSync('openssl', distid === undefined ? args : [...args, '-pkeyopt', `distid:${distid}`], { stdio: 'pipe' });
    return true;
  } catch (err) {
    // Exit 1 with "Signature Verification Failure" is a verdict; anything else (no openssl, no SM2) is a broken test.
    if (/Verification Failure/.test(String((err as { stdout?: Buffer }).stdout))) return false;
    throw err;
  }
}
const pemOf = (key: ReturnType<typeof createPublicKey>) => key.export({ type: 'spki', format: 'pem' }).toString();
const smCryptoSign = (message: Buffer, key: ReturnType<typeof createPrivateKey>, userId?: string) =>
  Buffer.from(
    smCrypto.doSignature(Array.from(message), sm2PrivateScalar(key).toString(16).padStart(64, '0'), {
      der: true,
      hash: true,
      publicKey: sm2PublicPoint(key).toString('hex'),
      ...(userId === undefined ? {} : { userId }),
    }),
    'hex',
  );

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the standard\'s published examples', () => {
  it('GB/T 32918.2 Annex A (sample curve, ID ALICE123@YAHOO.COM, ENTL 0x0090): Z_A and e = SM3(Z_A || M)', () => {
    expect(sm2Za(SAMPLE.publicKey, SAMPLE.id, SAMPLE_CURVE).toString('hex').toUpperCase()).toBe(SAMPLE.za);
    expect(sm2Digest(MESSAGE, SAMPLE.publicKey, SAMPLE.id, SAMPLE_CURVE).toString('hex').toUpperCase()).toBe(SAMPLE.e);
  });

  it('GB/T 32918.5 Annex A (recommended curve, default ID 1234567812345678, ENTL 0x0080): Z_A and e', () => {
    expect(Buffer.byteLength(SM2_DEFAULT_ID) * 8).toBe(0x80);
    expect(sm2PublicPoint(examplePrivateKey).equals(RECOMMENDED.publicKey)).toBe(true); // d and P of the example agree
    expect(sm2Za(RECOMMENDED.publicKey).toString('hex').toUpperCase()).toBe(RECOMMENDED.za);
    expect(sm2Digest(MESSAGE, RECOMMENDED.publicKey).toString('hex').toUpperCase()).toBe(RECOMMENDED.e);
    // The curve constants are the recommended curve's (they enter Z_A).
    expect(sm2Za(RECOMMENDED.publicKey, SM2_DEFAULT_ID, { ...SM2_P256, b: SM2_P256.b + 1n }).toString('hex').toUpperCase()).not.toBe(RECOMMENDED.za);
  });

  it('the signer, given the example\'s k, produces exactly the published r and s', () => {
    const { r, s } = sm2SignDigest(hex(RECOMMENDED.e), RECOMMENDED.d, () => RECOMMENDED.k);
    expect(r.toString(16).toUpperCase()).toBe(RECOMMENDED.r.toString(16).toUpperCase());
    expect(s.toString(16).toUpperCase()).toBe(RECOMMENDED.s.toString(16).toUpperCase());
  });

  it('the published signature verifies with the platform, sm-crypto and OpenSSL (distid set), and fails under any other ID', () => {
    expect(sm2Verify(MESSAGE, publishedSignature, examplePublicKey)).toBe(true);
    expect(sm2VerifyReference(MESSAGE, publishedSignature, examplePublicKey)).toBe(true);
    expect(sm2VerifyReference(MESSAGE, publishedSignature, examplePublicKey, 'ALICE123@YAHOO.COM')).toBe(false);
    expect(opensslVerifies(MESSAGE, publishedSignature, pemOf(examplePublicKey), SM2_DEFAULT_ID)).toBe(true);
    expect(sm2Verify(MESSAGE, publishedSignature, examplePublicKey, 'ALICE123@YAHOO.COM')).toBe(false);
    expect(sm2Verify(MESSAGE, publishedSignature, examplePublicKey, '')).toBe(false);
    expect(opensslVerifies(MESSAGE, publishedSignature, pemOf(examplePublicKey), '1234567812345679')).toBe(false);
    // Without distid OpenSSL 3 uses an EMPTY identifier, not the standard's default: why the platform sets it itself.
    expect(opensslVerifies(MESSAGE, publishedSignature, pemOf(examplePublicKey))).toBe(false);
  });
});

describe('four implementations agree, on the recommended curve (signer, verifier, sm-crypto, OpenSSL)', () => {
  const key = generateSm2PrivateKey();
  const pub = createPublicKey(key);
  const payload = Buffer.from(canonicalJson({ no: 'JN-SCHOOLBUS-20261126-000001-C1', holder: { name: '济宁市任城区实验小学' }, validUntil: '2029-11-25' }), 'utf8');

  it('the platform signs: its verifier, sm-crypto and OpenSSL (distid 1234567812345678) verify', () => {
    const sig = sm2Sign(payload, key);
    expect(sm2Verify(payload, sig, pub)).toBe(true);
    expect(sm2VerifyReference(payload, sig, pub)).toBe(true);
    expect(opensslVerifies(payload, sig, pemOf(pub), SM2_DEFAULT_ID)).toBe(true);
  });

  it('sm-crypto signs (its default ID): the platform\'s verification and OpenSSL accept it', () => {
    const sig = smCryptoSign(payload, key);
    expect(verifyCertificateSignature(payload.toString('utf8'), sig.toString('base64'), pemOf(pub))).toBe(true);
    expect(opensslVerifies(payload, sig, pemOf(pub), SM2_DEFAULT_ID)).toBe(true);
  });

  it('a one-byte change to the payload fails, in every implementation', () => {
    const sig = sm2Sign(payload, key);
    const changed = Buffer.from(payload);
    changed[10] = changed[10]! ^ 0x01;
    expect(sm2Verify(changed, sig, pub)).toBe(false);
    expect(verifyCertificateSignature(changed.toString('utf8'), sig.toString('base64'), pemOf(pub))).toBe(false);
    expect(opensslVerifies(changed, sig, pemOf(pub), SM2_DEFAULT_ID)).toBe(false);
  });

  it('a wrong distinguishing ID fails both ways', () => {
    expect(sm2Verify(payload, sm2Sign(payload, key), pub, 'ALICE123@YAHOO.COM')).toBe(false);
    const signedForAlice = smCryptoSign(payload, key, 'ALICE123@YAHOO.COM');
    expect(sm2Verify(payload, signedForAlice, pub, 'ALICE123@YAHOO.COM')).toBe(true); // a valid signature, for another ID
    expect(verifyCertificateSignature(payload.toString('utf8'), signedForAlice.toString('base64'), pemOf(pub))).toBe(false);
  });

  it('Node\'s own crypto.sign("sm3") signs with an empty ID: the platform rejects such a signature', () => {
    const reloaded = createPrivateKey(key.export({ type: 'pkcs8', format: 'pem' })); // an SM2-type key, as a PEM file loads
    const sig = nodeSign('sm3', payload, reloaded);
    expect(sm2Verify(payload, sig, pub, '')).toBe(true);
    expect(verifyCertificateSignature(payload.toString('utf8'), sig.toString('base64'), pemOf(pub))).toBe(false);
  });

  it('20 signatures of different payloads all verify (DER integers of every length), and each is new (random k)', () => {
    const sigs = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const m = Buffer.from(`${payload.toString('utf8')}#${i}`, 'utf8');
      const sig = sm2Sign(m, key);
      expect(sm2Verify(m, sig, pub)).toBe(true);
      sigs.add(sig.toString('hex'));
    }
    expect(sigs.size).toBe(20);
    expect(sm2Sign(payload, key).equals(sm2Sign(payload, key))).toBe(false);
  });

  it('the fast verifier and sm-crypto give the same answer on valid, altered and foreign signatures', () => {
    const other = createPublicKey(generateSm2PrivateKey());
    for (let i = 0; i < 12; i++) {
      const m = Buffer.from(`${payload.toString('utf8')}@${i}`, 'utf8');
      const sig = sm2Sign(m, key);
      const altered = Buffer.from(sig);
      altered[altered.length - 1] = altered[altered.length - 1]! ^ (1 << i % 8);
      for (const [msg, s, k] of [[m, sig, pub], [m, altered, pub], [payload, sig, pub], [m, sig, other]] as const) {
        expect(sm2Verify(msg, s, k)).toBe(sm2VerifyReference(msg, s, k));
      }
      expect(sm2Verify(m, sig, pub)).toBe(true);
    }
  });

  it('malformed signatures are false, never a crash: not DER, trailing bytes, r = 0, s = n', () => {
    const sig = sm2Sign(payload, key);
    for (const bad of [
      Buffer.from('not a signature'),
      Buffer.concat([sig, Buffer.from([0])]),
      encodeSm2Signature(0n, 1n),
      encodeSm2Signature(1n, SM2_P256.n),
      Buffer.alloc(0),
      // A non-minimal DER integer (a needless leading zero) is not the canonical encoding: refused, not repaired.
      Buffer.concat([Buffer.from([0x30, sig[1]! + 1, 0x02, sig[3]! + 1, 0x00]), sig.subarray(4)]),
    ]) {
      expect(sm2Verify(payload, bad, pub)).toBe(false);
    }
  });
});

describe('the certificate signer (SM2 by default)', () => {
  it('a generated key is SM2; what it signs verifies offline with its PEM public key, in the platform and in OpenSSL', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'signer-'));
    const signer = CertificateSigner.fromFile(path.join(dir, 'k.pem'), 'k1', true);
    expect(signer.algorithm).toBe('SM2-SM3');
    const body = canonicalJson({ no: 'X-1', alg: signer.algorithm, keyId: signer.keyId });
    const sig = signer.sign(body);
    expect(verifyCertificateSignature(body, sig, signer.publicKeyPem)).toBe(true);
    expect(opensslVerifies(Buffer.from(body, 'utf8'), Buffer.from(sig, 'base64'), signer.publicKeyPem, SM2_DEFAULT_ID)).toBe(true);
  });
});
