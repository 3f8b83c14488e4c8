/**
 * Issued certificates, as the API reads them. Who may read a certificate with its holder data is decided here: the
 * holder's portal client (the client that submitted the case), the holder itself (the applicant the token asserts),
 * reviewers of a department that took part in the case, and ops. For anyone else it does not exist.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Certificate, OneStopCase } from '../db/entities';
import type { Caller } from './caller';
import { departmentHasTask } from './review-tasks';

export type { Certificate };

/** `date` columns come back as `YYYY-MM-DD` strings from the driver; a Date is accepted too (another driver setup). */
export const isoDay = (d: string | Date): string => (typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));

export async function findCertificate(em: EntityManager, no: string): Promise<Certificate | null> {
  return em.findOne(Certificate, { no });
}

/** Public verification: the certificate whose random code is printed (as a QR code) on it. */
export async function findCertificateByVerificationCode(em: EntityManager, code: string): Promise<Certificate | null> {
  return em.findOne(Certificate, { verificationCode: code });
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
