/**
 * Electronic certificates. The authenticated view carries the exact signed payload string, the base64 signature and
 * its algorithm (SM2-SM3, the default: SM2 over SM3 with the default identifier 1234567812345678; or Ed25519), so
 * anyone can verify a certificate offline with the public key served here (scripts/verify-certificate.ts).
 *
 * Public verification (no token) is computed from the signed payload (infra/signing/verification.ts): a row changed in
 * the database answers `tampered`, and the fields shown are the payload's, minimised. Two public routes:
 * - `GET /certificates/verify/:code`: the QR code printed on a certificate points here. The random verification code
 *   is what makes the details visible: whoever holds the paper can see the (masked) certificate, nobody can enumerate.
 * - `GET /certificates/:no/verify`: kept for existing clients. Certificate numbers are guessable (case number + index),
 *   so without the code it answers the status only (valid | revoked | expired | tampered | unknown), never the holder.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from '../schemas/zod';
import { shanghaiDate } from '../../domain/calendar';
import { SIGNATURE_ALGORITHMS } from '../../infra/signing/certificate-signer';
import {
  CERTIFICATE_STATUSES,
  checkCertificate,
  publicCertificate,
  type CertificateCheck,
  type StoredCertificate,
} from '../../infra/signing/verification';
import {
  certificatePurpose,
  findCertificateForCaller,
  findCertificateToVerify,
  revokeCertificate,
  type Certificate,
} from '../../infra/repositories/certificates';
import { recordAccess } from '../../infra/repositories/access-log';
import type { ApiDeps } from '../context';
import { ApiError, notFound } from '../http/errors';
import { errorBody, json, type RouteTable } from '../http/route';
import { orNull } from '../schemas/responses';

const noParam = z.object({ no: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) });
// New codes are 24 base32 characters; codes given to certificates issued before codes existed are 32 hex characters.
const codeParam = z.object({ code: z.string().regex(/^[A-Za-z0-9]{16,32}$/, 'a verification code: 16 to 32 letters and digits') });

const bilingual = z.object({ zh: z.string(), en: z.string() });
const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()]))]);
const signatureAlgorithm = z
  .enum(SIGNATURE_ALGORITHMS)
  .openapi({ description: '`SM2-SM3`: SM2 over SM3 (GB/T 32918), e = SM3(Z_A || payload) with the default identifier 1234567812345678; `Ed25519`: certificates issued before SM2 or by configuration' });
const status = z.enum(CERTIFICATE_STATUSES).openapi({ description: '`tampered`: the stored certificate does not match what was signed' });

const publicCertificateSchema = z
  .object({
    no: z.string(),
    type: z.string(),
    name: bilingual,
    holder: z.object({
      name: z.string().openapi({ description: "A person's name masked (张*); an organisation's name (public record) whole" }),
      kind: z.enum(['organisation', 'person']),
    }),
    subject: z.string().openapi({ description: '`case`, or the masked plate of the vehicle the certificate is for' }),
    authority: bilingual,
    validFrom: z.string(),
    validUntil: z.string(),
    issuedAt: z.string(),
    keyId: z.string(),
    signatureAlgorithm: signatureAlgorithm,
    fields: z.record(z.string(), fieldValue).openapi({ description: 'Signed fields the public may see, masked where they name a person or a plate' }),
    withheldFields: z.array(z.string()).openapi({ description: 'Signed fields not shown publicly (e.g. school-bus stops and times)' }),
  })
  .openapi('PublicCertificate');

const verifyByCodeBody = z
  .object({
    status,
    signatureValid: z.boolean().nullable(),
    revokedAt: z.string().nullable(),
    certificate: orNull(publicCertificateSchema).openapi({ description: 'From the verified payload; null when unknown or tampered' }),
  })
  .openapi('CertificateVerification');

const statusOnlyBody = z.object({ no: z.string(), status, signatureValid: z.boolean().nullable() }).openapi('CertificateStatus');

const certificateBody = z
  .object({
    no: z.string(),
    caseNo: z.string(),
    type: z.string(),
    subject: z.string(),
    holder: z.object({ key: z.string(), name: z.string() }),
    authority: z.string(),
    fields: z.record(z.string(), fieldValue),
    validFrom: z.string(),
    validUntil: z.string(),
    revoked: z.boolean(),
    revokedReason: z.string().nullable(),
    keyId: z.string(),
    payload: z.string().openapi({ description: 'The exact signed string (canonical JSON)' }),
    signature: z.string().openapi({ description: 'Signature of the UTF-8 bytes of `payload`, base64: SM2 as DER SEQUENCE { r, s }, Ed25519 as 64 bytes' }),
    signatureAlgorithm,
    verificationCode: z.string().openapi({ description: 'Random; print it (as the QR code of verifyPath) on the certificate' }),
    verifyPath: z.string(),
  })
  .openapi('Certificate');

/** The algorithm a stored payload names, Ed25519 when it names none (or does not parse). */
function signedAlgorithm(payload: string): (typeof SIGNATURE_ALGORITHMS)[number] {
  try {
    const alg = (JSON.parse(payload) as { alg?: unknown }).alg;
    return SIGNATURE_ALGORITHMS.find((a) => a === alg) ?? 'Ed25519';
  } catch {
    return 'Ed25519';
  }
}

/** `date` columns come back as `YYYY-MM-DD` strings; a Date is accepted too. */
const day = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));

