/**
 * The transactional writes (case submission, case progress) run every statement on the transaction's own connection:
 * on a pool of ONE connection they finish. (A statement that took a second pooled connection would run outside the
 * transaction and, under load, deadlock the pool: every connection held by a transaction waiting for another.)
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { createCaseRecordActivities } from '../../activities/case-records';
import { openOrm } from '../../infra/db/orm';
import { freightCompanyApplication } from '../fixtures/applications';
import { connectTestEnv, submit, uniqueQueue } from '../helpers/harness';

let orm: MikroORM;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  // One connection, and a short acquire timeout so that a statement asking for a second one fails instead of hanging.
  orm = await openOrm(process.env.DATABASE_URL!, { pool: { min: 0, max: 1 }, driverOptions: { acquireConnectionTimeout: 2000 } });
  env = await connectTestEnv();
});
afterAll(async () => {
  await orm.close();
  await env.teardown();
});

it('submitCase commits counter, case and archive on one connection', async () => {
  const result = await submit({ orm, client: env.client, taskQueue: uniqueQueue('one-conn') }, 'FREIGHTCO', freightCompanyApplication());
  expect(result.created).toBe(true);
  const rows = await orm.em.fork().execute<{ n: string }[]>('select count(*) as n from archived_application where case_no = ?', [result.caseNo]);
  expect(Number(rows[0]!.n)).toBe(1);
  await env.client.workflow.getHandle(result.caseNo).terminate('test done');
});

it('recordCaseProgress writes the audit entry and the case row in one transaction on one connection', async () => {
  const { caseNo } = await submit({ orm, client: env.client, taskQueue: uniqueQueue('one-conn') }, 'FREIGHTCO', freightCompanyApplication());
  await env.client.workflow.getHandle(caseNo).terminate('test: the activity is called directly');
  const acts = createCaseRecordActivities({ orm });
  const progress = {
    caseNo,
    seq: 1,
    type: 'case_accepted',
    actor: null,
    payload: { detail: 'probe', id: randomUUID() },
    atMs: Date.now(),
    snapshot: { status: 'in_review' as const, pendingDepartments: [], deadlineMs: Date.now(), deadlineProvisional: false, overdue: false, pausedWorkingDays: 0, completedAtMs: null, reasons: [] },
  };
  await new MockActivityEnvironment().run(acts.recordCaseProgress, progress);
  await new MockActivityEnvironment().run(acts.recordCaseProgress, progress); // a retry: no second audit entry
  const events = await orm.em.fork().execute<{ type: string }[]>('select type from case_event where case_no = ?', [caseNo]);
  expect(events).toEqual([{ type: 'case_accepted' }]);
  const row = await orm.em.fork().execute<{ status: string; last_event_seq: number }[]>('select status, last_event_seq from one_stop_case where case_no = ?', [caseNo]);
  expect(row[0]).toEqual({ status: 'in_review', last_event_seq: 1 });
});
