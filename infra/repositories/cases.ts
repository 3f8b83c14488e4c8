/**
 * The case aggregate: the case row, its append-only audit log (case_event), its needs-attention flag and its archived
 * application. The API reads and submits cases here; the workflow's activities record the case's progress here (with
 * the review tasks that belong to a transition, in one transaction) and the retention purge runs here.
 *
 * Ownership is applied here, once: `findCaseForCaller` and `listCasesForCaller` return only what the caller may see
 * (see case-view.ts for the rules); every case route goes through them. The reads for the workflow's own activities
 * (`findCaseForm`, `findWebhookTarget`) are not scoped: the case's own workflow is the caller.
 */
import { deleteCheckReports } from './check-reports';
import { LockMode } from '@mikro-orm/core';
import { raw, type EntityManager } from '@mikro-orm/postgresql';
import { maskSubjectKey } from '../../domain/masking';
import { TERMINAL_STATUSES } from '../../domain/types';
import { ArchivedApplication, CaseEvent, OneStopCase } from '../db/entities';
import type { Caller } from './caller';
import { caseRelation, type CaseRelation } from './case-view';
import { departmentHasTask, latestStepOfDepartment, reviewTaskId, type NewReviewTask, type ReviewTaskChange } from './review-tasks';

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
  /** `null` for an application not accepted: no review, so no promise. */
  deadline: Date | null;
  deadlineProvisional: boolean;
  webhookUrl: string | null;
  /**
   * Not accepted at intake (不予受理, domain/non-acceptance.ts): the case is stored as `not_accepted`, ended when it was
   * received, with its reasons on the row and the grounds (with their legal basis) as its first audit entry; nothing is
   * archived for reuse, since no review will use it.
   */
  notAccepted?: { reasons: string[]; grounds: Record<string, unknown>[] };
}

/** Statuses in which a case has ended: the workflow's terminal statuses and `not_accepted` (no workflow at all). */
export const ENDED_STATUSES: readonly string[] = [...TERMINAL_STATUSES, 'not_accepted'];

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
           request_hash, applicant_key, applicant_name, channel, status, form, accepted_at, deadline, deadline_provisional, webhook_url, updated_at,
           completed_at, outcome_reasons, last_event_seq)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
          c.notAccepted ? 'not_accepted' : 'submitted',
          JSON.stringify(c.form),
          c.acceptedAt,
          c.deadline,
          c.deadlineProvisional,
          c.webhookUrl,
          c.acceptedAt,
          c.notAccepted ? c.acceptedAt : null,
          JSON.stringify(c.notAccepted?.reasons ?? []),
          c.notAccepted ? 1 : 0,
        ],
      );
      if (rows.length === 0) throw new LostRace();
      if (c.notAccepted) {
        await appendCaseEvent(tx, {
          caseNo,
          seq: 1,
          type: 'not_accepted',
          actor: 'system',
          payload: { detail: `not accepted at intake: ${c.notAccepted.grounds.length} ground(s)`, reasons: c.notAccepted.reasons, grounds: c.notAccepted.grounds },
          at: c.acceptedAt,
        });
      } else {
        await tx.insert(ArchivedApplication, { applicantKey: c.applicantKey, serviceCode: c.serviceCode, caseNo, data: c.archive, archivedAt: c.acceptedAt });
      }
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

// ---- What the case's workflow reads and records ----

/** The stored form (the application as submitted), or `undefined` when there is no such case. */
export async function findCaseForm(em: EntityManager, caseNo: string): Promise<Record<string, unknown> | undefined> {
  const row = await em.findOne(OneStopCase, { caseNo }, { fields: ['caseNo', 'form'] });
  return row?.form;
}

/** Where the case's status changes go, and which portal client's registration and secret apply. */
export async function findWebhookTarget(em: EntityManager, caseNo: string): Promise<{ webhookUrl: string | null; portalClientId: string } | undefined> {
  const row = await em.findOne(OneStopCase, { caseNo }, { fields: ['caseNo', 'webhookUrl', 'portalClientId'] });
  return row ? { webhookUrl: row.webhookUrl ?? null, portalClientId: row.portalClientId } : undefined;
}

/** The case row's needs-attention reason (`null` when not flagged), or `undefined` when there is no such case. */
export async function findAttentionReason(em: EntityManager, caseNo: string): Promise<string | null | undefined> {
  const row = await em.findOne(OneStopCase, { caseNo }, { fields: ['caseNo', 'attentionReason'] });
  return row ? (row.attentionReason ?? null) : undefined;
}

