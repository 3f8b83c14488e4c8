/**
 * Structured logs (issue 14): the real API and worker processes (node api/main.ts and worker/main.ts; their stdout is
 * what `npm start` writes to logs/api.log and logs/worker.log, and what a container runtime collects) write one JSON
 * object per line. A case submitted with an X-Request-Id and decided by a reviewer can be followed by its case number
 * in both processes: the API's lines carry the request id, the caller's role and client id, and the case's workflow
 * and run; the worker's lines (the workflow's and the activities' loggers, through the SDK runtime) carry the case
 * number, the workflow id and the run id. No seeded personal data appears, though the decision's comment names the
 * driver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { signDevToken, type Principal } from '../../api/http/auth';
import { schoolBusExample } from '../../api/schemas/examples';
import { DEMO } from '../../infra/db/seed';
import { PROJECT_ROOT } from '../../infra/config';
import { connectTestEnv, uniqueQueue, waitFor } from '../helpers/harness';

const JWT_SECRET = 'structured-logs-test-secret-of-32-bytes';
const tok = (p: Principal) => signDevToken(p, { secret: JWT_SECRET, issuer: 'onestop' });

let env: TestWorkflowEnvironment;
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await connectTestEnv();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await env.teardown();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

type Line = Record<string, unknown>;

/** A child process whose stdout and stderr are kept whole (for the every-line-is-JSON check) and as parsed lines. */
function start(entry: string, extraEnv: Record<string, string>, readyMsg: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, entry)], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      SIGNING_KEY_PATH: path.join(os.tmpdir(), 'onestop-test-keys', 'signing.pem'),
      JWT_SECRET,
      LOG_FORMAT: '', // the default: JSON, because stdout is a pipe
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let raw = '';
  child.stdout!.on('data', (d) => (raw += d));
  child.stderr!.on('data', (d) => (raw += d));
  const lines = (): Line[] =>
    raw
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as Line;
        } catch {
          return { notJson: l };
        }
      });
  const ready = waitFor(`${entry} ready`, async () => lines().find((l) => typeof l.msg === 'string' && l.msg.startsWith(readyMsg)), 90_000);
  return { child, lines, raw: () => raw, ready };
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));

