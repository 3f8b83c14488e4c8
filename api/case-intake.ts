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
import { deleteUnstartedCase, findByIdempotencyKey, insertCase } from '../infra/repositories/cases';
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
  deadline: string;
  deadlineProvisional: boolean;
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
      deadline: new Date(deadline.deadlineMs),
      deadlineProvisional: deadline.provisional,
      webhookUrl: s.webhookUrl ?? null,
    });
    if (inserted) {
      created = true;
      row = { caseNo: inserted, requestHash: hash, status: 'submitted', deadline: new Date(deadline.deadlineMs), acceptedAt: new Date(nowMs), deadlineProvisional: deadline.provisional };
    } else {
      row = (await findByIdempotencyKey(em.fork(), portalClientId, s.idempotencyKey))!;
    }
  }
  if (row.requestHash !== hash) {
    throw new IdempotencyConflictError('this Idempotency-Key was already used for a different application');
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
