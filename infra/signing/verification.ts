/**
 * Public verification of a certificate, computed from what was signed, never from the row alone.
 *
 * A certificate row is checked in three steps: (1) the signature over the stored payload string verifies with the
 * public key the row names; (2) the payload parses into the certificate shape this platform signs; (3) every fact the
 * row also stores (number, case, type, subject, holder, fields, authority, validity, issue time, key id, and the
 * verification code when the payload carries one) equals the payload's, and the algorithm the payload names (`alg`,
 * Ed25519 when absent) is the algorithm of the key that verified it. Any failure answers `tampered`: whoever
 * changed the database cannot change what verifies. Revocation is the one fact that lives only in the row (it happens
 * after signing); expiry is read from the signed validUntil.
 *
 * The public view is built from the verified payload and minimised (PIPL art. 6, 51): a person's name is masked, an
 * organisation's name is public record (it is registered and published with market regulation) and shown whole; plates
 * are masked; drivers' and legal representatives' names are masked; where children are (school-bus stops and departure
 * times) is withheld; any field without a rule here is withheld, so a new certificate field is private until someone
 * decides otherwise.
 */
import { z } from 'zod';
import { isValidCreditCode, isValidIdCardNumber } from '../../domain/identifiers';
import { maskName, maskPlate } from '../../domain/masking';
import type { PublicFieldRule } from '../../domain/types';
import { canonicalJson, publicKeyAlgorithm, SIGNATURE_ALGORITHMS, verifyCertificateSignature, type SignatureAlgorithm } from './certificate-signer';

export const CERTIFICATE_STATUSES = ['valid', 'revoked', 'expired', 'tampered', 'unknown'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** What the certificate table stores, as the verification reads it (dates as YYYY-MM-DD). */
export interface StoredCertificate {
  no: string;
  caseNo: string;
  type: string;
  subjectKey: string;
  holderKey: string;
  holderName: string;
  authority: string;
  fields: Record<string, unknown>;
  validFrom: string;
  validUntil: string;
  issuedAt: Date;
  payload: string;
  signature: string;
  keyId: string;
  revokedAt: Date | null;
  verificationCode: string;
}

const bilingual = z.object({ zh: z.string(), en: z.string() });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/**
 * The certificate body activities/certificates.ts signs. `verificationCode` is absent in certificates issued before
 * codes existed; `alg` in those issued before SM2 (they are all Ed25519).
 */
export const certificatePayloadSchema = z.object({
  no: z.string(),
  type: z.string(),
  name: bilingual,
  caseNo: z.string(),
  holder: z.object({ key: z.string(), name: z.string() }),
  subject: z.string(),
  fields: z.record(z.string(), z.unknown()),
  authority: bilingual,
  validFrom: isoDate,
  validUntil: isoDate,
  issuedAt: z.string(),
  keyId: z.string(),
  verificationCode: z.string().optional(),
  alg: z.enum(SIGNATURE_ALGORITHMS).optional(),
});

/** The algorithm a payload says it was signed with: `alg`, or Ed25519 for a certificate issued before `alg` existed. */
export const payloadAlgorithm = (p: CertificatePayload): SignatureAlgorithm => p.alg ?? 'Ed25519';
export type CertificatePayload = z.infer<typeof certificatePayloadSchema>;

export interface CertificateCheck {
  status: CertificateStatus;
  /** Whether the signature over the stored payload verifies (null: nothing to verify). */
  signatureValid: boolean | null;
  /** The verified payload; null when the signature or the shape failed. */
  payload: CertificatePayload | null;
  /** Names (never values) of the facts that disagree: for the ops log, not for the public. */
  problems: string[];
}

/**
 * Checks a stored certificate against its signed payload. `keyFor` returns the PEM public key of a key id (current or
 * retired); `today` is the Shanghai calendar date (YYYY-MM-DD).
 */
export function checkCertificate(row: StoredCertificate | undefined, keyFor: (keyId: string) => string | undefined, today: string): CertificateCheck {
  if (!row) return { status: 'unknown', signatureValid: null, payload: null, problems: [] };
  const pem = keyFor(row.keyId);
  if (!pem) return { status: 'tampered', signatureValid: false, payload: null, problems: ['keyId (no such public key)'] };
  // The key decides how the signature is checked (SM2 with the default identifier, or Ed25519); the payload must then
  // name that same algorithm.
  if (!verifyCertificateSignature(row.payload, row.signature, pem)) return { status: 'tampered', signatureValid: false, payload: null, problems: ['signature'] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.payload);
  } catch {
    return { status: 'tampered', signatureValid: true, payload: null, problems: ['payload (not JSON)'] };
  }
  const shape = certificatePayloadSchema.safeParse(parsed);
  if (!shape.success) return { status: 'tampered', signatureValid: true, payload: null, problems: ['payload (shape)'] };
  const p = shape.data;
  const problems = [
    ['no', p.no === row.no],
    ['caseNo', p.caseNo === row.caseNo],
    ['type', p.type === row.type],
    ['subject', p.subject === row.subjectKey],
    ['holder.key', p.holder.key === row.holderKey],
    ['holder.name', p.holder.name === row.holderName],
    ['fields', canonicalJson(p.fields) === canonicalJson(row.fields)],
    ['authority', p.authority.zh === row.authority],
    ['validFrom', p.validFrom === row.validFrom],
    ['validUntil', p.validUntil === row.validUntil],
    // The payload carries seconds; the row the exact instant.
    ['issuedAt', Math.floor(row.issuedAt.getTime() / 1000) === Math.floor(Date.parse(p.issuedAt) / 1000)],
    ['keyId', p.keyId === row.keyId],
    ['verificationCode', p.verificationCode === undefined || p.verificationCode === row.verificationCode],
    ['alg', payloadAlgorithm(p) === publicKeyAlgorithm(pem)],
  ]
    .filter(([, ok]) => !ok)
    .map(([name]) => name as string);
  if (problems.length) return { status: 'tampered', signatureValid: true, payload: p, problems };
  const status: CertificateStatus = row.revokedAt ? 'revoked' : p.validUntil < today ? 'expired' : 'valid';
  return { status, signatureValid: true, payload: p, problems: [] };
}

