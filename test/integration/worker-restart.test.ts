/**
 * Nothing lost, nothing duplicated: a worker process is killed with SIGKILL in the middle of a case, the reviewer's
 * decision arrives while no worker runs, and a new worker process finishes the case with exactly one set of
 * certificates. Certificate issuance itself is idempotent under retries and concurrent attempts (unique constraint).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { CaseOutcome } from '../../domain/types';
import { PROJECT_ROOT } from '../../infra/config';
import { reviewDecisionSignal } from '../../workflows/definitions';
import { freightCompanyApplication } from '../fixtures/applications';
import { calendarDir, connectTestEnv, openStep, openTestOrm, service, submit, testSigner, uniqueQueue, waitForState } from '../helpers/harness';

let env: TestWorkflowEnvironment;
let orm: MikroORM;
beforeAll(async () => {
  env = await connectTestEnv();
  orm = await openTestOrm();
});
afterAll(async () => {
  await orm.close();
  await env.teardown();
});

function startWorkerProcess(taskQueue: string, healthPort: number): Promise<ChildProcess> {
  // `node --import tsx`, not the tsx wrapper: SIGKILL must hit the worker itself, not a parent that leaves it running.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker', 'main.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_HEALTH_PORT: String(healthPort),
      SIGNING_KEY_PATH: path.join(os.tmpdir(), 'onestop-test-keys', 'signing.pem'),
      SIGNING_KEY_ID: 'test-key',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${output.slice(-2000)}`)), 90_000);
    child.stdout!.on('data', () => {
      if (output.includes('worker ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output.slice(-2000)}`)));
  });
}

it('a worker killed with SIGKILL mid-case is replaced and the case completes once', async () => {
  const taskQueue = uniqueQueue('restart');
  const port = 40000 + Math.floor(Math.random() * 2000);
  const first = await startWorkerProcess(taskQueue, port);
  const { caseNo } = await submit({ orm, client: env.client, taskQueue }, 'FREIGHTCO', freightCompanyApplication());
  const handle = env.client.workflow.getHandle(caseNo);
  await waitForState(handle, openStep('transport-review'));

  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  // Decided while no worker runs: the signal waits durably in the server.
  await handle.signal(reviewDecisionSignal, { decisionId: randomUUID(), stepId: 'transport-review', department: 'transport', decision: 'approve', comment: 'ok', reviewer: 'tr-01' });

  const second = await startWorkerProcess(taskQueue, port + 1);
  try {
    const outcome: CaseOutcome = await handle.result();
    expect(outcome.status).toBe('completed');
    const certs = await orm.em.fork().getConnection().execute<{ type: string; subject_key: string }[]>(
      'select type, subject_key from certificate where case_no = ? order by type, subject_key',
      [caseNo],
    );
    expect(certs.map((c) => `${c.type}:${c.subject_key}`)).toEqual([
      'road-transport-certificate:鲁H10001',
      'road-transport-certificate:鲁H10002',
      'road-transport-operating-permit:case',
    ]);
    const decisions = await orm.em.fork().getConnection().execute<unknown[]>("select 1 from case_event where case_no = ? and type = 'decision_applied'", [caseNo]);
    expect(decisions).toHaveLength(1);
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }
});

it('issuing certificates twice, or twice at once, stores and returns one set', async () => {
  const { caseNo } = await submit({ orm, client: env.client, taskQueue: uniqueQueue('no-worker') }, 'FREIGHTCO', freightCompanyApplication());
  const acts = createActivities({ orm, signer: testSigner(), calendarDir });
  const input = { caseNo, certificates: service('FREIGHTCO').certificates, issuedAtMs: Date.parse('2026-11-26T10:00:00+08:00') };
  const env1 = new MockActivityEnvironment();
  const [a, b] = await Promise.all([env1.run(acts.issueCertificates, input), new MockActivityEnvironment().run(acts.issueCertificates, input)]);
  const c = await env1.run(acts.issueCertificates, { ...input, issuedAtMs: input.issuedAtMs + 60_000 }); // a retry, later
  expect(a).toEqual(b);
  expect((c as { no: string }[]).map((x) => x.no)).toEqual((a as { no: string }[]).map((x) => x.no));
  const rows = await orm.em.fork().getConnection().execute<{ payload: string }[]>('select payload from certificate where case_no = ?', [caseNo]);
  expect(rows).toHaveLength(3);
  // The stored payloads are the first attempt's: a retry never re-signs or overwrites.
  expect(rows.every((r) => r.payload.includes('"issuedAt":"2026-11-26T10:00:00+08:00"'))).toBe(true);
  await env.client.workflow.getHandle(caseNo).terminate('test: no worker on this queue');
});
