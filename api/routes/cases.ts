/**
 * Cases: submission (idempotent per portal client), status, supplements, withdrawal, evaluation, and the reviewers'
 * decisions, which reach the workflow as signals. Every route reads the case through `findCaseForCaller`, which answers
 * only for the caller's own cases (404 otherwise: existence is not revealed). What the API can know is checked before
 * signalling (409 for a step that is not open or not claimed by the caller); the workflow re-checks and records a late
 * or duplicate decision as ignored, so a race never applies one twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from '../schemas/zod';
import { formatShanghai } from '../../domain/calendar';
import { maskSubjectKey } from '../../domain/masking';
import { toEpochMs } from '../../infra/db/timestamps';
import { recordAccess } from '../../infra/repositories/access-log';
import { actorLabel, COUNTER_CLIENT_ID } from '../../infra/repositories/caller';
import { casePurpose, maskPersonalData, maskSteps, personalSubjects, seesPersonalData } from '../../infra/repositories/case-view';
import { caseEvents, ENDED_STATUSES, findCaseForCaller, listCasesForCaller, recordEvaluation, type VisibleCase } from '../../infra/repositories/cases';
import { certificatesOfCase, isoDay } from '../../infra/repositories/certificates';
import { latestTaskOfStep, latestTaskPerStep, type ReviewTask } from '../../infra/repositories/review-tasks';
import { loadCheckReports } from '../../infra/repositories/check-reports';
import {
  hasAccessCode,
  hashAccessCode,
  liveStepView,
  newAccessCode,
  stepsFromRecords,
  storeAccessCodeOnce,
  supplementNoticeOf,
  writtenDecisionOf,
} from '../../infra/repositories/tracking';
import { JURISDICTION } from '../../activities/checks';
import type { CaseState } from '../../domain/types';
import { caseStateQuery, reviewDecisionSignal, supplementSignal, withdrawSignal } from '../../workflows/definitions';
import { decisionBodySchema, supplementBodySchema, withdrawBodySchema } from '../../workflows/messages';
import { IdempotencyConflictError, submitCase } from '../case-intake';
import type { ApiDeps } from '../context';
import type { Principal } from '../http/auth';
import { ApiError, notFound } from '../http/errors';
import { errorBody, json, type RouteTable } from '../http/route';
import { schoolBusExample } from '../schemas/examples';
import { caseSubmissionSchema } from '../schemas/forms';
import { caseListItem, caseReceipt, caseView, supplementNotice, writtenDecision } from '../schemas/responses';
import { validateSubmission } from '../submission-validation';

export const caseNoParam = z.object({ caseNo: z.string().regex(/^[A-Z]{2}-[A-Z0-9]+-\d{8}-\d{6}$/, 'a case number like JN-SCHOOLBUS-20261126-000042') });
const idempotencyHeader = z.object({ 'idempotency-key': z.string().min(8).max(128).openapi({ example: '3f1c2a9e-portal-submission-0001' }) });

/** A stable id for a message derived from the client's Idempotency-Key, so a resent request is a duplicate. */
export function messageId(req: { headers: Record<string, string | string[] | undefined> }, scope: string): string {
  const key = req.headers['idempotency-key'];
  return typeof key === 'string' && key.length > 0 ? createHash('sha256').update(`${scope}:${key}`).digest('hex').slice(0, 32) : randomUUID();
}

const shanghai = (d: Date | string) => formatShanghai(toEpochMs(d));

/** The answer to a supplement, from the portal or from the applicant's tracking page. */
export const supplementAccepted = z.object({ supplementId: z.string(), caseNo: z.string() }).openapi('SupplementAccepted');

/**
 * The applicant's tracking code, stored as a hash the first time a response for the case can carry it: the 201 that
 * created the case, or (when that response failed before the hash was stored) the replay that finds none. Whoever's
 * conditional UPDATE stores the hash shows the code; every later replay finds it and shows nothing.
 */
async function issueAccessCode(em: EntityManager, caseNo: string, created: boolean): Promise<string | undefined> {
  if (!created && (await hasAccessCode(em, caseNo))) return undefined;
  const code = newAccessCode();
  return (await storeAccessCodeOnce(em, caseNo, await hashAccessCode(code))) ? code : undefined;
}

