/**
 * What the API's Prometheus metrics read from PostgreSQL at scrape time (api/http/metrics.ts): case counts by service
 * and status, open cases overdue or needing attention, completions for working days to completion, and webhook
 * delivery attempts. Computed from the tables rather than counted in memory, so every API replica reports the same
 * numbers and a restart loses nothing. Only service codes, statuses and counts come out: no case number, no
 * personal data.
 */
import { completionGroups, type CompletionDays } from './stats';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface CaseStatusCount {
  serviceCode: string;
  status: string;
  /** Cases of this service in this status. */
  count: number;
  /** Of these, open cases past their deadline now. */
  overdue: number;
  /** Of these, cases flagged for ops (attention_reason set). */
  needingAttention: number;
}

/** Completed cases sharing service, acceptance and completion day (Shanghai) and paused days. */
export type CompletionGroup = CompletionDays;

export interface WebhookAttemptCounts {
  delivered: number;
  failed: number;
}

export interface CaseMetricsSnapshot {
  byStatus: CaseStatusCount[];
  completions: CompletionGroup[];
  webhooks: WebhookAttemptCounts;
}

/**
 * One scan of one_stop_case grouped by service and status, with the overdue and attention counts as FILTER
 * aggregates. Overdue: an open case the workflow marked overdue, or whose deadline has passed and whose clock is not
 * paused for a supplement (the deadline moves when the applicant answers), so a stalled worker still shows.
 */
async function statusCounts(em: EntityManager): Promise<CaseStatusCount[]> {
  const rows = await em.execute<{ service_code: string; status: string; n: string | number; overdue: string | number; attention: string | number }[]>(
    `select service_code, status,
       count(*) as n,
       count(*) filter (where status not in ('completed', 'rejected', 'withdrawn', 'not_accepted')
                          and (overdue or (deadline < now() and status <> 'awaiting_supplement'))) as overdue,
       count(*) filter (where attention_reason is not null) as attention
     from one_stop_case group by service_code, status order by service_code, status`,
  );
  return rows.map((r) => ({
    serviceCode: String(r.service_code),
    status: String(r.status),
    count: Number(r.n),
    overdue: Number(r.overdue),
    needingAttention: Number(r.attention),
  }));
}


/** Webhook delivery attempts (one row each in webhook_delivery): delivered when no error was recorded. */
async function webhookAttempts(em: EntityManager): Promise<WebhookAttemptCounts> {
  const rows = await em.execute<{ delivered: string | number; failed: string | number }[]>(
    `select count(*) filter (where error is null) as delivered, count(*) filter (where error is not null) as failed from webhook_delivery`,
  );
  return { delivered: Number(rows[0]?.delivered ?? 0), failed: Number(rows[0]?.failed ?? 0) };
}

/** Everything the case metrics need, read in one short read-only pass. */
export async function caseMetricsSnapshot(em: EntityManager): Promise<CaseMetricsSnapshot> {
  const [byStatus, completions, webhooks] = await Promise.all([statusCounts(em.fork()), completionGroups(em.fork()), webhookAttempts(em.fork())]);
  return { byStatus, completions, webhooks };
}
