/**
 * No personal data in any log line (issue 10). The real processes (node api/main.ts and worker/main.ts, whose output
 * `npm start` writes to logs/api.log and logs/worker.log) take the generated bad-input suite, the poison suite,
 * malformed signals sent straight through Temporal with personal data in them, a foreign prefill and a real case from
 * submission through a claimed decision to withdrawal. Afterwards none of the seeded ID numbers, persons' names or
 * phone numbers appears anywhere in their output.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { signDevToken, type Principal } from '../../api/http/auth';
import { freightCompanyExample, schoolBusExample } from '../../api/schemas/examples';
import { DEMO } from '../../infra/db/seed';
import type { ReviewDecision } from '../../domain/types';
import { reviewDecisionSignal, withdrawSignal } from '../../workflows/definitions';
import { invalidPayloads, poisonedPayloads } from '../fixtures/invalid-submissions';
import { connectTestEnv, uniqueQueue, waitFor } from '../helpers/harness';
import { freePort, killStartedProcesses, startProcess } from '../helpers/processes';

const JWT_SECRET = 'log-scan-test-secret-of-at-least-32-bytes';
const auth = { secret: JWT_SECRET, issuer: 'onestop' };
const tok = (p: Principal) => signDevToken(p, auth);

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await connectTestEnv();
});
afterAll(async () => {
  killStartedProcesses();
  await env.teardown();
});

it('after the bad-input and poison suites, malformed signals and a real case, no seeded personal data is in the API or worker output', async () => {
  const taskQueue = uniqueQueue('log-scan');
  const apiPort = await freePort();
  // The bad-input suite's oversized body is over 64 kB (the default limit is 256 kB).
  const common = { JWT_SECRET, TEMPORAL_TASK_QUEUE: taskQueue, METRICS_PORT: String(await freePort()), API_BODY_LIMIT: '64kb' };
  const worker = await startProcess('worker/main.ts', { ...common, WORKER_HEALTH_PORT: String(await freePort()) }, 'worker ready');
  const api = await startProcess('api/main.ts', { ...common, API_PORT: String(apiPort) }, 'api ready');
  const base = `http://127.0.0.1:${apiPort}/api/v1`;
  const call = async (method: string, p: string, token: string, body?: unknown, raw?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(base + p, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
  };

  const portal = tok({ role: 'portal', sub: `log-scan-${randomUUID().slice(0, 6)}`, applicant: DEMO.schoolBusCarrier.creditCode });
  // 1. Every generated bad submission and every poisoned one: 4xx, and nothing of them in the logs.
  for (const [i, p] of [...invalidPayloads(), ...poisonedPayloads()].entries()) {
    const r = await call('POST', '/cases', portal, p.raw === undefined ? p.body : undefined, p.raw, { 'Idempotency-Key': `log-scan-bad-${i}` });
    expect([p.name, r.status >= 400 && r.status < 500]).toEqual([p.name, true]);
  }
  // 2. Prefill for somebody else (403) and for oneself.
  expect((await call('GET', `/prefill?idCard=${DEMO.drivers.freight.idCard}`, portal)).status).toBe(403);
  expect((await call('GET', `/prefill?creditCode=${DEMO.schoolBusCarrier.creditCode}`, portal)).status).toBe(200);

  // 3. A real case: submitted, education's step claimed and approved, then withdrawn.
  const created = await call('POST', '/cases', portal, schoolBusExample(), undefined, { 'Idempotency-Key': `log-scan-case-${randomUUID()}` });
  expect(created.status).toBe(201);
  const caseNo: string = created.body.caseNo;
  const edu = tok({ role: 'reviewer', department: 'education', sub: 'edu-01' });
  const task = await waitFor('the education task', async () => {
    const q = await call('GET', '/reviews?status=open&limit=500', edu);
    return (q.body.tasks as { taskId: string; caseNo: string }[]).find((t) => t.caseNo === caseNo);
  });
  expect((await call('GET', `/cases/${caseNo}`, edu)).status).toBe(200); // the deciding reviewer reads the form
  expect((await call('POST', `/reviews/${encodeURIComponent(task.taskId)}/claim`, edu)).status).toBe(200);
  expect((await call('POST', `/cases/${caseNo}/steps/education-acceptance/decision`, edu, { decision: 'approve', comment: `核对驾驶人${DEMO.drivers.schoolBus.name}信息无误` })).status).toBe(202);

  // 4. Malformed signals straight through Temporal, carrying personal data: recorded as ignored, never echoed.
  const handle = env.client.workflow.getHandle(caseNo);
  const bad = { decisionId: randomUUID(), stepId: 'police-opinion', department: 'public_security', decision: 'maybe', reviewer: 'ps-01', comment: `驾驶人${DEMO.drivers.schoolBus.name} ${DEMO.drivers.schoolBus.idCard} 电话13800000000\u0000` };
  await handle.signal(reviewDecisionSignal, bad as unknown as ReviewDecision);
  await handle.signal(withdrawSignal, { requestId: randomUUID(), reason: `${DEMO.drivers.tooOld.idCard}\ud800` });
  expect((await call('POST', `/cases/${caseNo}/withdraw`, portal, { reason: 'test done' })).status).toBe(202);
  await waitFor('the case withdrawn', async () => ((await call('GET', `/cases/${caseNo}`, portal)).body.status === 'withdrawn' ? true : undefined));

  worker.child.kill('SIGTERM');
  api.child.kill('SIGTERM');
  await Promise.all([worker.exited(), api.exited()]);

  const logs = `${api.output()}\n${worker.output()}`;
  expect(logs).toContain('api ready'); // the scan reads real output
  expect(worker.output()).toContain(caseNo); // including the worker's lines about this case
  const people = Object.values(DEMO.drivers);
  const forbidden = [
    ...people.map((p) => p.idCard),
    ...people.map((p) => p.name),
    '13800000000', // the seeded phone of every person
    freightCompanyExample().form.applicant.contactPhone,
    ...['张三', '钱七', '孙八', '周九', '吴十'], // seeded legal representatives
  ];
  const found = forbidden.filter((s) => logs.includes(s));
  expect(found).toEqual([]);
});