export interface CaseEventEntry {
  caseNo: string;
  seq: number;
  type: string;
  actor: string | null;
  payload: Record<string, unknown>;
  at: Date;
}

/**
 * Appends an audit entry; idempotent on (case_no, seq): a retried write of the same entry is a no-op, and `ON CONFLICT
 * DO NOTHING` (not a caught unique violation) keeps the surrounding transaction usable.
 */
export async function appendCaseEvent(em: EntityManager, e: CaseEventEntry): Promise<void> {
  await em
    .createQueryBuilder(CaseEvent)
    .insert({ caseNo: e.caseNo, seq: e.seq, type: e.type, actor: e.actor, payload: e.payload, at: e.at })
    .onConflict(['caseNo', 'seq'])
    .ignore()
    .execute('run');
}

/** The case row as the workflow's snapshot after an audited event sets it. */
export interface CaseRowSnapshot {
  status: string;
  pendingDepartments: string[];
  deadline: Date;
  deadlineProvisional: boolean;
  overdue: boolean;
  pausedWorkingDays: number;
  completedAt: Date | null;
  outcomeReasons: string[];
  updatedAt: Date;
}

export interface CaseProgressRecord {
  /** The audit entry; its `seq` orders the snapshots. */
  event: CaseEventEntry;
  snapshot: CaseRowSnapshot;
  /** Review-task writes that belong to this transition. */
  openTask?: NewReviewTask;
  taskChanges?: ReviewTaskChange[];
}

/**
 * One transition of a case, atomically: the audit entry, the review tasks it opens or changes, and the case row.
 * Idempotent on retry: the entry and an opened task are inserted `ON CONFLICT DO NOTHING` on their unique keys, and
 * the row only moves forward (`last_event_seq < seq`): a retried older event never overwrites a newer snapshot. A
 * progress record that succeeds also clears the needs-attention flag: the case moves again.
 *
 * One SQL statement (data-modifying CTEs, so one implicit transaction on one connection): the case's most frequent
 * write (about ten per case, each a local activity in the workflow's task) costs one round trip instead of BEGIN,
 * three to five statements built by the query builder, and COMMIT (issue 13: the worker's and PostgreSQL's CPU per
 * case). The sub-statements touch different rows (a transition opens a task or changes tasks, never both of one).
 */
export async function recordCaseProgress(em: EntityManager, p: CaseProgressRecord): Promise<void> {
  const e = p.event;
  const s = p.snapshot;
  const t = p.openTask;
  const changes = (p.taskChanges ?? []).map((c) => ({
    id: reviewTaskId(c.caseNo, c.stepId, c.round),
    status: c.status ?? null,
    decision: c.decision ?? null,
    reminded: c.reminded ?? null,
    overdue: c.overdue ?? null,
  }));
  await em.getConnection().execute(
    `with event as (
       insert into case_event (case_no, seq, type, actor, payload, at) values (?, ?, ?, ?, ?::jsonb, ?)
       on conflict (case_no, seq) do nothing
     ), opened as (
       insert into review_task (id, case_no, service_code, step_id, round, department, status, deadline, reminded, overdue, automatic_report, created_at)
       select ?::varchar, ?::varchar, ?::varchar, ?::varchar, ?::int, ?::varchar, 'open', ?::timestamptz, false, false, ?::jsonb, now() where ?::boolean
       on conflict (case_no, step_id, round) do nothing
     ), changed as (
       update review_task r set
         status = coalesce(c.status, r.status),
         closed_at = case when c.status is null then r.closed_at else coalesce(r.closed_at, now()) end,
         decision = coalesce(c.decision, r.decision),
         reminded = coalesce(c.reminded, r.reminded),
         overdue = coalesce(c.overdue, r.overdue)
       from jsonb_to_recordset(?::jsonb) as c(id text, status text, decision text, reminded boolean, overdue boolean)
       where r.id = c.id
     )
     update one_stop_case set status = ?, pending_departments = ?::jsonb, deadline = ?, deadline_provisional = ?, overdue = ?,
       paused_working_days = ?, completed_at = ?, outcome_reasons = ?::jsonb, updated_at = ?, last_event_seq = ?,
       attention_reason = null, attention_since = null
     where case_no = ? and last_event_seq < ?`,
    [
      e.caseNo, e.seq, e.type, e.actor, JSON.stringify(e.payload), e.at,
      t ? reviewTaskId(t.caseNo, t.stepId, t.round) : null, t?.caseNo ?? null, t?.serviceCode ?? null, t?.stepId ?? null, t?.round ?? null,
      t?.department ?? null, t?.deadline ?? null, t?.automaticReport != null ? JSON.stringify(t.automaticReport) : null, !!t,
      JSON.stringify(changes),
      s.status, JSON.stringify(s.pendingDepartments), s.deadline, s.deadlineProvisional, s.overdue,
      s.pausedWorkingDays, s.completedAt, JSON.stringify(s.outcomeReasons), s.updatedAt, e.seq,
      e.caseNo, e.seq,
    ],
    'run',
  );
}

