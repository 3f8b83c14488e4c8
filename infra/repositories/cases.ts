/**
 * Cases as the API reads and writes them (the workflow's activities write their progress). Ownership is applied here,
 * once: `findCaseForCaller` and `listCasesForCaller` return only what the caller may see (see case-view.ts for the
 * rules); every case route goes through them.
 */
import { raw, type EntityManager } from '@mikro-orm/postgresql';
import { ArchivedApplication, CaseEvent, OneStopCase } from '../db/entities';
import type { Caller } from './caller';
import { caseRelation, type CaseRelation } from './case-view';
import { departmentHasTask, latestStepOfDepartment } from './review-tasks';

export type { OneStopCase, CaseEvent };

export interface VisibleCase {
  row: OneStopCase;
  relation: CaseRelation;
  /** Reviewers: their department's most recent step on the case (the purpose of their read). */
  reviewStep?: string;
}

/** The case if `caller` may see it; `undefined` when it does not exist or is not theirs (both answer 404). */
export async function findCaseForCaller(em: EntityManager, caseNo: string, caller: Caller): Promise<VisibleCase | undefined> {
  const row = await em.findOne(OneStopCase, { caseNo });
  if (!row) return undefined;
  const hasTask = caller.role === 'reviewer' && !!caller.department && (await departmentHasTask(em, caseNo, caller.department));
  const relation = caseRelation(caller, row, hasTask);
  if (!relation) return undefined;
  const reviewStep = relation === 'deciding_reviewer' ? await latestStepOfDepartment(em, caseNo, caller.department!) : undefined;
  return { row, relation, ...(reviewStep ? { reviewStep } : {}) };
}

export interface CaseListFilter {
  service?: string;
  status?: string;
  overdue?: boolean;
  applicant?: string;
  limit: number;
}

/** The list carries no personal data: numbers, services, statuses, dates and departments only. */
export interface CaseListItem {
  caseNo: string;
  serviceCode: string;
  status: string;
  channel: string;
  acceptedAt: Date;
  deadline: Date | null;
  overdue: boolean;
  pendingDepartments: string[];
}

/**
 * Newest first. A portal lists the cases it submitted and those filed for the applicant its token asserts; ops list
 * everything. Reviewers do not list cases: their department's queue (`GET /reviews`) is their list.
 */
export async function listCasesForCaller(em: EntityManager, caller: Caller, f: CaseListFilter): Promise<CaseListItem[]> {
  if (caller.role === 'reviewer') return [];
  const where: Record<string, unknown> = {};
  if (f.service !== undefined) where.serviceCode = f.service;
  if (f.status !== undefined) where.status = f.status;
  if (f.overdue !== undefined) where.overdue = f.overdue;
  if (f.applicant !== undefined) where.applicantKey = f.applicant;
  if (caller.role === 'portal') {
    const own = [{ portalClientId: caller.clientId ?? caller.sub }, ...(caller.applicant ? [{ applicantSubject: caller.applicant }] : [])];
    where.$or = own;
  }
  const rows = await em.find(OneStopCase, where, {
    orderBy: { acceptedAt: 'desc' },
    limit: f.limit,
    fields: ['caseNo', 'serviceCode', 'status', 'channel', 'acceptedAt', 'deadline', 'overdue', 'pendingDepartments'],
  });
  return rows.map((r) => ({
    caseNo: r.caseNo,
    serviceCode: r.serviceCode,
    status: r.status,
    channel: r.channel,
    acceptedAt: r.acceptedAt,
    deadline: r.deadline ?? null,
    overdue: r.overdue,
    pendingDepartments: r.pendingDepartments,
  }));
}

/** What the audit log and the certificates say about a case, for its detail view. */
export async function caseEvents(em: EntityManager, caseNo: string): Promise<CaseEvent[]> {
  return em.find(CaseEvent, { caseNo }, { orderBy: { seq: 'asc' } });
}

// ---- Submission ----

export interface SubmittedCaseRef {
  caseNo: string;
  requestHash: string;
  status: string;
  deadline: Date | null;
  acceptedAt: Date;
  deadlineProvisional: boolean;
}

/** The case a portal client already created with this Idempotency-Key (keys are scoped per client). */
export async function findByIdempotencyKey(em: EntityManager, portalClientId: string, idempotencyKey: string): Promise<SubmittedCaseRef | undefined> {
  const row = await em.findOne(
    OneStopCase,
    { portalClientId, idempotencyKey },
    { fields: ['caseNo', 'requestHash', 'status', 'deadline', 'acceptedAt', 'deadlineProvisional'], refresh: true },
  );
  return row
    ? { caseNo: row.caseNo, requestHash: row.requestHash, status: row.status, deadline: row.deadline ?? null, acceptedAt: row.acceptedAt, deadlineProvisional: row.deadlineProvisional }
    : undefined;
}

export interface NewCase {
  /** The counter row: the service's case-number prefix and the acceptance day (`JN-SCHOOLBUS-20261126`). */
  counterPrefix: string;
  serviceCode: string;
  definitionVersion: number;
  portalClientId: string;
  applicantSubject: string | null;
  idempotencyKey: string;
  requestHash: string;
  applicantKey: string;
  applicantName: string;
  channel: string;
  /** The stored form (with the scenario answers and materials). */
  form: Record<string, unknown>;
  /** What is archived for reuse by later applications (the form alone). */
  archive: Record<string, unknown>;
  acceptedAt: Date;
  deadline: Date;
  deadlineProvisional: boolean;
  webhookUrl: string | null;
}

