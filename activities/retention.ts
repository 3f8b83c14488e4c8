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
import type { MikroORM } from '@mikro-orm/postgresql';
import { purgeRetentionBatch } from '../infra/repositories/cases';
import { classifyAll } from './errors';

/** The key a purged case's form keeps (the marker of when its personal data went). */
export { PURGED_FORM_KEY } from '../infra/repositories/cases';

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
      // One bounded batch in one transaction (the statements are in infra/repositories/cases.ts).
      const result = await purgeRetentionBatch(deps.orm.em.fork(), { caseCutoff, archiveCutoff, batchSize: input.batchSize, purgedAt: new Date(now) });
      // Counts only: which cases were purged is visible in the database, never their data in a log.
      log.info('retention purge batch', { ...result });
      return result;
    },
  });
}