/**
 * The audit entry of a needs-attention flag or an ops retry, with (for a flag) the case row's flag, in one transaction.
 * The row's `last_event_seq` is left alone: the failed record (an earlier seq) must still be able to move the row when
 * ops retry it, and that successful write clears the flag. Idempotent on retry.
 */
export async function recordAttention(em: EntityManager, event: CaseEventEntry, flag?: { reason: string; since: Date }): Promise<void> {
  await em.transactional(async (tx) => {
    await appendCaseEvent(tx, event);
    if (flag) await tx.nativeUpdate(OneStopCase, { caseNo: event.caseNo }, { attentionReason: flag.reason.slice(0, 500), attentionSince: flag.since });
  });
}

// ---- Retention (PIPL art. 19 and 47; the rules are in activities/retention.ts) ----

/** The form of a purged case: only the marker of when its personal data went. */
export const PURGED_FORM_KEY = 'personalDataPurgedAt';

export interface RetentionBatch {
  /** Ended cases that ended before this lose their personal data. */
  caseCutoff: Date;
  /** Archived applications archived before this are deleted. */
  archiveCutoff: Date;
  /** Rows per call, per kind. */
  batchSize: number;
  purgedAt: Date;
}

/**
 * One bounded batch in one transaction: strips the personal data of ended cases past their retention (the row stays
 * as an anonymous statistic) and deletes archived applications past theirs. Idempotent: a purged case carries the
 * marker in its form and is never selected again; deleting a deleted archive row is a no-op.
 */
export async function purgeRetentionBatch(em: EntityManager, b: RetentionBatch): Promise<{ casesPurged: number; archivedDeleted: number; more: boolean }> {
  return em.transactional(async (tx) => {
    const cases = await tx.find(
      OneStopCase,
      // `form->>'personalDataPurgedAt' is null`: not purged yet.
      { status: { $in: [...ENDED_STATUSES] }, completedAt: { $lt: b.caseCutoff }, form: { [PURGED_FORM_KEY]: null } },
      {
        fields: ['caseNo', 'applicantKey'],
        orderBy: { completedAt: 'asc' },
        limit: b.batchSize,
        // FOR UPDATE SKIP LOCKED: a manual run beside the scheduled one never waits on, or purges twice, the same rows.
        lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE,
      },
    );
    const marker = { [PURGED_FORM_KEY]: b.purgedAt.toISOString() };
    for (const c of cases) {
      await tx.nativeUpdate(
        OneStopCase,
        { caseNo: c.caseNo },
        { form: marker, applicantName: '', applicantKey: maskSubjectKey(c.applicantKey), applicantSubject: null, webhookUrl: null, evaluationComment: null, accessCodeHash: null },
      );
    }
    await deleteCheckReports(tx, cases.map((c) => c.caseNo));
    const archived = await tx.find(ArchivedApplication, { archivedAt: { $lt: b.archiveCutoff } }, { fields: ['id'], orderBy: { id: 'asc' }, limit: b.batchSize });
    const archivedDeleted = archived.length ? await tx.nativeDelete(ArchivedApplication, { id: { $in: archived.map((a) => a.id) } }) : 0;
    return { casesPurged: cases.length, archivedDeleted, more: cases.length === b.batchSize || archived.length === b.batchSize };
  });
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
       count(*) filter (where status not in ('completed', 'rejected', 'withdrawn', 'not_accepted')) as in_progress,
       count(*) filter (where channel = 'online') as online,
       count(*) filter (where overdue and status not in ('completed', 'rejected', 'withdrawn', 'not_accepted')) as overdue_now,
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
