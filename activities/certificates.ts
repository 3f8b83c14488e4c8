/**
 * Certificate issuance. Exactly one certificate per case + type + subject (vehicle) is guaranteed by the database's
 * unique constraints. A retried activity, or a second attempt racing a first that is still running, never makes a new
 * verification code or signature for a certificate that exists: it returns the stored row. Only the first insert wins
 * (ON CONFLICT DO NOTHING), and every attempt reads back what is stored.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { formatShanghai, shanghaiDate } from '../domain/calendar';
import { vehiclesOf } from '../domain/forms';
import type { CertificateSpec, CertificateSummary } from '../domain/types';
import { findCaseForm } from '../infra/repositories/cases';
import { insertCertificateOnce, readStoredCertificate } from '../infra/repositories/certificates';
import { canonicalJson, newVerificationCode, type CertificateSigner } from '../infra/signing/certificate-signer';

/** Value at a dot path (`route.stops`); `vehicle.*` reads the vehicle the certificate is for. */
function pick(source: Record<string, unknown>, dotPath: string): unknown {
  return dotPath.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), source);
}

function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1 + months, d));
  t.setUTCDate(t.getUTCDate() - 1); // valid through the day before the same date N months later
  return t.toISOString().slice(0, 10);
}

/** MikroORM reads `date` columns as strings; a driver configured otherwise would give a Date. */
const day = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

export interface CertificateIssue {
  caseNo: string;
  certificates: CertificateSpec[];
  issuedAtMs: number;
}

export function createCertificateActivities(deps: { orm: MikroORM; signer: CertificateSigner }) {
  return {
    async issueCertificates(input: CertificateIssue): Promise<CertificateSummary[]> {
      const em = deps.orm.em.fork();
      const form = await findCaseForm(em, input.caseNo);
      if (!form) throw ApplicationFailure.nonRetryable(`case ${input.caseNo} not found`, 'CaseNotFound');
      const applicant = form.applicant as { creditCode: string; name: string };
      const validFrom = shanghaiDate(input.issuedAtMs);
      const issued: CertificateSummary[] = [];
      let created = 0;
      for (const [typeIndex, spec] of input.certificates.entries()) {
        const subjects = spec.perVehicle ? vehiclesOf(form) : [null];
        for (const [i, vehicle] of subjects.entries()) {
          const subjectKey = vehicle ? vehicle.plate : 'case';
          const no = `${input.caseNo}-C${typeIndex + 1}${spec.perVehicle ? `-${i + 1}` : ''}`;
          const stored = await readStoredCertificate(em, no);
          if (stored) {
            issued.push({ no: stored.no, type: stored.type, subjectKey: stored.subjectKey, validUntil: day(stored.validUntil) });
            continue;
          }
          const scope = vehicle ? { ...form, vehicle } : form;
          const fields = Object.fromEntries(spec.fields.map((f) => [f, pick(scope, f) ?? null]));
          const validUntil = addMonths(validFrom, spec.validityMonths);
          const verificationCode = newVerificationCode();
          const body = {
            no,
            type: spec.type,
            name: spec.name,
            caseNo: input.caseNo,
            holder: { key: applicant.creditCode, name: applicant.name },
            subject: subjectKey,
            fields,
            authority: spec.authority,
            validFrom,
            validUntil,
            issuedAt: formatShanghai(input.issuedAtMs),
            keyId: deps.signer.keyId,
            // The algorithm, signed with the rest: SM2-SM3 (SM2 over SM3, default identifier) or Ed25519.
            alg: deps.signer.algorithm,
            // Signed, so a row whose code was swapped (to point a QR code at another certificate) verifies as tampered.
            verificationCode,
          };
          const payload = canonicalJson(body);
          // Whoever won the insert (this attempt or a concurrent one), the stored row is the certificate.
          const { stored: winner, created: won } = await insertCertificateOnce(em, {
            no,
            caseNo: input.caseNo,
            type: spec.type,
            subjectKey,
            holderKey: applicant.creditCode,
            holderName: applicant.name,
            authority: spec.authority.zh,
            fields,
            validFrom,
            validUntil,
            issuedAt: new Date(input.issuedAtMs),
            payload,
            signature: deps.signer.sign(payload),
            keyId: deps.signer.keyId,
            verificationCode,
          });
          if (won) created += 1;
          issued.push({ no: winner.no, type: winner.type, subjectKey: winner.subjectKey, validUntil: day(winner.validUntil) });
        }
      }
      log.info('certificates issued', { caseNo: input.caseNo, count: issued.length, created });
      return issued;
    },
  };
}