export function caseRoutes(t: RouteTable, deps: ApiDeps): void {
  /** The case if the caller may see it; 404 for unknown and not-yours alike. */
  async function caseForCaller(em: EntityManager, caseNo: string, principal: Principal | undefined): Promise<VisibleCase> {
    const found = await findCaseForCaller(em, caseNo, principal!);
    if (!found) throw notFound(`case ${caseNo}`);
    return found;
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
    summary: 'Submit one application (一表申请); idempotent on the Idempotency-Key header, per portal client',
    description:
      'Validated against the service form: scenario-dependent materials, credit code and ID-card check characters, plate formats, ranges, dates. ' +
      'Materials may reference an electronic certificate (`cert:<no>`) instead of an upload. 201 with the case number; the same key again from the same portal client returns the same case with 200. ' +
      'The case belongs to the submitting portal client (the token\'s subject) and to the applicant the token asserts (`applicant` claim); ops submitting at the counter record the counter as the client. ' +
      'An application the law does not allow to be accepted (不予受理, 行政许可法 art. 32: for OVERSIZE divisible cargo, a carrier whose scope lacks bulky cargo, a trip starting outside the city) ' +
      'is recorded with status `not_accepted`, starts no review, and the 201 carries the written decision (`decision`: reasons, legal basis, the authority to apply to, remedies).',
    tags: ['portal'],
    access: ['portal', 'ops'],
    headers: idempotencyHeader,
    body: caseSubmissionSchema.openapi({ example: schoolBusExample() }),
    responses: {
      201: json(caseReceipt, 'Case created and its workflow started, or recorded as not accepted with its written decision; `accessCode` is the applicant\'s tracking code, shown this once', {
        caseNo: 'JN-SCHOOLBUS-20261126-000042',
        status: 'in_review',
        deadline: '2026-12-03T23:59:59+08:00',
        deadlineProvisional: false,
        accessCode: 'K7MQ2XH9PD',
      }),
      200: json(caseReceipt, 'The case this Idempotency-Key already created (without the access code, which was shown when it was created)'),
      404: json(errorBody, 'Unknown service'),
      409: json(errorBody, 'The Idempotency-Key was used for a different application'),
      422: json(errorBody, 'A referenced certificate cannot be used, or the webhookUrl is not under a callback origin registered for this portal client'),
    },
    handler: async ({ body, req, principal }) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || key.length < 8 || key.length > 128) {
        throw new ApiError('validation', 'an Idempotency-Key header (8-128 characters) is required', [{ path: 'headers.idempotency-key', message: 'required' }]);
      }
      const def = deps.catalog.get(body.serviceCode);
      if (!def) throw notFound(`service ${body.serviceCode}`);
      const now = Date.now();
      const em = deps.orm.em.fork();
      const form = await validateSubmission(def, body, em, now, deps.catalog);
      const p = principal!;
      // Ops at the service counter: the applicant stands there with their documents, so the form's applicant is the
      // checked identity.
      const owner =
        p.role === 'ops'
          ? { portalClientId: COUNTER_CLIENT_ID, applicantSubject: form.applicant.creditCode }
          : { portalClientId: p.clientId ?? p.sub, ...(p.applicant ? { applicantSubject: p.applicant } : {}) };
      try {
        const result = await submitCase(
          { orm: deps.orm, client: deps.client, taskQueue: deps.taskQueue, calendar: deps.calendar, production: deps.production },
          def,
          { idempotencyKey: key, channel: body.channel, form, scenarioAnswers: body.scenarioAnswers, materials: body.materials, webhookUrl: body.webhookUrl, ...owner },
          now,
        );
        const { created, ...rest } = result;
        const accessCode = await issueAccessCode(em.fork(), result.caseNo, created);
        return { status: created ? 201 : 200, body: { ...rest, ...(accessCode ? { accessCode } : {}) }, headers: { Location: `/api/v1/cases/${result.caseNo}` } };
      } catch (err) {
        if (err instanceof IdempotencyConflictError) throw new ApiError('conflict', err.message);
        throw err;
      }
    },
  });

  t.add({
    method: 'get',
    path: '/cases',
    summary: "List cases, newest first, filtered by service, status and overdue: a portal lists its own cases, ops all",
    description:
      'A portal client sees the cases it submitted (and those filed for the applicant its token asserts); ops see every case. ' +
      'Reviewers work from their department queue (`GET /reviews`) and do not list cases. The list carries no personal data.',
    tags: ['ops'],
    access: ['ops', 'portal'],
    query: z.object({
      service: z.string().max(32).optional(),
      status: z.string().max(32).optional(),
      overdue: z.enum(['true', 'false']).optional(),
      applicant: z.string().max(32).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: json(z.object({ cases: z.array(caseListItem) }).openapi('CaseList'), 'Cases') },
    handler: async ({ query, principal }) => {
      const rows = await listCasesForCaller(deps.orm.em.fork(), principal!, {
        service: query.service,
        status: query.status,
        overdue: query.overdue === undefined ? undefined : query.overdue === 'true',
        applicant: query.applicant,
        limit: query.limit,
      });
      return {
        status: 200,
        body: {
          cases: rows.map((r) => ({
            caseNo: r.caseNo,
            service: r.serviceCode,
            // As the receipt and the case view say it: `submitted` is the moment before the workflow's first record.
            status: r.status === 'submitted' ? 'in_review' : r.status,
            channel: r.channel,
            acceptedAt: shanghai(r.acceptedAt),
            deadline: r.deadline ? shanghai(r.deadline) : null,
            overdue: r.overdue,
            pendingDepartments: r.pendingDepartments,
          })),
        },
      };
    },
  });

  t.add({
    method: 'get',
    path: '/cases/:caseNo',
    summary: 'Status, steps (department, decision, deadline), paused time, certificates, timeline and the submitted form of one case',
    tags: ['portal', 'reviewers'],
    access: ['portal', 'reviewer', 'ops'],
    description:
      'Read from PostgreSQL (the case row, review tasks and audit log that the workflow writes), so it answers even while workers are down. ' +
      '`?live=true` asks the running workflow itself (a Temporal query) instead. ' +
      'Visible to the portal client that submitted it, to reviewers once a step of their department has opened on it, and to ops; 404 for anyone else. ' +
      '`form` (the submitted application) is given to the portal and the deciding reviewers: in clear to the data subject (the token\'s applicant) and the reviewers, ' +
      'with ID numbers, phones, persons\' names and school-bus stops and times masked for a portal that does not assert the applicant. Ops get no form. Every read of the form is logged.',
    params: caseNoParam,
    query: z.object({ live: z.enum(['true', 'false']).default('false') }),
    responses: { 200: json(caseView, 'The case'), 404: json(errorBody, 'Unknown case, or not yours') },
    handler: async ({ params, query, principal }) => {
      const em = deps.orm.em.fork();
      const { row, relation, reviewStep } = await caseForCaller(em, params.caseNo, principal);
      const clear = seesPersonalData(relation);
      const wantLive = query.live === 'true' && !ENDED_STATUSES.includes(row.status);
      const live = wantLive ? await liveState(params.caseNo).catch(() => undefined) : undefined;
      const [certificates, events, tasks, reports] = await Promise.all([
        certificatesOfCase(em.fork(), params.caseNo),
        caseEvents(em.fork(), params.caseNo),
        live ? Promise.resolve([] as ReviewTask[]) : latestTaskPerStep(em.fork(), params.caseNo),
        // Check reports name drivers and plates: loaded only for callers who see personal data (masked views drop them).
        clear ? loadCheckReports(em.fork(), params.caseNo) : Promise.resolve(new Map<string, Record<string, unknown>>()),
      ]);
      const steps = live ? live.steps.map((s) => liveStepView(s, reports)) : stepsFromRecords(deps.catalog.get(row.serviceCode), events, tasks, reports);
      const lastNotice = [...events].reverse().find((e) => e.type === 'supplement_requested');
      // The submitted form: for the portal and the deciding reviewers, never for ops (they support the process, not the
      // applicant's data). Logged before it leaves.
      let form: Record<string, unknown> | undefined;
      if (relation !== 'ops') {
        const { scenarioAnswers, materials, ...fields } = row.form;
        form = { ...(clear ? fields : maskPersonalData(fields)), scenarioAnswers, materials };
        await recordAccess(em, principal!, [row.applicantKey, ...personalSubjects(fields)], `case:${row.caseNo}`, casePurpose(relation, reviewStep));
      }
      const view = {
        caseNo: row.caseNo,
        service: row.serviceCode,
        definitionVersion: row.definitionVersion,
        status: live?.status ?? (row.status === 'submitted' ? 'in_review' : row.status),
        channel: row.channel,
        applicant: { key: clear ? row.applicantKey : maskSubjectKey(row.applicantKey), name: row.applicantName },
        acceptedAt: shanghai(row.acceptedAt),
        deadline: live?.deadline ?? (row.deadline ? shanghai(row.deadline) : null),
        deadlineProvisional: live?.deadlineProvisional ?? row.deadlineProvisional,
        overdue: live?.overdue ?? row.overdue,
        pausedWorkingDays: live?.pausedWorkingDays ?? row.pausedWorkingDays,
        pausedSince: live ? (live.pausedSince ?? null) : row.status === 'awaiting_supplement' && lastNotice ? shanghai(lastNotice.at) : null,
        outstandingSupplement: live?.outstandingSupplement ?? (row.status === 'awaiting_supplement' ? (lastNotice?.payload.missing ?? []) : []),
        pendingDepartments: live?.pendingDepartments ?? row.pendingDepartments,
        reasons: live?.reasons ?? row.outcomeReasons,
        steps: clear ? steps : maskSteps(steps),
        certificates: certificates.map((c) => ({ no: c.no, type: c.type, subject: c.subjectKey, validUntil: isoDay(c.validUntil), revoked: c.revokedAt != null })),
        evaluation: row.evaluationStars ? { stars: row.evaluationStars, comment: row.evaluationComment } : null,
        timeline: events.map((e) => ({ seq: e.seq, at: shanghai(e.at), type: e.type, actor: e.actor ?? null, detail: typeof e.payload.detail === 'string' ? e.payload.detail : null })),
        ...(form ? { form } : {}),
      };
      return { status: 200, body: view };
    },
  });

  t.add({
    method: 'get',
    path: '/cases/:caseNo/decision',
    summary: 'The written decision of a refused case: 不予受理 at intake or 不予许可 after review, with reasons, legal basis and remedies',
    description:
      'For a case not accepted (`not_accepted`) or refused (`rejected`): the deciding authority, the decision number and date, the reasons, the legal basis ' +
      '(the grounds\' provisions; for a refusal, the rejecting step\'s basis in the service definition), and the remedies: 行政复议 within 60 days (行政复议法 art. 20) ' +
      'and 行政诉讼 within 6 months (行政诉讼法 art. 46), as fields and as one Chinese text. Same access as the case; 404 when the case has no refusal.',
    tags: ['portal', 'reviewers'],
    access: ['portal', 'reviewer', 'ops'],
    params: caseNoParam,
    responses: { 200: json(writtenDecision, 'The written decision'), 404: json(errorBody, 'Unknown case, not yours, or no refusal') },
    handler: async ({ params, principal }) => {
      const em = deps.orm.em.fork();
      const { row } = await caseForCaller(em, params.caseNo, principal);
      const def = deps.catalog.get(row.serviceCode);
      if (!def || !['not_accepted', 'rejected'].includes(row.status)) throw notFound(`a written decision for case ${params.caseNo}`);
      const decision = writtenDecisionOf(def, row.caseNo, await caseEvents(em, row.caseNo), JURISDICTION.name);
      if (!decision) throw notFound(`a written decision for case ${params.caseNo}`);
      return { status: 200, body: decision };
    },
  });

  t.add({
    method: 'get',
    path: '/cases/:caseNo/supplement-notice',
    summary: 'The one-time notice (一次告知) of the latest supplement request: every missing item from every department, in one document',
    description:
      'Every item each reviewing department asked for in the case\'s latest supplement request (行政许可法 art. 32 para. 1 item 4), grouped by department, with the materials\' names ' +
      'from the service definition, as fields and as one Chinese text. Same access as the case; 404 when the case never had a supplement request.',
    tags: ['portal', 'reviewers'],
    access: ['portal', 'reviewer', 'ops'],
    params: caseNoParam,
    responses: { 200: json(supplementNotice, 'The notice'), 404: json(errorBody, 'Unknown case, not yours, or no supplement request') },
    handler: async ({ params, principal }) => {
      const em = deps.orm.em.fork();
      const { row } = await caseForCaller(em, params.caseNo, principal);
      const notice = supplementNoticeOf(deps.catalog.get(row.serviceCode), row.caseNo, row.serviceCode, await caseEvents(em, row.caseNo));
      if (!notice) throw notFound(`a supplement notice for case ${params.caseNo}`);
      return { status: 200, body: notice };
    },
  });

  t.add({
    method: 'post',
    path: '/cases/:caseNo/steps/:stepId/decision',
    summary: "A reviewer's decision on a step: approve, reject with reasons, or request a supplement listing everything missing",
    description:
      'Sent to the case as a signal (202). The reviewer must hold the claim on the step\'s open task (`POST /reviews/{taskId}/claim` first). ' +
      '404 when no step of the reviewer\'s department has opened on the case; 403 when the step belongs to another department; ' +
      '409 when the step is not open for decisions, the task is not claimed, or it is claimed by another reviewer.',
    tags: ['reviewers'],
    access: ['reviewer'],
    params: caseNoParam.extend({ stepId: z.string().regex(/^[a-z][a-z0-9-]{0,47}$/) }),
    body: decisionBodySchema.openapi({ example: { decision: 'approve', comment: '符合条件，同意' } }),
    responses: {
      202: json(z.object({ decisionId: z.string(), caseNo: z.string(), stepId: z.string() }).openapi('DecisionAccepted'), 'Decision sent to the case'),
      404: json(errorBody, 'Unknown case or step, or not visible to the department'),
      409: json(errorBody, 'The step is not open for decisions, or the caller does not hold its claim'),
    },
    handler: async ({ params, body, principal, req }) => {
      const em = deps.orm.em.fork();
      const { row } = await caseForCaller(em, params.caseNo, principal);
      const p = principal!;
      // Checked against what the workflow wrote to PostgreSQL (no query round trip to a worker): the case row and the
      // step's review task. The workflow re-checks on arrival and records a decision that raced in as ignored.
      const stepDef = deps.catalog.get(row.serviceCode)?.review.steps.find((s) => s.id === params.stepId);
      if (!stepDef) throw notFound(`step ${params.stepId} of case ${params.caseNo}`);
      if (stepDef.department !== p.department) throw new ApiError('forbidden', `step ${stepDef.id} belongs to ${stepDef.department}`);
      if (row.status !== 'in_review' && row.status !== 'submitted') throw new ApiError('conflict', `the case is ${row.status}: no step is open for decisions`);
      const task = await latestTaskOfStep(em, params.caseNo, stepDef.id);
      if (!task || task.status !== 'open') {
        throw new ApiError('conflict', `step ${stepDef.id} is not open for decisions (${task ? `task ${task.status}` : 'not opened yet'})`);
      }
      if (!task.claimedBy) throw new ApiError('conflict', `claim the task first: POST /api/v1/reviews/${task.id}/claim, then decide`);
      if (task.claimedBy !== p.sub) throw new ApiError('conflict', `the task is claimed by ${task.claimedBy}`);
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
    body: supplementBodySchema,
    responses: {
      202: json(supplementAccepted, 'Supplement sent to the case'),
      404: json(errorBody, 'Unknown case, or not yours'),
      409: json(errorBody, 'The case is not waiting for a supplement'),
    },
    handler: async ({ params, body, req, principal }) => {
      const { row } = await caseForCaller(deps.orm.em.fork(), params.caseNo, principal);
      if (row.status !== 'awaiting_supplement') throw new ApiError('conflict', `the case is ${row.status}, not waiting for a supplement`);
      const supplementId = messageId(req, `${params.caseNo}:supplement`);
      await deps.client.workflow.getHandle(params.caseNo).signal(supplementSignal, {
        supplementId,
        materials: body.materials,
        ...(body.comment ? { comment: body.comment } : {}),
        requestedBy: actorLabel(principal!),
      });
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
    body: withdrawBodySchema,
    responses: {
      202: json(z.object({ caseNo: z.string(), status: z.literal('withdrawing') }).openapi('WithdrawalAccepted'), 'Withdrawal sent to the case'),
      404: json(errorBody, 'Unknown case, or not yours'),
      409: json(errorBody, 'The case has already ended'),
    },
    handler: async ({ params, body, req, principal }) => {
      const { row } = await caseForCaller(deps.orm.em.fork(), params.caseNo, principal);
      if (ENDED_STATUSES.includes(row.status)) throw new ApiError('conflict', `the case is already ${row.status}`);
      await deps.client.workflow
        .getHandle(params.caseNo)
        .signal(withdrawSignal, { requestId: messageId(req, `${params.caseNo}:withdraw`), reason: body.reason, requestedBy: actorLabel(principal!) });
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
    responses: {
      201: json(z.object({ caseNo: z.string(), stars: z.number().int(), comment: z.string() }).openapi('EvaluationRecorded'), 'Recorded'),
      404: json(errorBody, 'Unknown case, or not yours'),
      409: json(errorBody, 'Not ended yet, or already evaluated'),
    },
    handler: async ({ params, body, principal }) => {
      const em = deps.orm.em.fork();
      const { row } = await caseForCaller(em, params.caseNo, principal);
      if (!['completed', 'rejected'].includes(row.status)) throw new ApiError('conflict', `the case is ${row.status}: evaluate it after it ends`);
      if (!(await recordEvaluation(em, params.caseNo, body.stars, body.comment))) throw new ApiError('conflict', 'this case has already been evaluated');
      return { status: 201, body: { caseNo: params.caseNo, stars: body.stars, comment: body.comment } };
    },
  });
}