export function certificateRoutes(t: RouteTable, deps: ApiDeps): void {
  const em = (): EntityManager => deps.orm.em.fork() as EntityManager;
  const check = (c: StoredCertificate | null): CertificateCheck => {
    const result = checkCertificate(c ?? undefined, (id) => deps.publicKeys.get(id), shanghaiDate(Date.now()));
    // An integrity incident for ops: the number and the names of the facts that disagree, never their values.
    if (c && result.status === 'tampered') deps.log(`certificate ${c.no} failed verification: ${result.problems.join(', ')}`);
    return result;
  };

  t.add({
    method: 'get',
    path: '/certificates/public-key',
    summary: 'The public key (PEM, SM2 or Ed25519) that verifies certificate signatures: the current one, or `?keyId=` for the key a certificate names',
    tags: ['public'],
    access: 'public',
    query: z.object({ keyId: z.string().max(64).optional() }),
    responses: { 200: { description: 'PEM', content: { 'application/x-pem-file': { schema: z.string() } } }, 404: json(errorBody, 'Unknown key id') },
    handler: async ({ query }) => {
      const pem = query.keyId ? deps.publicKeys.get(query.keyId) : deps.publicKeys.currentPem;
      if (!pem) throw notFound(`public key ${query.keyId}`);
      const keyId = query.keyId ?? deps.publicKeys.currentKeyId;
      return { status: 200, text: { contentType: 'application/x-pem-file', content: pem }, headers: { 'X-Key-Id': keyId, 'X-Key-Algorithm': deps.publicKeys.algorithmOf(keyId) ?? '' } };
    },
  });

  t.add({
    method: 'get',
    path: '/certificates/verify/:code',
    summary: 'Public verification by the code printed (as a QR code) on the certificate: status and the masked certificate, from the signed payload',
    description:
      'valid | revoked | expired | tampered | unknown. Everything shown comes from the signed payload; a stored certificate that differs from it in any fact answers `tampered`. Names of persons and plates are masked, where children board is withheld.',
    tags: ['public'],
    access: 'public',
    params: codeParam,
    responses: { 200: json(verifyByCodeBody, 'Verification result') },
    handler: async ({ params }) => {
      const c = await findCertificateToVerify(em(), { verificationCode: params.code });
      const result = check(c);
      const shown = result.payload && result.status !== 'tampered' ? publicCertificate(result.payload, deps.catalog.publicFieldRules(result.payload.type)) : null;
      return {
        status: 200,
        body: {
          status: result.status,
          signatureValid: result.signatureValid,
          revokedAt: result.status === 'revoked' && c?.revokedAt ? c.revokedAt.toISOString() : null,
          certificate: shown,
        },
      };
    },
  });

  t.add({
    method: 'get',
    path: '/certificates/:no/verify',
    summary: 'Public status of a certificate number: valid | revoked | expired | tampered | unknown (details only with the verification code)',
    description: 'Certificate numbers can be guessed, so this answers the status alone and names no holder. `GET /certificates/verify/{code}` shows the certificate.',
    tags: ['public'],
    access: 'public',
    params: noParam,
    responses: { 200: json(statusOnlyBody, 'Verification result') },
    handler: async ({ params }) => {
      const result = check(await findCertificateToVerify(em(), { no: params.no }));
      return { status: 200, body: { no: params.no, status: result.status, signatureValid: result.signatureValid } };
    },
  });

  t.add({
    method: 'get',
    path: '/certificates/:no',
    summary: 'A certificate with its signed payload string, base64 signature and verification code',
    tags: ['certificates'],
    access: ['portal', 'reviewer', 'ops'],
    params: noParam,
    responses: { 200: json(certificateBody, 'The certificate'), 404: json(errorBody, 'Unknown') },
    handler: async ({ params, principal }) => {
      // Ownership (issue 10, infra/repositories/certificates.ts): the holder's portal client or the holder, reviewers of
      // a department that took part, ops; 404 for anyone else. The read of the holder's data is logged.
      const c = await findCertificateForCaller(em(), params.no, principal!);
      if (!c) throw notFound(`certificate ${params.no}`);
      await recordAccess(em(), principal!, [c.holderKey], `certificate:${c.no}`, certificatePurpose(principal!));
      return {
        status: 200,
        body: {
          no: c.no,
          caseNo: c.caseNo,
          type: c.type,
          subject: c.subjectKey,
          holder: { key: c.holderKey, name: c.holderName },
          authority: c.authority,
          fields: c.fields,
          validFrom: day(c.validFrom),
          validUntil: day(c.validUntil),
          revoked: c.revokedAt != null,
          revokedReason: c.revokedReason ?? null,
          keyId: c.keyId,
          payload: c.payload,
          signature: c.signature,
          // The key's algorithm (the key ring knows every key, current and retired); the payload's `alg` when the key
          // is unknown here (such a certificate verifies as tampered anyway).
          signatureAlgorithm: deps.publicKeys.algorithmOf(c.keyId) ?? signedAlgorithm(c.payload),
          verificationCode: c.verificationCode,
          verifyPath: `/api/v1/certificates/verify/${c.verificationCode}`,
        },
      };
    },
  });

  t.add({
    method: 'post',
    path: '/certificates/:no/revoke',
    summary: 'Revoke a certificate (ops); verification then answers `revoked`',
    tags: ['ops'],
    access: ['ops'],
    params: noParam,
    body: z.object({ reason: z.string().trim().min(1).max(500) }),
    responses: {
      200: json(z.object({ no: z.string(), revoked: z.boolean(), reason: z.string() }), 'Revoked'),
      404: json(errorBody, 'Unknown'),
      409: json(errorBody, 'Already revoked'),
    },
    handler: async ({ params, body }) => {
      const outcome = await revokeCertificate(em(), params.no, body.reason, new Date());
      if (outcome === 'not_found') throw notFound(`certificate ${params.no}`);
      if (outcome === 'already_revoked') throw new ApiError('conflict', `certificate ${params.no} is already revoked`);
      return { status: 200, body: { no: params.no, revoked: true, reason: body.reason } };
    },
  });
}
