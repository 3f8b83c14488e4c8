/**
 * Submitting a case (一端受理): allocate the case number, store the application, archive it for reuse, start the
 * case workflow. Idempotent on the Idempotency-Key of the submitting portal client, also under races: (client, key) is
 * a unique constraint, and the case number counter is incremented in the same transaction, so a losing racer rolls
 * back without a gap or a second case. The same key from another client is another case: keys are never shared.
 */
import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { formatShanghai, shanghaiDate, type WorkingDayCalendar } from '../domain/calendar';
import { toEpochMs } from '../infra/db/timestamps';
import type { CaseInput, ServiceDefinition } from '../domain/types';
import { checkWebhookUrl } from '../infra/net/callback-guard';
import { caseEvents, deleteUnstartedCase, findByIdempotencyKey, insertCase } from '../infra/repositories/cases';
import { findCompany } from '../infra/repositories/reference-data';
import { JURISDICTION } from '../activities/checks';
import { nonAcceptanceGrounds, type NonAcceptanceGround } from '../domain/non-acceptance';
import { writtenDecisionOf } from '../infra/repositories/tracking';
import type { WrittenDecision } from '../domain/written-decision';
import { findPortalClient } from '../infra/repositories/portal-clients';
import { canonicalJson } from '../infra/signing/certificate-signer';
import { CaseStatusKey, OneStopServiceKey, CASE_WORKFLOW_TYPE } from '../workflows/definitions';
import { caseStaticMetadata } from '../workflows/ui-metadata';
import { ApiError } from './http/errors';

export interface CaseSubmission {
  idempotencyKey: string;
  channel: 'online' | 'counter';
  form: Record<string, unknown> & { applicant: { creditCode: string; name: string } };
  scenarioAnswers: Record<string, string>;
  materials: { material: string; reference: string }[];
  webhookUrl?: string;
  /** The submitting portal client (`counter` for ops at the service counter): idempotency keys are scoped per client. */
  portalClientId?: string;
  /** The applicant identity the city's identity system asserted in the token (or the counter checked in person). */
  applicantSubject?: string;
}

/** Cases submitted without a client id (tests and tools that call `submitCase` directly). */
export const UNREGISTERED_CLIENT = 'unregistered';

export interface IntakeDeps {
  orm: MikroORM;
  client: Client;
  taskQueue: string;
  calendar: WorkingDayCalendar;
  /** Production: webhook URLs must be https. */
  production?: boolean;
}

export interface IntakeResult {
  created: boolean;
  caseNo: string;
  status: string;
  /** `null` for an application not accepted: no review, no promise. */
  deadline: string | null;
  deadlineProvisional: boolean;
  /** 不予受理: the written decision (reasons, legal basis, remedies). */
  decision?: WrittenDecision;
}

/** The reference data the grounds not to accept read: the carrier's scope on record and the city's jurisdiction. */
async function groundsFor(em: ReturnType<MikroORM['em']['fork']>, definition: ServiceDefinition, form: CaseSubmission['form']): Promise<NonAcceptanceGround[]> {
  if (definition.code !== 'OVERSIZE') return [];
  const company = await findCompany(em, form.applicant.creditCode);
  // No permit on record: the scope is unknown, and the pre-review's C2 puts that before a reviewer, not the intake.
  const carrierScope = company?.operatingPermitNo ? company.operatingScope : null;
  return nonAcceptanceGrounds(definition.code, form, { carrierScope, jurisdiction: JURISDICTION });
}

export class IdempotencyConflictError extends Error {}

export function requestHash(serviceCode: string, s: CaseSubmission): string {
  // The hash is of the application itself: who submitted it scopes the key, it is not part of the content.
  const { idempotencyKey: _key, portalClientId: _client, applicantSubject: _subject, ...rest } = s;
  return createHash('sha256').update(canonicalJson({ serviceCode, ...rest })).digest('hex');
}

export function caseInputFor(caseNo: string, definition: ServiceDefinition, acceptedAtMs: number, webhook: boolean): CaseInput {
  return { caseNo, definition, acceptedAtMs, webhook };
}

