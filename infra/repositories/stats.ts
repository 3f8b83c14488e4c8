/**
 * Ops statistics over time (GET /api/v1/stats/daily, the ops dashboard): cases per service and per day in
 * Asia/Shanghai, read from one_stop_case. Only service codes, days and counts come out: no case number, no personal data.
 *
 * A case counts as received on the day it was accepted, and as completed, rejected, withdrawn or not accepted (不予受理)
 * on the day it reached that status (completed_at, which the workflow sets on every terminal status).
 */
import type { EntityManager } from '@mikro-orm/postgresql';

export interface DailyServiceCounts {
  serviceCode: string;
  /** YYYY-MM-DD in Asia/Shanghai. */
  day: string;
  received: number;
  completed: number;
  rejected: number;
  withdrawn: number;
  notAccepted: number;
}

/** Completed cases of the window grouped by what working days to completion are counted from (the caller counts them). */
export interface CompletionDays {
  serviceCode: string;
  acceptedDay: string;
  completedDay: string;
  pausedWorkingDays: number;
  count: number;
}

/**
 * Counts per service and day from `fromDay` to `toDay` (inclusive, Shanghai days). Days with nothing are absent; the
 * caller fills them. Two grouped scans (by acceptance day and by completion day), each bounded by the index on
 * accepted_at or by the window.
 */
export async function dailyCaseCounts(em: EntityManager, fromDay: string, toDay: string): Promise<DailyServiceCounts[]> {
  const rows = await em.execute<{ service_code: string; day: string; received: string | number; completed: string | number; rejected: string | number; withdrawn: string | number; not_accepted: string | number }[]>(
    `with received as (
       select service_code, to_char(accepted_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, count(*) as n
       from one_stop_case
       where accepted_at >= (?::date)::timestamp at time zone 'Asia/Shanghai'
         and accepted_at < ((?::date) + 1)::timestamp at time zone 'Asia/Shanghai'
       group by 1, 2
     ), ended as (
       select service_code, to_char(completed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day,
         count(*) filter (where status = 'completed') as completed,
         count(*) filter (where status = 'rejected') as rejected,
         count(*) filter (where status = 'withdrawn') as withdrawn,
         count(*) filter (where status = 'not_accepted') as not_accepted
       from one_stop_case
       where completed_at >= (?::date)::timestamp at time zone 'Asia/Shanghai'
         and completed_at < ((?::date) + 1)::timestamp at time zone 'Asia/Shanghai'
       group by 1, 2
     )
     select coalesce(r.service_code, e.service_code) as service_code, coalesce(r.day, e.day) as day,
       coalesce(r.n, 0) as received, coalesce(e.completed, 0) as completed, coalesce(e.rejected, 0) as rejected,
       coalesce(e.withdrawn, 0) as withdrawn, coalesce(e.not_accepted, 0) as not_accepted
     from received r full outer join ended e on r.service_code = e.service_code and r.day = e.day
     order by 1, 2`,
    [fromDay, toDay, fromDay, toDay],
  );
  return rows.map((r) => ({
    serviceCode: String(r.service_code),
    day: String(r.day),
    received: Number(r.received),
    completed: Number(r.completed),
    rejected: Number(r.rejected),
    withdrawn: Number(r.withdrawn),
    notAccepted: Number(r.not_accepted),
  }));
}

/**
 * Completed cases grouped by (service, acceptance day, completion day, paused days): the rows are bounded by distinct
 * day pairs, not by the number of cases, so it stays cheap with years of history. All of them (the metrics' histogram)
 * or those completed in a window of Shanghai days (the daily statistics).
 */
export async function completionGroups(em: EntityManager, window?: { fromDay: string; toDay: string }): Promise<CompletionDays[]> {
  const rows = await em.execute<{ service_code: string; accepted_day: string; completed_day: string; paused: string | number; n: string | number }[]>(
    `select service_code,
       to_char(accepted_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as accepted_day,
       to_char(completed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as completed_day,
       paused_working_days as paused,
       count(*) as n
     from one_stop_case
     where status = 'completed' and completed_at is not null
       ${window ? `and completed_at >= (?::date)::timestamp at time zone 'Asia/Shanghai'
       and completed_at < ((?::date) + 1)::timestamp at time zone 'Asia/Shanghai'` : ''}
     group by 1, 2, 3, 4`,
    window ? [window.fromDay, window.toDay] : [],
  );
  return rows.map((r) => ({
    serviceCode: String(r.service_code),
    acceptedDay: String(r.accepted_day),
    completedDay: String(r.completed_day),
    pausedWorkingDays: Number(r.paused),
    count: Number(r.n),
  }));
}

/** Cases completed from `fromDay` to `toDay` (inclusive), grouped as `completionGroups` groups them. */
export const completionsInWindow = (em: EntityManager, fromDay: string, toDay: string): Promise<CompletionDays[]> =>
  completionGroups(em, { fromDay, toDay });

/** Open cases flagged for ops now (attention_reason set), per service. */
export async function needingAttentionByService(em: EntityManager): Promise<{ serviceCode: string; count: number }[]> {
  const rows = await em.execute<{ service_code: string; n: string | number }[]>(
    `select service_code, count(*) as n from one_stop_case where attention_reason is not null group by 1 order by 1`,
  );
  return rows.map((r) => ({ serviceCode: String(r.service_code), count: Number(r.n) }));
}
