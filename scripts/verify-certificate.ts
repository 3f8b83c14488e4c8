/**
 * Offline verification of a OneStop certificate, for applicants and auditors: no database, no network, no API.
 *
 *   npm run verify-certificate -- <certificate.json | payload file> --key <public key PEM> [--signature <base64>]
 *
 * - `certificate.json` is what `GET /api/v1/certificates/{no}` returns (it carries `payload`, `signature`,
 *   `signatureAlgorithm` and `keyId`); a payload file is the exact signed string, with the signature given by
 *   `--signature` (base64, or @file holding it).
 * - The key is the PEM that `GET /api/v1/certificates/public-key?keyId=<keyId>` serves (or the issuing authority
 *   publishes): SM2 (SM2 over SM3, default identifier 1234567812345678, GB/T 32918) or Ed25519; the key decides.
 *
 * Checks: the signature over the payload's UTF-8 bytes; the payload is a certificate this platform signs; the algorithm
 * it names (`alg`, Ed25519 for certificates issued before SM2) is the key's; the key id and algorithm stated beside the
 * payload agree with it. Exit 0 when valid, 1 when not, 2 on a usage error. Revocation is not in the payload: ask
 * `GET /api/v1/certificates/verify/{verificationCode}` for it. Prints no personal data (no holder, no fields).
 */
import fs from 'node:fs';
import { shanghaiDate } from '../domain/calendar';
import { publicKeyAlgorithm, verifyCertificateSignature } from '../infra/signing/certificate-signer';
import { certificatePayloadSchema, payloadAlgorithm } from '../infra/signing/verification';

const USAGE = 'usage: npm run verify-certificate -- <certificate.json | payload file> --key <public key PEM> [--signature <base64 | @file>]';

interface Input {
  payload: string;
  signature: string;
  statedAlgorithm?: string;
  statedKeyId?: string;
}

function parseArgs(argv: string[]): { file: string; key: string; signature?: string } {
  const rest: string[] = [];
  let key: string | undefined;
  let signature: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--key') key = argv[++i];
    else if (a === '--signature') signature = argv[++i];
    else if (a === '-h' || a === '--help') throw new Error(USAGE);
    else rest.push(a);
  }
  if (rest.length !== 1 || !key) throw new Error(USAGE);
  return { file: rest[0]!, key, ...(signature ? { signature } : {}) };
}

function readInput(file: string, signatureArg: string | undefined): Input {
  const text = fs.readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const c = parsed as { payload?: unknown; signature?: unknown; signatureAlgorithm?: unknown; keyId?: unknown } | undefined;
  if (c && typeof c.payload === 'string' && typeof c.signature === 'string') {
    return {
      payload: c.payload,
      signature: signatureArg ? readSignature(signatureArg) : c.signature,
      ...(typeof c.signatureAlgorithm === 'string' ? { statedAlgorithm: c.signatureAlgorithm } : {}),
      ...(typeof c.keyId === 'string' ? { statedKeyId: c.keyId } : {}),
    };
  }
  if (!signatureArg) throw new Error(`${file} is not a certificate JSON (payload and signature): give the signature with --signature`);
  // The signed string is canonical JSON, which never ends in a newline: one an editor added is not part of it.
  return { payload: text.replace(/\r?\n$/, ''), signature: readSignature(signatureArg) };
}

const readSignature = (arg: string): string => (arg.startsWith('@') ? fs.readFileSync(arg.slice(1), 'utf8') : arg).trim();

export function verifyOffline(input: Input, publicKeyPem: string): { valid: boolean; lines: string[] } {
  const lines: string[] = [];
  const fail = (why: string) => ({ valid: false, lines: [...lines, `INVALID: ${why}`] });
  if (/PRIVATE KEY/.test(publicKeyPem)) return fail('the key file holds a private key; give the public key');
  const keyAlg = publicKeyAlgorithm(publicKeyPem);
  if (!keyAlg) return fail('the key is neither an SM2 (sm2p256v1) nor an Ed25519 public key');
  lines.push(`key:        ${keyAlg === 'SM2-SM3' ? 'SM2 (signature SM2 over SM3, ID 1234567812345678)' : 'Ed25519'}`);
  if (!verifyCertificateSignature(input.payload, input.signature, publicKeyPem)) {
    return fail('the signature does not verify with this key (the payload was changed, or it was signed with another key)');
  }
  let body: unknown;
  try {
    body = JSON.parse(input.payload);
  } catch {
    return fail('the signed payload is not JSON');
  }
  const shape = certificatePayloadSchema.safeParse(body);
  if (!shape.success) return fail('the signed payload is not a OneStop certificate');
  const p = shape.data;
  const alg = payloadAlgorithm(p);
  if (alg !== keyAlg) return fail(`the payload names ${alg}, the key is ${keyAlg}`);
  if (input.statedAlgorithm !== undefined && input.statedAlgorithm !== alg) return fail(`signatureAlgorithm says ${input.statedAlgorithm}, the signed payload ${alg}`);
  if (input.statedKeyId !== undefined && input.statedKeyId !== p.keyId) return fail(`keyId says ${input.statedKeyId}, the signed payload ${p.keyId}`);
  const today = shanghaiDate(Date.now());
  lines.push(
    `algorithm:  ${alg}`,
    `key id:     ${p.keyId}`,
    `number:     ${p.no} (${p.name.en})`,
    `authority:  ${p.authority.zh}`,
    `valid:      ${p.validFrom} to ${p.validUntil}${p.validUntil < today ? ` (EXPIRED on ${today})` : ''}`,
    `VALID: the signature verifies and the payload is the certificate as issued${p.verificationCode ? `; revocation: GET /api/v1/certificates/verify/${p.verificationCode}` : ''}`,
  );
  return { valid: true, lines };
}

function main(): number {
  let args: ReturnType<typeof parseArgs>;
  let input: Input;
  let pem: string;
  try {
    args = parseArgs(process.argv.slice(2));
    input = readInput(args.file, args.signature);
    pem = fs.readFileSync(args.key, 'utf8');
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const { valid, lines } = verifyOffline(input, pem);
  for (const line of lines) (valid ? console.log : console.error)(line);
  return valid ? 0 : 1;
}

if (require.main === module) process.exitCode = main();
