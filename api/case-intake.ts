/**
 * Submitting a case (一端受理): allocate the case number, store the application, archive it for reuse, start the
 * case workflow. Idempotent on the Idempotency-Key, also under races: the key is a unique constraint, and the case
 * number counter is incremented in the same transaction, so a losing racer rolls back without a gap or a second case.
 */
import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { formatShanghai, shanghaiDate, type WorkingDayCalendar } from '../domain/calendar';
import { toEpochMs } from '../infra/db/timestamps';
import type { CaseInput, ServiceDefinition } from '../domain/types';
import { canonicalJson } from '../infra/signing/certificate-signer';
import { CaseStatusKey, OneStopServiceKey, CASE_WORKFLOW_TYPE } from '../workflows/definitions';

export interface CaseSubmission {
  idempotencyKey: string;
  channel: 'online' | 'counter';
  form: Record<string, unknown> & { applicant: { creditCode: string; name: string } };
  scenarioAnswers: Record<string, string>;
  materials: { material: string; reference: string }[];
  webhookUrl?: string;
}

export interface IntakeDeps {
  orm: MikroORM;
  client: Client;
  taskQueue: string;
  calendar: WorkingDayCalendar;
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
  const { idempotencyKey: _key, ...rest } = s;
  return createHash('sha256').update(canonicalJson({ serviceCode, ...rest })).digest('hex');
}

export function caseInputFor(caseNo: string, definition: ServiceDefinition, acceptedAtMs: number, webhook: boolean): CaseInput {
  return { caseNo, definition, acceptedAtMs, webhook };
}

export async function submitCase(deps: IntakeDeps, definition: ServiceDefinition, s: CaseSubmission, nowMs = Date.now()): Promise<IntakeResult> {
  const hash = requestHash(definition.code, s);
  const deadline = deps.calendar.addWorkingDays(nowMs, definition.review.caseLimitWorkingDays);
  const em = deps.orm.em.fork();
  const conn = em.getConnection();

  const existing = await conn.execute<{ case_no: string; request_hash: string; status: string; deadline: Date | null; accepted_at: Date; deadline_provisional: boolean }[]>(
    'select case_no, request_hash, status, deadline, accepted_at, deadline_provisional from one_stop_case where idempotency_key = ?',
    [s.idempotencyKey],
  );
  let row = existing[0];
  let created = false;
  if (!row) {
    // One transaction on one connection (`tx.execute` carries the transaction context): the counter, the case row and
    // the archive commit together or not at all.
    const inserted = await em.transactional(async (tx) => {
      const prefix = `${definition.caseNumberPrefix}-${shanghaiDate(nowMs).replaceAll('-', '')}`;
      const counter = await tx.execute<{ value: number }[]>(
        `insert into case_counter (prefix, value) values (?, 1)
         on conflict (prefix) do update set value = case_counter.value + 1 returning value`,
        [prefix],
      );
      const caseNo = `${prefix}-${String(counter[0]!.value).padStart(6, '0')}`;
      const rows = await tx.execute<{ case_no: string }[]>(
        `insert into one_stop_case (case_no, service_code, definition_version, idempotency_key, request_hash, applicant_key,
           applicant_name, channel, status, form, accepted_at, deadline, deadline_provisional, webhook_url, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?)
         on conflict (idempotency_key) do nothing returning case_no`,
        [
          caseNo,
          definition.code,
          definition.version,
          s.idempotencyKey,
          hash,
          s.form.applicant.creditCode,
          s.form.applicant.name,
          s.channel,
          JSON.stringify({ ...s.form, scenarioAnswers: s.scenarioAnswers, materials: s.materials }),
          new Date(nowMs),
          new Date(deadline.deadlineMs),
          deadline.provisional,
          s.webhookUrl ?? null,
          new Date(nowMs),
        ],
      );
      if (rows.length === 0) throw new LostRace();
      await tx.execute(
        `insert into archived_application (applicant_key, service_code, case_no, data, archived_at) values (?, ?, ?, ?, ?)`,
        [s.form.applicant.creditCode, definition.code, caseNo, JSON.stringify(s.form), new Date(nowMs)],
      );
      return caseNo;
    }).catch((err: unknown) => {
      if (err instanceof LostRace) return undefined;
      throw err;
    });
    if (inserted) {
      created = true;
      row = { case_no: inserted, request_hash: hash, status: 'submitted', deadline: new Date(deadline.deadlineMs), accepted_at: new Date(nowMs), deadline_provisional: deadline.provisional };
    } else {
      const again = await conn.execute<typeof existing>(
        'select case_no, request_hash, status, deadline, accepted_at, deadline_provisional from one_stop_case where idempotency_key = ?',
        [s.idempotencyKey],
      );
      row = again[0]!;
    }
  }
  if (row.request_hash !== hash) {
    throw new IdempotencyConflictError('this Idempotency-Key was already used for a different application');
  }

  // Starting is idempotent too (workflow id = case number, USE_EXISTING): a retry after a crash between the insert
  // and the start finishes the job instead of failing or starting a second case.
  try {
    await deps.client.workflow.start(CASE_WORKFLOW_TYPE, {
      workflowId: row.case_no,
      taskQueue: deps.taskQueue,
      args: [caseInputFor(row.case_no, definition, toEpochMs(row.accepted_at), !!s.webhookUrl)],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: OneStopServiceKey, value: definition.code },
        { key: CaseStatusKey, value: 'in_review' },
      ]),
      staticSummary: `${definition.name.zh} ${row.case_no}`,
    });
  } catch (err) {
    if (created) {
      // Nothing half-made stays behind: without its workflow, the case row would be a case nobody works on.
      await em.getConnection().execute('delete from archived_application where case_no = ?', [row.case_no]);
      await em.getConnection().execute('delete from one_stop_case where case_no = ? and status = ?', [row.case_no, 'submitted']);
    }
    throw err;
  }
  return {
    created,
    caseNo: row.case_no,
    status: row.status === 'submitted' ? 'in_review' : row.status,
    deadline: formatShanghai(row.deadline ? toEpochMs(row.deadline) : deadline.deadlineMs),
    deadlineProvisional: row.deadline_provisional,
  };
}

class LostRace extends Error {}