export async function submitCase(deps: IntakeDeps, definition: ServiceDefinition, s: CaseSubmission, nowMs = Date.now()): Promise<IntakeResult> {
  const hash = requestHash(definition.code, s);
  const deadline = deps.calendar.addWorkingDays(nowMs, definition.review.caseLimitWorkingDays);
  const em = deps.orm.em.fork();
  const portalClientId = s.portalClientId ?? UNREGISTERED_CLIENT;

  // The callback URL must be under an origin the submitting client registered (infra/net/callback-guard.ts), before
  // anything is stored: 422 otherwise. The delivery checks it again, with the resolved address.
  if (s.webhookUrl) {
    const why = checkWebhookUrl(s.webhookUrl, await findPortalClient(em, portalClientId), { production: deps.production ?? false });
    if (why) throw new ApiError('business_rule', why, [{ path: 'body.webhookUrl', message: why }]);
  }

  let row = await findByIdempotencyKey(em, portalClientId, s.idempotencyKey);
  let created = false;
  if (!row) {
    // 不予受理 (行政许可法 art. 32): decided before anything is stored, and stored instead of a case under review.
    const grounds = await groundsFor(em, definition, s.form);
    const inserted = await insertCase(em, {
      counterPrefix: `${definition.caseNumberPrefix}-${shanghaiDate(nowMs).replaceAll('-', '')}`,
      serviceCode: definition.code,
      definitionVersion: definition.version,
      portalClientId,
      applicantSubject: s.applicantSubject ?? null,
      idempotencyKey: s.idempotencyKey,
      requestHash: hash,
      applicantKey: s.form.applicant.creditCode,
      applicantName: s.form.applicant.name,
      channel: s.channel,
      form: { ...s.form, scenarioAnswers: s.scenarioAnswers, materials: s.materials },
      archive: s.form,
      acceptedAt: new Date(nowMs),
      deadline: grounds.length ? null : new Date(deadline.deadlineMs),
      deadlineProvisional: grounds.length ? false : deadline.provisional,
      webhookUrl: s.webhookUrl ?? null,
      ...(grounds.length ? { notAccepted: { reasons: grounds.map((g) => g.reason), grounds: grounds as unknown as Record<string, unknown>[] } } : {}),
    });
    if (inserted) {
      created = true;
      row = grounds.length
        ? { caseNo: inserted, requestHash: hash, status: 'not_accepted', deadline: null, acceptedAt: new Date(nowMs), deadlineProvisional: false }
        : { caseNo: inserted, requestHash: hash, status: 'submitted', deadline: new Date(deadline.deadlineMs), acceptedAt: new Date(nowMs), deadlineProvisional: deadline.provisional };
    } else {
      row = (await findByIdempotencyKey(em.fork(), portalClientId, s.idempotencyKey))!;
    }
  }
  if (row.requestHash !== hash) {
    throw new IdempotencyConflictError('this Idempotency-Key was already used for a different application');
  }

  // Not accepted: no workflow, no review; the answer is the written decision (also on a replay).
  if (row.status === 'not_accepted') {
    const events = await caseEvents(em.fork(), row.caseNo);
    return {
      created,
      caseNo: row.caseNo,
      status: 'not_accepted',
      deadline: null,
      deadlineProvisional: false,
      decision: writtenDecisionOf(definition, row.caseNo, events, JURISDICTION.name),
    };
  }

  // Starting is idempotent too (workflow id = case number, USE_EXISTING): a retry after a crash between the insert
  // and the start finishes the job instead of failing or starting a second case.
  try {
    await deps.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: row.caseNo,
      taskQueue: deps.taskQueue,
      args: [caseInputFor(row.caseNo, definition, toEpochMs(row.acceptedAt), !!s.webhookUrl)],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: OneStopServiceKey, value: definition.code },
        { key: CaseStatusKey, value: 'in_review' },
      ]),
      // The UI's list and header name the service and the case; the details add the promise and the plan (no personal data).
      ...caseStaticMetadata(definition, row.caseNo, {
        acceptedAt: formatShanghai(toEpochMs(row.acceptedAt)),
        deadline: formatShanghai(row.deadline ? toEpochMs(row.deadline) : deadline.deadlineMs),
        channel: s.channel,
      }),
    });
  } catch (err) {
    if (created) await deleteUnstartedCase(em.fork(), row.caseNo);
    throw err;
  }
  return {
    created,
    caseNo: row.caseNo,
    status: row.status === 'submitted' ? 'in_review' : row.status,
    deadline: formatShanghai(row.deadline ? toEpochMs(row.deadline) : deadline.deadlineMs),
    deadlineProvisional: row.deadlineProvisional,
  };
}
