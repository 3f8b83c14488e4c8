/**
 * Certificate issuance. Exactly one certificate per case + type + subject (vehicle) is guaranteed by the database's
 * unique constraint: a retried activity or a worker that died mid-way inserts nothing new and returns what is stored.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { formatShanghai, shanghaiDate } from '../domain/calendar';
import { vehiclesOf } from '../domain/forms';
import type { CertificateSpec, CertificateSummary } from '../domain/types';
import { OneStopCase } from '../infra/db/entities';
import { canonicalJson, type CertificateSigner } from '../infra/signing/certificate-signer';

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

export interface CertificateIssue {
  caseNo: string;
  certificates: CertificateSpec[];
  issuedAtMs: number;
}

export function createCertificateActivities(deps: { orm: MikroORM; signer: CertificateSigner }) {
  return {
    async issueCertificates(input: CertificateIssue): Promise<CertificateSummary[]> {
      const em = deps.orm.em.fork();
      const row = await em.findOne(OneStopCase, { caseNo: input.caseNo });
      if (!row) throw ApplicationFailure.nonRetryable(`case ${input.caseNo} not found`, 'CaseNotFound');
      const form = row.form;
      const applicant = form.applicant as { creditCode: string; name: string };
      const validFrom = shanghaiDate(input.issuedAtMs);
      const issued: CertificateSummary[] = [];
      for (const [typeIndex, spec] of input.certificates.entries()) {
        const subjects = spec.perVehicle ? vehiclesOf(form) : [null];
        for (const [i, vehicle] of subjects.entries()) {
          const subjectKey = vehicle ? vehicle.plate : 'case';
          const no = `${input.caseNo}-C${typeIndex + 1}${spec.perVehicle ? `-${i + 1}` : ''}`;
          const scope = vehicle ? { ...form, vehicle } : form;
          const fields = Object.fromEntries(spec.fields.map((f) => [f, pick(scope, f) ?? null]));
          const validUntil = addMonths(validFrom, spec.validityMonths);
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
          };
          const payload = canonicalJson(body);
          await em.getConnection().execute(
            `insert into certificate (no, case_no, type, subject_key, holder_key, holder_name, authority, fields,
               valid_from, valid_until, issued_at, payload, signature, key_id)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             on conflict do nothing`,
            [
              no,
              input.caseNo,
              spec.type,
              subjectKey,
              applicant.creditCode,
              applicant.name,
              spec.authority.zh,
              JSON.stringify(fields),
              validFrom,
              validUntil,
              new Date(input.issuedAtMs),
              payload,
              deps.signer.sign(payload),
              deps.signer.keyId,
            ],
          );
          issued.push({ no, type: spec.type, subjectKey, validUntil });
        }
      }
      log.info('certificates issued', { caseNo: input.caseNo, count: issued.length });
      return issued;
    },
  };
}
