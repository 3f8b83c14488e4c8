/**
 * Issued certificates, as the API reads them. Who may read a certificate with its holder data is decided here: the
 * holder's portal client (the client that submitted the case), the holder itself (the applicant the token asserts),
 * reviewers of a department that took part in the case, and ops. For anyone else it does not exist.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Certificate, OneStopCase } from '../db/entities';
import type { StoredCertificate } from '../signing/verification';
import type { Caller } from './caller';
import { departmentHasTask } from './review-tasks';

export type { Certificate };

/** `date` columns come back as `YYYY-MM-DD` strings from the driver; a Date is accepted too (another driver setup). */
export const isoDay = (d: string | Date): string => (typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));

export async function findCertificate(em: EntityManager, no: string): Promise<Certificate | null> {
  return em.findOne(Certificate, { no });
}

/**
 * The public verify routes' read (by number, or by the random code printed as a QR code on the certificate): one primary-key (or verification-code) lookup, the row as PostgreSQL holds it, as
 * plain values. No entity, no identity map: the most frequent public read, where hydrating an entity cost more CPU than
 * the query. Every column the check compares with the signed payload, and no other.
 */
export async function findCertificateToVerify(em: EntityManager, by: { no: string } | { verificationCode: string }): Promise<StoredCertificate | null> {
  const [column, value] = 'no' in by ? ['no', by.no] : ['verification_code', by.verificationCode];
  const rows = await em.getConnection().execute<CertificateRow[]>(
    `select no, case_no, type, subject_key, holder_key, holder_name, authority, fields, valid_from::text as valid_from,
       valid_until::text as valid_until, issued_at, payload, signature, key_id, revoked_at, verification_code
     from certificate where ${column} = ? limit 1`,
    [value],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    no: r.no,
    caseNo: r.case_no,
    type: r.type,
    subjectKey: r.subject_key,
    holderKey: r.holder_key,
    holderName: r.holder_name,
    authority: r.authority,
    fields: r.fields,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    issuedAt: new Date(r.issued_at),
    payload: r.payload,
    signature: r.signature,
    keyId: r.key_id,
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    verificationCode: r.verification_code,
  };
}

interface CertificateRow {
  no: string;
  case_no: string;
  type: string;
  subject_key: string;
  holder_key: string;
  holder_name: string;
  authority: string;
  fields: Record<string, unknown>;
  valid_from: string;
  valid_until: string;
  issued_at: Date | string;
  payload: string;
  signature: string;
  key_id: string;
  revoked_at: Date | string | null;
  verification_code: string;
}

/** The row as PostgreSQL holds it now (never the identity map's copy): what issuance returns is what is stored. */
export async function readStoredCertificate(em: EntityManager, no: string): Promise<Certificate | null> {
  return em.findOne(Certificate, { no }, { disableIdentityMap: true });
}

export type NewCertificate = Omit<Certificate, 'revokedAt' | 'revokedReason'>;

/**
 * Inserts a certificate unless one exists, and returns the stored row with whether this call created it. Only the first
 * insert wins (`ON CONFLICT DO NOTHING` on any unique key: number, case + type + subject, verification code), so a
 * retried or concurrent issuance never makes a second code or signature: every attempt returns what is stored.
 */
export async function insertCertificateOnce(em: EntityManager, c: NewCertificate): Promise<{ stored: Certificate; created: boolean }> {
  const inserted = await em.createQueryBuilder(Certificate).insert(c).onConflict().ignore().execute('run');
  const stored = await em.findOneOrFail(Certificate, { no: c.no }, { disableIdentityMap: true });
  return { stored, created: inserted.affectedRows > 0 };
}

/**
 * Revokes a certificate that is not revoked yet (one conditional UPDATE: two revocations cannot both win).
 * `already_revoked` and `not_found` are told apart only after the update did nothing.
 */
export async function revokeCertificate(em: EntityManager, no: string, reason: string, at: Date): Promise<'revoked' | 'already_revoked' | 'not_found'> {
  const n = await em.nativeUpdate(Certificate, { no, revokedAt: null }, { revokedAt: at, revokedReason: reason });
  if (n > 0) return 'revoked';
  return (await em.count(Certificate, { no })) > 0 ? 'already_revoked' : 'not_found';
}

export async function certificatesOfCase(em: EntityManager, caseNo: string) {
  return em.find(Certificate, { caseNo }, { orderBy: { no: 'asc' }, fields: ['no', 'type', 'subjectKey', 'validUntil', 'revokedAt'] });
}

/** Certificates a holder can reference instead of an upload (证照免交): valid today, not revoked, newest first. */
export async function validCertificatesHeldBy(em: EntityManager, holderKey: string, today: string, limit = 200) {
  return em.find(
    Certificate,
    { holderKey, revokedAt: null, validUntil: { $gte: today } },
    { orderBy: { issuedAt: 'desc' }, limit, fields: ['no', 'type', 'subjectKey', 'validUntil', 'authority'] },
  );
}

/** The certificate if `caller` may read it, else `null` (unknown and not-yours look the same: 404). */
export async function findCertificateForCaller(em: EntityManager, no: string, caller: Caller): Promise<Certificate | null> {
  const cert = await findCertificate(em, no);
  if (!cert) return null;
  if (caller.role === 'ops') return cert;
  if (caller.role === 'reviewer') return caller.department && (await departmentHasTask(em, cert.caseNo, caller.department)) ? cert : null;
  if (caller.applicant && caller.applicant === cert.holderKey) return cert;
  const owner = await em.findOne(OneStopCase, { caseNo: cert.caseNo }, { fields: ['portalClientId'] });
  return owner && owner.portalClientId === (caller.clientId ?? caller.sub) ? cert : null;
}

/** The purpose written to the access log for a read of a certificate with its holder's data. */
export function certificatePurpose(caller: Caller): string {
  if (caller.role === 'ops') return 'ops support';
  if (caller.role === 'reviewer') return 'review: certificate of a case the department decided on';
  return caller.applicant ? 'holder reads own certificate' : 'portal delivers certificate to its holder';
}
