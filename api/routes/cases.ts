/**
 * Cases: submission (idempotent), status, supplements, withdrawal, evaluation, and the reviewers' decisions, which
 * reach the workflow as signals. What the API can know is checked before signalling (409 for a step that is not open);
 * the workflow re-checks and records a late or duplicate decision as ignored, so a race never applies one twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from '../schemas/zod';
import { formatShanghai } from '../../domain/calendar';
import { toEpochMs } from '../../infra/db/timestamps';
import { TERMINAL_STATUSES, type CaseState, type CaseStatus, type Department, type ServiceDefinition } from '../../domain/types';
import { caseStateQuery, reviewDecisionSignal, supplementSignal, withdrawSignal } from '../../workflows/definitions';
import { IdempotencyConflictError, submitCase } from '../case-intake';
import type { ApiDeps } from '../context';
import type { Principal } from '../http/auth';
import { ApiError, notFound } from '../http/errors';
import { json, type RouteTable } from '../http/route';
import { schoolBusExample } from '../schemas/examples';
import { caseSubmissionSchema, materialRef } from '../schemas/forms';
import { validateSubmission } from '../submission-validation';

const caseNoParam = z.object({ caseNo: z.string().regex(/^[A-Z]{2}-[A-Z0-9]+-\d{8}-\d{6}$/, 'a case number like JN-SCHOOLBUS-20261126-000042') });
const idempotencyHeader = z.object({ 'idempotency-key': z.string().min(8).max(128).openapi({ example: '3f1c2a9e-portal-submission-0001' }) });

interface CaseRow {
  case_no: string;
  service_code: string;
  definition_version: number;
  status: CaseStatus | 'submitted';
  applicant_key: string;
  applicant_name: string;
  channel: string;
  accepted_at: Date;
  deadline: Date | null;
  deadline_provisional: boolean;
  overdue: boolean;
  pending_departments: Department[];
  paused_working_days: number;
  completed_at: Date | null;
  outcome_reasons: string[];
  evaluation_stars: number | null;
  evaluation_comment: string | null;
}

/** A stable id for a message derived from the client's Idempotency-Key, so a resent request is a duplicate. */
function messageId(req: { headers: Record<string, string | string[] | undefined> }, scope: string): string {
  const key = req.headers['idempotency-key'];
  return typeof key === 'string' && key.length > 0 ? createHash('sha256').update(`${scope}:${key}`).digest('hex').slice(0, 32) : randomUUID();
}