/**
 * Allocates the case number and stores the case and its archive copy in one transaction, on one connection. Returns
 * the new case number, or `undefined` when another request with the same client and key won the race (this
 * transaction then rolls back, so the counter has no gap and no second case exists).
 *
 * Raw SQL for two PostgreSQL-specific statements: the counter's `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`
 * (an atomic increment of a row that may not exist yet) and the case's `ON CONFLICT DO NOTHING` on the per-client
 * idempotency key (a lost race is a no-op, not an exception that would abort the transaction).
 */
export async function insertCase(em: EntityManager, c: NewCase): Promise<string | undefined> {
  return em
    .transactional(async (tx) => {
      const prefix = c.counterPrefix;
      const counter = await tx.execute<{ value: number }[]>(
        `insert into case_counter (prefix, value) values (?, 1)
         on conflict (prefix) do update set value = case_counter.value + 1 returning value`,
        [prefix],
      );
      const caseNo = `${prefix}-${String(counter[0]!.value).padStart(6, '0')}`;
      const rows = await tx.execute<{ case_no: string }[]>(
        `insert into one_stop_case (case_no, service_code, definition_version, portal_client_id, applicant_subject, idempotency_key,
           request_hash, applicant_key, applicant_name, channel, status, form, accepted_at, deadline, deadline_provisional, webhook_url, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?)
         on conflict (portal_client_id, idempotency_key) do nothing returning case_no`,
        [
          caseNo,
          c.serviceCode,
          c.definitionVersion,
          c.portalClientId,
          c.applicantSubject,
          c.idempotencyKey,
          c.requestHash,
          c.applicantKey,
          c.applicantName,
          c.channel,
          JSON.stringify(c.form),
          c.acceptedAt,
          c.deadline,
          c.deadlineProvisional,
          c.webhookUrl,
          c.acceptedAt,
        ],
      );
      if (rows.length === 0) throw new LostRace();
      await tx.insert(ArchivedApplication, { applicantKey: c.applicantKey, serviceCode: c.serviceCode, caseNo, data: c.archive, archivedAt: c.acceptedAt });
      return caseNo;
    })
    .catch((err: unknown) => {
      if (err instanceof LostRace) return undefined;
      throw err;
    });
}

class LostRace extends Error {}

/** Undoes a submission whose workflow could not start: without its workflow the case would be one nobody works on. */
export async function deleteUnstartedCase(em: EntityManager, caseNo: string): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.nativeDelete(ArchivedApplication, { caseNo });
    await tx.nativeDelete(OneStopCase, { caseNo, status: 'submitted' });
  });
}

/** The applicant's rating, once: `false` when the case was already rated. */
export async function recordEvaluation(em: EntityManager, caseNo: string, stars: number, comment: string): Promise<boolean> {
  const n = await em.nativeUpdate(OneStopCase, { caseNo, evaluationStars: null }, { evaluationStars: stars, evaluationComment: comment });
  return n > 0;
}

// ---- Ops statistics ----

export interface ServiceCounts {
  serviceCode: string;
  received: number;
  completed: number;
  rejected: number;
  withdrawn: number;
  inProgress: number;
  online: number;
  overdueNow: number;
  onTime: number;
  meanEvaluation: number | null;
}

/**
 * Per-service counts in one scan. Raw SQL for the aggregate `FILTER` clauses, which the QueryBuilder cannot express:
 * one pass over the table instead of nine grouped queries.
 */
export async function countsByService(em: EntityManager): Promise<ServiceCounts[]> {
  const rows = await em.execute<Record<string, string | number | null>[]>(
    `select service_code,
       count(*) as received,
       count(*) filter (where status = 'completed') as completed,
       count(*) filter (where status = 'rejected') as rejected,
       count(*) filter (where status = 'withdrawn') as withdrawn,
       count(*) filter (where status not in ('completed', 'rejected', 'withdrawn')) as in_progress,
       count(*) filter (where channel = 'online') as online,
       count(*) filter (where overdue and status not in ('completed', 'rejected', 'withdrawn')) as overdue_now,
       count(*) filter (where status = 'completed' and completed_at <= deadline) as on_time,
       avg(evaluation_stars) as mean_evaluation
     from one_stop_case group by service_code order by service_code`,
  );
  return rows.map((c) => ({
    serviceCode: String(c.service_code),
    received: Number(c.received),
    completed: Number(c.completed),
    rejected: Number(c.rejected),
    withdrawn: Number(c.withdrawn),
    inProgress: Number(c.in_progress),
    online: Number(c.online),
    overdueNow: Number(c.overdue_now),
    onTime: Number(c.on_time),
    meanEvaluation: c.mean_evaluation === null ? null : Number(c.mean_evaluation),
  }));
}

/** The most recent completed cases, for working days to completion (counted on the calendar by the caller). */
export async function recentCompletions(em: EntityManager, limit = 20_000) {
  return em.find(
    OneStopCase,
    { status: 'completed' },
    { orderBy: { completedAt: 'desc' }, limit, fields: ['serviceCode', 'acceptedAt', 'completedAt', 'pausedWorkingDays'] },
  );
}

/** Cases by service and status, for the metrics endpoint. */
export async function countsByServiceAndStatus(em: EntityManager): Promise<{ serviceCode: string; status: string; count: number }[]> {
  const rows = await em
    .createQueryBuilder(OneStopCase)
    .select(['serviceCode', 'status', raw('count(*) as count')])
    .groupBy(['serviceCode', 'status'])
    .execute<{ serviceCode: string; status: string; count: string | number }[]>('all');
  return rows.map((r) => ({ serviceCode: r.serviceCode, status: r.status, count: Number(r.count) }));
}

/** Readiness: PostgreSQL answers. */
export async function databaseReachable(em: EntityManager): Promise<void> {
  await em.execute('select 1');
}