it('API and worker write JSON lines; a case is found by its number in both, with request id, caller, workflow and run', async () => {
  const taskQueue = uniqueQueue('structured-logs');
  const apiPort = await freePort();
  const common = { TEMPORAL_TASK_QUEUE: taskQueue, METRICS_PORT: String(await freePort()), WORKER_METRICS_PORT: 'off', LOG_FORMAT: 'json' };
  const worker = start('worker/main.ts', { ...common, WORKER_HEALTH_PORT: String(await freePort()) }, 'worker ready');
  await worker.ready;
  const api = start('api/main.ts', { ...common, API_PORT: String(apiPort) }, 'api ready');
  await api.ready;
  const base = `http://127.0.0.1:${apiPort}/api/v1`;
  const call = async (method: string, p: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + p, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, requestId: res.headers.get('x-request-id'), body: text ? (JSON.parse(text) as any) : undefined };
  };

  const clientId = `logs-portal-${randomUUID().slice(0, 6)}`;
  const portal = tok({ role: 'portal', sub: clientId, applicant: DEMO.schoolBusCarrier.creditCode });
  const requestId = `portal-req-${randomUUID().slice(0, 8)}`;
  const created = await call('POST', '/cases', portal, schoolBusExample(), { 'Idempotency-Key': `logs-${randomUUID()}`, 'X-Request-Id': requestId });
  expect(created.status).toBe(201);
  expect(created.requestId).toBe(requestId); // a safe short token round-trips
  const caseNo: string = created.body.caseNo;

  // An unsafe X-Request-Id (spaces, an ID number's worth of text and more) is replaced by a generated one, not echoed.
  const unsafe = `${DEMO.drivers.schoolBus.idCard} <script>`;
  const replaced = await call('GET', `/cases/${caseNo}`, portal, undefined, { 'X-Request-Id': unsafe });
  expect(replaced.status).toBe(200);
  expect(replaced.requestId).toMatch(/^[0-9a-f-]{36}$/);
  // Without one, a request still gets an id.
  expect((await call('GET', `/cases/${caseNo}`, portal)).requestId).toMatch(/^[0-9a-f-]{36}$/);

  const edu = tok({ role: 'reviewer', department: 'education', sub: 'edu-01' });
  const task = await waitFor('the education task', async () => {
    const q = await call('GET', '/reviews?status=open&limit=500', edu);
    return (q.body.tasks as { taskId: string; caseNo: string }[]).find((t) => t.caseNo === caseNo);
  });
  expect((await call('POST', `/reviews/${encodeURIComponent(task.taskId)}/claim`, edu)).status).toBe(200);
  const decision = await call('POST', `/cases/${caseNo}/steps/education-acceptance/decision`, edu, {
    decision: 'approve',
    comment: `核对驾驶人${DEMO.drivers.schoolBus.name}信息无误`,
  });
  expect(decision.status).toBe(202);
  // The worker records the decision: the next steps' tasks open (police and transport in parallel).
  await waitFor('the decision recorded by the worker', async () =>
    worker.lines().find((l) => l.caseNo === caseNo && l.sdkComponent === 'activity' && String(l.msg).startsWith('review task opened') && l.department === 'transport'),
  );

  // Withdrawn: the workflow's own logger writes (steps closed, case finished).
  expect((await call('POST', `/cases/${caseNo}/withdraw`, portal, { reason: `${DEMO.drivers.schoolBus.name}不再需要` })).status).toBe(202);
  await waitFor('the workflow finished', async () => worker.lines().find((l) => l.workflowId === caseNo && l.sdkComponent === 'workflow' && l.msg === 'case finished'));

  worker.child.kill('SIGTERM');
  api.child.kill('SIGTERM');
  await Promise.all([exited(worker.child), exited(api.child)]);

  // 1. Every line of both processes is one JSON object, with a level, a time, a message and the service.
  for (const [name, proc] of [['api', api], ['worker', worker]] as const) {
    const lines = proc.lines();
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((l) => 'notJson' in l)).toEqual([]);
    for (const l of lines) expect([name, typeof l.level, typeof l.time, typeof l.msg, l.service]).toEqual([name, 'string', 'string', 'string', name]);
  }

  // 2. The API's lines about the case: the submission (request id, portal caller, workflow and run of the start) and
  //    the decision (the reviewer's role and account, the case and its workflow).
  const apiCase = api.lines().filter((l) => l.caseNo === caseNo);
  const submission = apiCase.find((l) => l.msg === 'request' && l.method === 'POST' && l.httpRoute === '/api/v1/cases');
  expect(submission).toMatchObject({ requestId, role: 'portal', clientId, caseNo, workflowId: caseNo, status: 201 });
  expect(typeof submission!.runId).toBe('string');
  const decided = apiCase.find((l) => l.msg === 'request' && l.httpRoute === '/api/v1/cases/:caseNo/steps/:stepId/decision');
  expect(decided).toMatchObject({ role: 'reviewer', clientId: 'edu-01', department: 'education', caseNo, workflowId: caseNo, status: 202 });
  expect(decided!.requestId).toBe(decision.requestId);
  expect(apiCase.find((l) => l.httpRoute === '/api/v1/reviews/:taskId/claim')).toMatchObject({ role: 'reviewer', caseNo, status: 200 });
  expect(apiCase.find((l) => l.requestId === replaced.requestId)).toMatchObject({ httpRoute: '/api/v1/cases/:caseNo', status: 200 });
  expect(JSON.stringify(api.lines())).not.toContain(unsafe);

  // 3. The worker's lines about the case: from the workflow's logger and the activities', each with case number,
  //    workflow id and the same run id as the API's start.
  const workerCase = worker.lines().filter((l) => l.workflowId === caseNo || l.caseNo === caseNo);
  expect(workerCase.some((l) => l.sdkComponent === 'workflow')).toBe(true);
  expect(workerCase.some((l) => l.sdkComponent === 'activity' && l.activityType === 'recordCaseProgress' && l.msg === 'case progress')).toBe(true);
  for (const l of workerCase) expect({ caseNo: l.caseNo, workflowId: l.workflowId, runId: l.runId }).toEqual({ caseNo, workflowId: caseNo, runId: submission!.runId });

  // 4. No seeded personal data anywhere in either output (the decision's comment named the driver).
  const all = `${api.raw()}\n${worker.raw()}`;
  const people = Object.values(DEMO.drivers);
  const forbidden = [...people.map((p) => p.idCard), ...people.map((p) => p.name), '13800000000'];
  expect(forbidden.filter((s) => all.includes(s))).toEqual([]);
});