export function caseRoutes(t: RouteTable, deps: ApiDeps): void {
  const conn = () => deps.orm.em.fork().getConnection();

  async function loadCase(caseNo: string): Promise<CaseRow> {
    const rows = await conn().execute<CaseRow[]>('select * from one_stop_case where case_no = ?', [caseNo]);
    if (!rows[0]) throw notFound(`case ${caseNo}`);
    return rows[0];
  }

  function canSee(p: Principal | undefined, row: CaseRow): void {
    if (p?.role !== 'reviewer') return;
    const def = deps.catalog.get(row.service_code);
    if (!def?.departments.includes(p.department!)) throw new ApiError('forbidden', `${p.department} takes no part in ${row.service_code} cases`);
  }

  async function liveState(caseNo: string): Promise<CaseState | undefined> {
    try {
      return await deps.client.workflow.getHandle(caseNo).query(caseStateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  t.add({
    method: 'post',
    path: '/cases',
    summary: 'Submit one application (一表申请); idempotent on the Idempotency-Key header',
    description:
      'Validated against the service form: scenario-dependent materials, credit code and ID-card check characters, plate formats, ranges, dates. ' +
      'Materials may reference an electronic certificate (`cert:<no>`) instead of an upload. 201 with the case number; the same key again returns the same case with 200.',
    tags: ['portal'],
    access: ['portal', 'ops'],
    headers: idempotencyHeader,
    body: caseSubmissionSchema.openapi({ example: schoolBusExample() }),
    responses: {
      201: json(z.object({ caseNo: z.string(), status: z.string(), deadline: z.string(), deadlineProvisional: z.boolean() }), 'Case created and its workflow started', {
        caseNo: 'JN-SCHOOLBUS-20261126-000042',
        status: 'in_review',
        deadline: '2026-12-03T23:59:59+08:00',
        deadlineProvisional: false,
      }),
      200: json(z.object({ caseNo: z.string() }).loose(), 'The case this Idempotency-Key already created'),
      404: json(z.object({}), 'Unknown service'),
      409: json(z.object({}), 'The Idempotency-Key was used for a different application'),
      422: json(z.object({}), 'A referenced certificate cannot be used'),
    },
    handler: async ({ body, req }) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || key.length < 8 || key.length > 128) {
        throw new ApiError('validation', 'an Idempotency-Key header (8-128 characters) is required', [{ path: 'headers.idempotency-key', message: 'required' }]);
      }
      const def = deps.catalog.get(body.serviceCode);
      if (!def) throw notFound(`service ${body.serviceCode}`);
      const now = Date.now();
      const em = deps.orm.em.fork();
      const form = await validateSubmission(def, body, em, now);
      try {
        const result = await submitCase(
          { orm: deps.orm, client: deps.client, taskQueue: deps.taskQueue, calendar: deps.calendar },
          def,
          { idempotencyKey: key, channel: body.channel, form, scenarioAnswers: body.scenarioAnswers, materials: body.materials, webhookUrl: body.webhookUrl },
          now,
        );
        const { created, ...rest } = result;
        return { status: created ? 201 : 200, body: rest, headers: { Location: `/api/v1/cases/${result.caseNo}` } };
      } catch (err) {
        if (err instanceof IdempotencyConflictError) throw new ApiError('conflict', err.message);
        throw err;
      }
    },
  });

  t.add({
    method: 'get',
    path: '/cases',
    summary: 'List cases, newest first, filtered by service, status and overdue',
    tags: ['ops'],
    access: ['ops', 'portal'],
    query: z.object({
      service: z.string().max(32).optional(),
      status: z.string().max(32).optional(),
      overdue: z.enum(['true', 'false']).optional(),
      applicant: z.string().max(32).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: json(z.object({ cases: z.array(z.object({}).loose()) }), 'Cases') },
    handler: async ({ query }) => {
      const filters: [string, unknown][] = [
        ['service_code = ?', query.service],
        ['status = ?', query.status],
        ['overdue = ?', query.overdue === undefined ? undefined : query.overdue === 'true'],
        ['applicant_key = ?', query.applicant],
      ];
      const used = filters.filter(([, v]) => v !== undefined);
      const where = used.map(([sql]) => sql);
      const params = used.map(([, v]) => v);
      const rows = await conn().execute<CaseRow[]>(
        `select case_no, service_code, status, channel, accepted_at, deadline, overdue, pending_departments from one_stop_case
         ${where.length ? `where ${where.join(' and ')}` : ''} order by accepted_at desc limit ?`,
        [...params, query.limit],
      );
      return { status: 200, body: { cases: rows.map((r) => ({ caseNo: r.case_no, service: r.service_code, status: r.status, channel: r.channel, acceptedAt: formatShanghai(toEpochMs(r.accepted_at)), deadline: r.deadline ? formatShanghai(toEpochMs(r.deadline)) : null, overdue: r.overdue, pendingDepartments: r.pending_departments })) } };
    },
  });

  t.add({
    method: 'get',
    path: '/cases/:caseNo',
    summary: 'Status, steps (department, decision, deadline), paused time, certificates and timeline of one case',
    tags: ['portal', 'reviewers'],
    access: ['portal', 'reviewer', 'ops'],
    description:
      'Read from PostgreSQL (the case row, review tasks and audit log that the workflow writes), so it answers even while workers are down. ' +
      '`?live=true` asks the running workflow itself (a Temporal query) instead.',
    params: caseNoParam,
    query: z.object({ live: z.enum(['true', 'false']).default('false') }),
    responses: { 200: json(z.object({ caseNo: z.string(), status: z.string() }).loose(), 'The case'), 404: json(z.object({}), 'Unknown case') },
    handler: async ({ params, query, principal }) => {
      const row = await loadCase(params.caseNo);
      canSee(principal, row);
      const wantLive = query.live === 'true' && !TERMINAL_STATUSES.includes(row.status as CaseStatus);
      const live = wantLive ? await liveState(params.caseNo).catch(() => undefined) : undefined;
      const certificates = await conn().execute<{ no: string; type: string; subject_key: string; valid_until: string; revoked_at: Date | null }[]>(
        `select no, type, subject_key, to_char(valid_until, 'YYYY-MM-DD') as valid_until, revoked_at from certificate where case_no = ? order by no`,
        [params.caseNo],
      );
      const events = await conn().execute<{ seq: number; type: string; actor: string | null; payload: Record<string, unknown>; at: Date }[]>(
        'select seq, type, actor, payload, at from case_event where case_no = ? order by seq',
        [params.caseNo],
      );
      const tasks = live ? [] : await conn().execute<TaskRow[]>(
        `select distinct on (step_id) step_id, round, status, deadline, reminded, overdue from review_task where case_no = ? order by step_id, round desc`,
        [params.caseNo],
      );
      const steps = live?.steps ?? stepsFromRecords(deps.catalog.get(row.service_code), events, tasks);
      const lastNotice = [...events].reverse().find((e) => e.type === 'supplement_requested');
      return {
        status: 200,
        body: {
          caseNo: row.case_no,
          service: row.service_code,
          definitionVersion: row.definition_version,
          status: live?.status ?? (row.status === 'submitted' ? 'in_review' : row.status),
          channel: row.channel,
          applicant: { key: row.applicant_key, name: row.applicant_name },
          acceptedAt: formatShanghai(toEpochMs(row.accepted_at)),
          deadline: live?.deadline ?? (row.deadline ? formatShanghai(toEpochMs(row.deadline)) : null),
          deadlineProvisional: live?.deadlineProvisional ?? row.deadline_provisional,
          overdue: live?.overdue ?? row.overdue,
          pausedWorkingDays: live?.pausedWorkingDays ?? row.paused_working_days,
          pausedSince: live ? (live.pausedSince ?? null) : row.status === 'awaiting_supplement' && lastNotice ? formatShanghai(toEpochMs(lastNotice.at)) : null,
          outstandingSupplement: live?.outstandingSupplement ?? (row.status === 'awaiting_supplement' ? (lastNotice?.payload.missing ?? []) : []),
          pendingDepartments: live?.pendingDepartments ?? row.pending_departments,
          reasons: live?.reasons ?? row.outcome_reasons,
          steps,
          certificates: certificates.map((c) => ({ no: c.no, type: c.type, subject: c.subject_key, validUntil: c.valid_until, revoked: c.revoked_at !== null })),
          evaluation: row.evaluation_stars ? { stars: row.evaluation_stars, comment: row.evaluation_comment } : null,
          timeline: events.map((e) => ({ seq: e.seq, at: formatShanghai(toEpochMs(e.at)), type: e.type, actor: e.actor, detail: e.payload.detail ?? null })),
        },
      };
    },
  });

  t.add({
    method: 'post',
    path: '/cases/:caseNo/steps/:stepId/decision',
    summary: "A reviewer's decision on a step: approve, reject with reasons, or request a supplement listing everything missing",
    description: 'Sent to the case as a signal (202). 409 when the step is not open for decisions or is claimed by another reviewer; 403 when it belongs to another department.',
    tags: ['reviewers'],
    access: ['reviewer'],
    params: caseNoParam.extend({ stepId: z.string().regex(/^[a-z][a-z0-9-]{0,47}$/) }),
    body: z
      .object({
        decision: z.enum(['approve', 'reject', 'request_supplement']),
        comment: z.string().trim().min(1).max(2000),
        missing: z.array(z.object({ material: z.string().min(1).max(64), reason: z.string().min(1).max(500) })).max(50).optional(),
      })
      .refine((d) => d.decision !== 'request_supplement' || (d.missing?.length ?? 0) > 0, {
        message: 'list everything that is missing, once (一次告知)',
        path: ['missing'],
      })
      .openapi({ example: { decision: 'approve', comment: '符合条件，同意' } }),
    responses: {
      202: json(z.object({ decisionId: z.string() }), 'Decision sent to the case'),
      404: json(z.object({}), 'Unknown case or step'),
      409: json(z.object({}), 'The step is not open for decisions'),
    },
    handler: async ({ params, body, principal, req }) => {
      const row = await loadCase(params.caseNo);
      const p = principal!;
      // Checked against what the workflow wrote to PostgreSQL (no query round trip to a worker): the case row and the
      // step's review task. The workflow re-checks on arrival and records a decision that raced in as ignored.
      const stepDef = deps.catalog.get(row.service_code)?.review.steps.find((s) => s.id === params.stepId);
      if (!stepDef) throw notFound(`step ${params.stepId} of case ${params.caseNo}`);
      if (stepDef.department !== p.department) throw new ApiError('forbidden', `step ${stepDef.id} belongs to ${stepDef.department}`);
      if (row.status !== 'in_review' && row.status !== 'submitted') throw new ApiError('conflict', `the case is ${row.status}: no step is open for decisions`);
      const tasks = await conn().execute<{ round: number; status: string; claimed_by: string | null }[]>(
        'select round, status, claimed_by from review_task where case_no = ? and step_id = ? order by round desc limit 1',
        [params.caseNo, stepDef.id],
      );
      const task = tasks[0];
      if (!task || task.status !== 'open') {
        throw new ApiError('conflict', `step ${stepDef.id} is not open for decisions (${task ? `task ${task.status}` : 'not opened yet'})`);
      }
      if (task.claimed_by && task.claimed_by !== p.sub) throw new ApiError('conflict', `the task is claimed by ${task.claimed_by}`);
      const decisionId = messageId(req, `${params.caseNo}:${stepDef.id}:${task.round}`);
      await deps.client.workflow.getHandle(params.caseNo).signal(reviewDecisionSignal, {
        decisionId,
        stepId: stepDef.id,
        decision: body.decision,
        comment: body.comment,
        ...(body.missing ? { missing: body.missing } : {}),
        reviewer: p.sub,
        department: p.department!,
      });
      return { status: 202, body: { decisionId, caseNo: params.caseNo, stepId: stepDef.id } };
    },
  });

  t.add({
    method: 'post',
    path: '/cases/:caseNo/supplements',
    summary: 'The applicant supplies what was asked for (补正); the case resumes and reopens the steps that asked',
    tags: ['portal'],
    access: ['portal'],
    params: caseNoParam,
    body: z.object({ materials: z.array(materialRef).min(1).max(100), comment: z.string().max(2000).optional() }),
    responses: { 202: json(z.object({ supplementId: z.string() }), 'Supplement sent to the case'), 409: json(z.object({}), 'The case is not waiting for a supplement') },
    handler: async ({ params, body, req }) => {
      const row = await loadCase(params.caseNo);
      if (row.status !== 'awaiting_supplement') throw new ApiError('conflict', `the case is ${row.status}, not waiting for a supplement`);
      const supplementId = messageId(req, `${params.caseNo}:supplement`);
      await deps.client.workflow.getHandle(params.caseNo).signal(supplementSignal, { supplementId, materials: body.materials, ...(body.comment ? { comment: body.comment } : {}) });
      return { status: 202, body: { supplementId, caseNo: params.caseNo } };
    },
  });

  t.add({
    method: 'post',
    path: '/cases/:caseNo/withdraw',
    summary: 'The applicant withdraws the case; open review tasks are cancelled',
    tags: ['portal'],
    access: ['portal'],
    params: caseNoParam,
    body: z.object({ reason: z.string().trim().min(1).max(500) }),
    responses: { 202: json(z.object({ caseNo: z.string() }), 'Withdrawal sent to the case'), 409: json(z.object({}), 'The case has already ended') },
    handler: async ({ params, body, req }) => {
      const row = await loadCase(params.caseNo);
      if (TERMINAL_STATUSES.includes(row.status as CaseStatus)) throw new ApiError('conflict', `the case is already ${row.status}`);
      await deps.client.workflow.getHandle(params.caseNo).signal(withdrawSignal, { requestId: messageId(req, `${params.caseNo}:withdraw`), reason: body.reason });
      return { status: 202, body: { caseNo: params.caseNo, status: 'withdrawing' } };
    },
  });

  t.add({
    method: 'post',
    path: '/cases/:caseNo/evaluation',
    summary: 'The applicant rates the service after the case ended (好差评): 1-5 stars and a comment, once',
    tags: ['portal'],
    access: ['portal'],
    params: caseNoParam,
    body: z.object({ stars: z.number().int().min(1).max(5), comment: z.string().max(2000).default('') }),
    responses: { 201: json(z.object({ stars: z.number() }), 'Recorded'), 409: json(z.object({}), 'Not ended yet, or already evaluated') },
    handler: async ({ params, body }) => {
      const row = await loadCase(params.caseNo);
      if (!['completed', 'rejected'].includes(row.status)) throw new ApiError('conflict', `the case is ${row.status}: evaluate it after it ends`);
      const updated = await conn().execute<{ case_no: string }[]>(
        'update one_stop_case set evaluation_stars = ?, evaluation_comment = ? where case_no = ? and evaluation_stars is null returning case_no',
        [body.stars, body.comment, params.caseNo],
      );
      if (updated.length === 0) throw new ApiError('conflict', 'this case has already been evaluated');
      return { status: 201, body: { caseNo: params.caseNo, stars: body.stars, comment: body.comment } };
    },
  });
}

interface TaskRow {
  step_id: string;
  round: number;
  status: string;
  deadline: Date | string | null;
  reminded: boolean;
  overdue: boolean;
}

/** Steps as the audit log and the review tasks record them: the same shape as the workflow's live steps. */
function stepsFromRecords(
  def: ServiceDefinition | undefined,
  events: { type: string; payload: Record<string, unknown>; at: Date | string; actor: string | null }[],
  tasks: TaskRow[],
) {
  type AuditStep = {
    id: string;
    name?: unknown;
    department?: string;
    kind?: string;
    status: string;
    round?: number;
    deadline?: string;
    reminded?: boolean;
    overdue?: boolean;
    decisions: unknown[];
    check?: unknown;
  };
  const steps = new Map<string, AuditStep>(
    (def?.review.steps ?? []).map((s) => [s.id, { id: s.id, name: s.name, department: s.department, kind: s.kind, status: 'waiting', decisions: [] }]),
  );
  for (const e of events) {
    const id = e.payload.stepId as string | undefined;
    if (!id) continue;
    const s = steps.get(id) ?? { id, status: 'waiting', decisions: [] };
    const at = formatShanghai(toEpochMs(e.at));
    if (e.type === 'step_opened') s.status = 'open';
    if (e.type === 'decision_applied') {
      s.status = { approve: 'approved', reject: 'rejected', request_supplement: 'supplement_requested' }[e.payload.decision as string] ?? s.status;
      s.decisions.push({ decision: e.payload.decision, comment: e.payload.comment, missing: e.payload.missing, reviewer: e.actor, at });
    }
    if (e.type === 'step_deemed_approved') {
      s.status = 'approved';
      s.decisions.push({ decision: 'deemed_approval', reviewer: 'system', at });
    }
    if (e.type === 'automatic_check_completed') {
      s.status = e.payload.hardRefusal ? 'rejected' : 'approved';
      s.check = { verdict: e.payload.verdict, hardRefusal: e.payload.hardRefusal, reasons: e.payload.reasons, report: e.payload.report };
    }
    steps.set(id, s);
  }
  for (const t of tasks) {
    const s = steps.get(t.step_id);
    if (!s) continue;
    Object.assign(s, { round: t.round, reminded: t.reminded, overdue: t.overdue, ...(t.deadline ? { deadline: formatShanghai(toEpochMs(t.deadline)) } : {}) });
    if (t.status === 'open') s.status = 'open';
    if (t.status === 'cancelled' && s.status === 'open') s.status = 'cancelled';
  }
  return [...steps.values()];
}