/** A holder is an organisation when its key is a unified social credit code (and not also a valid ID number). */
export function isOrganisationKey(key: string): boolean {
  return isValidCreditCode(key) && !isValidIdCardNumber(key);
}

export type PublicFieldValue = string | number | boolean | null | (string | number)[];

export interface PublicCertificate {
  no: string;
  type: string;
  name: { zh: string; en: string };
  holder: { name: string; kind: 'organisation' | 'person' };
  subject: string;
  authority: { zh: string; en: string };
  validFrom: string;
  validUntil: string;
  issuedAt: string;
  keyId: string;
  signatureAlgorithm: SignatureAlgorithm;
  fields: Record<string, PublicFieldValue>;
  withheldFields: string[];
}

function publicValue(value: unknown, rule: PublicFieldRule, organisation: boolean): PublicFieldValue {
  const mask = (f: (s: string) => string) => (typeof value === 'string' ? f(value) : value === null ? null : '***');
  switch (rule) {
    case 'holder':
      return mask((s) => maskName(s, organisation));
    case 'person':
      return mask((s) => maskName(s));
    case 'plate':
      return mask(maskPlate);
    case 'show':
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as PublicFieldValue;
      if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value as (string | number)[];
      return '***';
  }
}

/**
 * The public, minimised view of a verified payload. `rules` are the certificate type's `publicFields` from its service
 * definition: what the public may see of each field, and how; every other field is withheld.
 */
export function publicCertificate(p: CertificatePayload, rules: Readonly<Record<string, PublicFieldRule>>): PublicCertificate {
  const organisation = isOrganisationKey(p.holder.key);
  const fields: Record<string, PublicFieldValue> = {};
  const withheldFields: string[] = [];
  for (const [name, value] of Object.entries(p.fields).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const rule = Object.hasOwn(rules, name) ? rules[name] : undefined;
    if (rule) fields[name] = publicValue(value, rule, organisation);
    else withheldFields.push(name);
  }
  return {
    no: p.no,
    type: p.type,
    name: p.name,
    holder: { name: maskName(p.holder.name, organisation), kind: organisation ? 'organisation' : 'person' },
    // The subject is a plate for per-vehicle certificates, `case` otherwise.
    subject: p.subject === 'case' ? p.subject : maskPlate(p.subject),
    authority: p.authority,
    validFrom: p.validFrom,
    validUntil: p.validUntil,
    issuedAt: p.issuedAt,
    keyId: p.keyId,
    signatureAlgorithm: payloadAlgorithm(p),
    fields,
    withheldFields,
  };
}
