/**
 * Retention purge (PIPL art. 19 and 47: personal data is kept only as long as its purpose needs, then deleted).
 *
 * What goes, once its retention has passed (days configured at the edge, RETENTION_*_DAYS, passed in by the schedule):
 * - ended cases (completed, rejected, withdrawn), counted from when they ended: the form (every personal field of the
 *   application), the applicant's name, an ID number as applicant key (masked; an organisation's credit code is public
 *   record and stays), the asserted applicant identity, the webhook URL and the evaluation comment. The row stays as an
 *   anonymous statistic (service, dates, status, deadline kept or missed);
 * - archived applications (the data kept for reuse on later applications), counted from archiving: deleted.
 *
 * What stays, because it is a record the law asks for: the audit log (case_event, review_task decisions), the log of
 * personal-data reads, and issued certificates (public verification must keep working while they are valid).
 *
 * Each call purges one bounded batch in one transaction and says whether more remain, so a large backlog is worked off
 * in short transactions and the workflow's history shows the progress. Idempotent: a purged case is marked and never
 * selected again; deleting an already deleted archive row is a no-op.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { LockMode } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { maskSubjectKey } from '../domain/masking';
import { TERMINAL_STATUSES } from '../domain/types';
import { ArchivedApplication, OneStopCase } from '../infra/db/entities';
import { classifyAll } from './errors';

export interface RetentionPurgeInput {
  /** Ended cases lose their personal data this many days after they ended. */
  caseRetentionDays: number;
  /** Archived applications are deleted this many days after archiving. */
  archiveRetentionDays: number;
  /** Rows per call (per kind). */
  batchSize: number;
}

export interface RetentionPurgeBatch {
  casesPurged: number;
  archivedDeleted: number;
  /** True when a batch was full: call again. */
  more: boolean;
}

/** The form of a purged case: only the marker of when its personal data went. */
export const PURGED_FORM_KEY = 'personalDataPurgedAt';

const DAY_MS = 86_400_000;

export function createRetentionActivities(deps: { orm: MikroORM }) {
  return classifyAll({
    async purgeExpiredPersonalData(input: RetentionPurgeInput): Promise<RetentionPurgeBatch> {
      for (const [name, v] of Object.entries(input)) {
        // A zero or negative retention would wipe cases that just ended: refuse, never guess.
        if (!Number.isInteger(v) || v < 1) throw ApplicationFailure.nonRetryable(`retention purge: ${name} must be a positive integer`, 'InvalidRetentionConfig');
      }
      const now = Date.now();
      const caseCutoff = new Date(now - input.caseRetentionDays * DAY_MS);
      const archiveCutoff = new Date(now - input.archiveRetentionDays * DAY_MS);
      const result = await deps.orm.em.fork().transactional(async (em) => {
        const cases = await em
          .createQueryBuilder(OneStopCase)
          .select(['caseNo', 'applicantKey'])
          .where({ status: { $in: [...TERMINAL_STATUSES] }, completedAt: { $lt: caseCutoff } })
          .andWhere(`"form"->>'${PURGED_FORM_KEY}' is null`)
          .orderBy({ completedAt: 'asc' })
          .limit(input.batchSize)
          // A manual run beside the scheduled one never waits on, or purges twice, the same rows.
          .setLockMode(LockMode.PESSIMISTIC_PARTIAL_WRITE)
          .getResultList();
        const purgedAt = new Date(now).toISOString();
        for (const c of cases) {
          await em.nativeUpdate(
            OneStopCase,
            { caseNo: c.caseNo },
            {
              form: { [PURGED_FORM_KEY]: purgedAt },
              applicantName: '',
              applicantKey: maskSubjectKey(c.applicantKey),
              applicantSubject: null,
              webhookUrl: null,
              evaluationComment: null,
            },
          );
        }
        const archived = await em.find(ArchivedApplication, { archivedAt: { $lt: archiveCutoff } }, { fields: ['id'], orderBy: { id: 'asc' }, limit: input.batchSize });
        const archivedDeleted = archived.length ? await em.nativeDelete(ArchivedApplication, { id: { $in: archived.map((a) => a.id) } }) : 0;
        return { casesPurged: cases.length, archivedDeleted, more: cases.length === input.batchSize || archived.length === input.batchSize };
      });
      // Counts only: which cases were purged is visible in the database, never their data in a log.
      log.info('retention purge batch', { ...result });
      return result;
    },
  });
}
