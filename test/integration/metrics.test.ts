/**
 * Metrics (issue 14), against the real processes' endpoints, Temporal and PostgreSQL:
 * - the API's internal listener (createApp's metricsApp): request counts by route pattern, and case metrics read from
 *   PostgreSQL at scrape time that follow a case of each service to completion, a case needing attention, and a
 *   failed then delivered webhook;
 * - the worker (`node worker/main.ts`, the case's activities run there): activity attempts and retries over the
 *   threshold at GET /metrics on its health listener, health answers unchanged, and the Temporal SDK's own metrics
 *   on WORKER_METRICS_PORT;
 * - every onestop_* family served is in METRIC_NAMES, and no label value carries a case number.
 */
import { testApiDeps } from '../helpers/api-harness';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../api/app';
import { signDevToken, type AuthConfig } from '../../api/http/auth';
import { API_METRIC_NAMES, METRIC_NAMES as API_METRICS } from '../../api/http/metrics';
import { TERMINAL_STATUSES, type CaseStatus, type Department } from '../../domain/types';
import { registerPortalClient } from '../../infra/repositories/portal-clients';
import { METRIC_NAMES as WORKER_METRICS, SDK_METRIC_NAMES } from '../../worker/metrics';
import { caseStateQuery, opsRetrySignal, reviewDecisionSignal } from '../../workflows/definitions';
import { freightCompanyApplication, oversizeCargoApplication, schoolBusApplication } from '../fixtures/applications';
import { installDbJam, type DbJam } from '../helpers/db-jam';
import { connectTestEnv, openTestOrm, submit, uniqueQueue, waitFor } from '../helpers/harness';
import { freePort, killStartedProcesses, startProcess, type RunningProcess } from '../helpers/processes';

jest.setTimeout(240_000);

const AUTH: AuthConfig = { secret: 'metrics-test-secret-0123456789abcdef', issuer: 'onestop', audience: 'onestop-api', maxAgeSeconds: 12 * 3600 };
const CASE_NO = /[A-Z]{2}-[A-Z]+-\d{8}-\d+/;

let env: TestWorkflowEnvironment;
let orm: MikroORM;
let jam: DbJam;
let worker: RunningProcess;
let healthPort: number;
let sdkPort: number;
let apiBase: string;
let metricsBase: string;
const servers: http.Server[] = [];
const taskQueue = uniqueQueue('metrics');
const caseNos: string[] = [];

async function listen(server: http.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** One sample of the exposition text: family-less name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

/** Metric family names from the `# TYPE` lines. */
function families(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
}

async function scrape(url: string): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  return { text, samples: parse(text) };
}
const scrapeApi = () => scrape(`${metricsBase}/metrics`);
const scrapeWorker = () => scrape(`http://127.0.0.1:${healthPort}/metrics`);
const scrapeSdk = () => scrape(`http://127.0.0.1:${sdkPort}/metrics`);

/** `node worker/main.ts` on this test's task queue (the case's activities run there). */
const startWorker = (extraEnv: Record<string, string>) => startProcess('worker/main.ts', extraEnv, 'worker ready');

beforeAll(async () => {
  env = await connectTestEnv();
  orm = await openTestOrm();
  jam = await installDbJam(orm);
  healthPort = await freePort();
  sdkPort = await freePort();
  // The case's activities run in the worker process; attempt 2 and later count as retries over the threshold.
  worker = await startWorker({
    TEMPORAL_TASK_QUEUE: taskQueue,
    WORKER_HEALTH_PORT: String(healthPort),
    WORKER_METRICS_PORT: String(sdkPort),
    ACTIVITY_RETRY_ALERT_ATTEMPTS: '1',
  });
  const { app, metricsApp } = createApp(testApiDeps({ orm, client: env.client, taskQueue, auth: AUTH }));
  apiBase = `http://127.0.0.1:${await listen(http.createServer(app))}/api/v1`;
  metricsBase = `http://127.0.0.1:${await listen(http.createServer(metricsApp))}`;
});

afterAll(async () => {
  for (const caseNo of caseNos) await env.client.workflow.getHandle(caseNo).terminate('metrics test done').catch(() => undefined);
  if (worker && worker.child.exitCode === null) {
    worker.child.kill('SIGTERM');
    await worker.exited();
  }
  killStartedProcesses();
  for (const s of servers) s.close();
  await jam?.remove();
  await orm?.close();
  await env?.teardown();
});

const deps = () => ({ orm, client: env.client, taskQueue });

/** Approves every open step until the case ends (parallel steps included); the fast-tracked OVERSIZE needs none. */
async function approveUntilDone(caseNo: string): Promise<CaseStatus> {
  const handle = env.client.workflow.getHandle(caseNo);
  const signalled = new Set<string>();
  return waitFor(`case ${caseNo} to end`, async () => {
    const s = await handle.query(caseStateQuery);
    if (TERMINAL_STATUSES.includes(s.status)) return s.status;
    for (const step of s.steps.filter((x) => x.status === 'open' && !signalled.has(`${x.id}:${x.round}`))) {
      signalled.add(`${step.id}:${step.round}`);
      await handle.signal(reviewDecisionSignal, {
        decisionId: randomUUID(),
        stepId: step.id,
        department: step.department as Department,
        decision: 'approve',
        comment: 'ok',
        reviewer: `${step.department}-reviewer`,
      });
    }
    return undefined;
  }, 90_000);
}

const db = () => orm.em.fork().getConnection();
const SERVICES = ['SCHOOLBUS', 'FREIGHTCO', 'OVERSIZE'] as const;

it('the API and worker endpoints follow a case of each service, a case needing attention, retries and webhook failures', async () => {
  const before = (await scrapeApi()).samples;

  // A case of each service, to completion, on the worker process.
  const applications = { SCHOOLBUS: schoolBusApplication(), FREIGHTCO: freightCompanyApplication(), OVERSIZE: oversizeCargoApplication() };
  const done = await Promise.all(
    SERVICES.map(async (code) => {
      const { caseNo } = await submit(deps(), code, applications[code]);
      caseNos.push(caseNo);
      return approveUntilDone(caseNo);
    }),
  );
  expect(done).toEqual(['completed', 'completed', 'completed']);

  // The request metrics: a case read through the API is counted under its route pattern, not its case number.
  const ops = signDevToken({ role: 'ops', sub: 'ops-metrics' }, AUTH);
  const read = await fetch(`${apiBase}/cases/${caseNos[0]}`, { headers: { authorization: `Bearer ${ops}` } });
  expect(read.status).toBe(200);

  const after = (await scrapeApi()).samples;
  expect(value(after, 'onestop_http_requests_total', { method: 'GET', route: '/cases/:caseNo', status: '200' })).toBeGreaterThanOrEqual(1);
  expect(value(after, 'onestop_http_request_duration_seconds_count', { method: 'GET', route: '/cases/:caseNo' })).toBeGreaterThanOrEqual(1);
  for (const service of SERVICES) {
    // Other test files share the database: at least this test's own case more than before.
    for (const name of ['onestop_cases_received_total', 'onestop_cases_completed_total', 'onestop_case_working_days_to_completion_count']) {
      expect(value(after, name, { service })).toBeGreaterThanOrEqual(value(before, name, { service }) + 1);
    }
    // The completion is in the histogram's buckets: a case completed within 20 working days is under le="20".
    expect(value(after, 'onestop_case_working_days_to_completion_bucket', { service, le: '20' })).toBeGreaterThanOrEqual(
      value(before, 'onestop_case_working_days_to_completion_bucket', { service, le: '20' }) + 1,
    );
    expect(value(after, 'onestop_cases', { service, status: 'completed' })).toBeGreaterThanOrEqual(value(before, 'onestop_cases', { service, status: 'completed' }) + 1);
    // Series exist at 0 rather than missing: alerts compare numbers, not absences.
    expect(after.some((s) => s.name === 'onestop_cases_not_accepted_total' && s.labels.service === service)).toBe(true);
    expect(after.some((s) => s.name === 'onestop_cases_overdue' && s.labels.service === service)).toBe(true);
  }

  // Retries: PostgreSQL refuses a decision's audit entry with a transient error (40001); attempt 2 is over the threshold of 1.
  const transient = (await submit(deps(), 'FREIGHTCO', freightCompanyApplication())).caseNo;
  caseNos.push(transient);
  await jam.jam(transient, 'decision_applied', '40001');
  // Since v9 the write is a local activity, retried inside the worker: two more failed attempts on its counter.
  const failedRecords = async () => value((await scrapeWorker()).samples, 'onestop_activity_attempts_total', { activity: 'recordCaseProgress', outcome: 'failed' });
  const failedBefore = await failedRecords();
  const transientDone = approveUntilDone(transient);
  await waitFor('a second failed attempt of recordCaseProgress', async () => ((await failedRecords()) >= failedBefore + 2 ? true : undefined));
  await jam.unjam(transient, 'decision_applied');
  expect(await transientDone).toBe('completed');

  // Needs attention: a deterministic refusal (22021) flags the case for ops.
  const flagged = (await submit(deps(), 'FREIGHTCO', freightCompanyApplication())).caseNo;
  caseNos.push(flagged);
  await jam.jam(flagged, 'decision_applied', '22021');
  const flaggedHandle = env.client.workflow.getHandle(flagged);
  const flaggedDone = approveUntilDone(flagged);
  await waitFor('the case row flagged', async () => {
    const r = await db().execute<{ attention_reason: string | null }[]>('select attention_reason from one_stop_case where case_no = ?', [flagged]);
    return r[0]?.attention_reason ? true : undefined;
  });
  const attention = (await scrapeApi()).samples;
  expect(value(attention, 'onestop_cases_needing_attention', { service: 'FREIGHTCO' })).toBeGreaterThanOrEqual(1);
  // Corrected and retried by ops: the case completes and the flag is cleared.
  await jam.unjam(flagged, 'decision_applied');
  await flaggedHandle.signal(opsRetrySignal, { requestId: randomUUID(), operator: 'ops-metrics' });
  expect(await flaggedDone).toBe('completed');

  // A webhook the portal answers with 500 once, then 204: one failed attempt, then a delivered one.
  let hits = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    hits += 1;
    res.writeHead(hits === 1 ? 500 : 204).end();
  });
  const origin = `http://127.0.0.1:${await listen(receiver)}`;
  const portalClientId = `metrics-${taskQueue}`;
  await registerPortalClient(orm.em.fork(), { id: portalClientId, name: 'metrics test', callbackOrigins: [origin], allowPrivateCallbacks: true });
  const hooked = (await submit(deps(), 'OVERSIZE', { ...oversizeCargoApplication(), webhookUrl: `${origin}/hook`, portalClientId })).caseNo;
  caseNos.push(hooked);
  // Activity retry: the refused event is delivered on attempt 2 (over the threshold of 1).
  await waitFor('the failed webhook delivered on its retry', async () => {
    const r = await db().execute<{ failed: string; retried: string }[]>(
      'select count(*) filter (where error is not null) as failed, count(*) filter (where error is null and attempt >= 2) as retried from webhook_delivery where case_no = ?',
      [hooked],
    );
    return Number(r[0]!.failed) >= 1 && Number(r[0]!.retried) >= 1 ? true : undefined;
  });
  const webhooks = (await scrapeApi()).samples;
  expect(value(webhooks, 'onestop_webhook_delivery_failures_total')).toBeGreaterThanOrEqual(value(before, 'onestop_webhook_delivery_failures_total') + 1);
  expect(value(webhooks, 'onestop_webhook_deliveries_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(value(before, 'onestop_webhook_deliveries_total', { outcome: 'failed' }) + 1);
  expect(value(webhooks, 'onestop_webhook_deliveries_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(value(before, 'onestop_webhook_deliveries_total', { outcome: 'delivered' }) + 1);

  // The worker's own endpoint: every attempt of this worker's activities, the refused ones as failed.
  const w = await scrapeWorker();
  expect(value(w.samples, 'onestop_activity_attempts_total', { activity: 'recordCaseProgress', outcome: 'completed' })).toBeGreaterThanOrEqual(10);
  expect(value(w.samples, 'onestop_activity_attempts_total', { activity: 'recordCaseProgress', outcome: 'failed' })).toBeGreaterThanOrEqual(2);
  expect(value(w.samples, 'onestop_activity_attempts_total', { activity: 'issueCertificates', outcome: 'completed' })).toBeGreaterThanOrEqual(3);
  expect(value(w.samples, 'onestop_activity_attempts_total', { activity: 'deliverWebhook', outcome: 'failed' })).toBeGreaterThanOrEqual(1);
  expect(value(w.samples, 'onestop_activity_retries_over_threshold_total', { activity: 'recordCaseProgress' })).toBeGreaterThanOrEqual(1);
  expect(value(w.samples, 'onestop_activity_retries_over_threshold_total', { activity: 'deliverWebhook' })).toBeGreaterThanOrEqual(1);
  // Health answers as before on the same listener.
  const health = await fetch(`http://127.0.0.1:${healthPort}/`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ state: 'RUNNING' });

  // The Temporal SDK's metrics on the exporter's port.
  const sdk = await scrapeSdk();
  const sdkFamilies = families(sdk.text);
  // PRINT_SDK_METRICS=1: what worker/metrics.ts SDK_METRIC_NAMES and docs/operations.md list, with a sample line each.
  if (process.env.PRINT_SDK_METRICS) console.log(sdkFamilies.map((f) => `${f}\n  ${sdk.text.split('\n').find((l) => l.startsWith(f))}`).join('\n'));
  expect(sdkFamilies.length).toBeGreaterThan(0);
  expect(sdkFamilies.every((f) => f.startsWith('temporal_'))).toBe(true);
  // What every run of these cases makes the SDK record (the rest of SDK_METRIC_NAMES depends on timing, e.g. replays).
  const always = [
    'temporal_workflow_task_execution_latency_seconds',
    'temporal_workflow_task_schedule_to_start_latency_seconds',
    'temporal_activity_execution_latency_seconds',
    'temporal_activity_schedule_to_start_latency_seconds',
    'temporal_activity_execution_failed_total',
    'temporal_workflow_completed_total',
    'temporal_sticky_cache_hit_total',
    'temporal_num_pollers',
    'temporal_worker_task_slots_available',
  ];
  expect(always.filter((n) => !SDK_METRIC_NAMES.includes(n) || !sdkFamilies.includes(n))).toEqual([]);
  expect(value(sdk.samples, 'temporal_worker_task_slots_available', { task_queue: taskQueue })).toBeGreaterThan(0);
  expect(value(sdk.samples, 'temporal_activity_execution_latency_seconds_count', { activity_type: 'issueCertificates' })).toBeGreaterThan(0);
  // Since v9 the progress records are local activities, with their own latency family.
  expect(value(sdk.samples, 'temporal_local_activity_execution_latency_seconds_count', { activity_type: 'recordCaseProgress' })).toBeGreaterThan(0);

  // Names: every onestop_* family served is exported in METRIC_NAMES, and every one of the API's own is served.
  const apiText = (await scrapeApi()).text;
  expect(families(apiText).filter((f) => !(API_METRICS as readonly string[]).includes(f))).toEqual([]);
  expect(API_METRIC_NAMES.filter((n) => !families(apiText).includes(n))).toEqual([]);
  expect(families(w.text).sort()).toEqual([...WORKER_METRICS].sort());

  // No label anywhere carries a case number (bounded values: routes, services, statuses, activity types).
  for (const text of [apiText, w.text, sdk.text]) {
    const labels = parse(text).flatMap((s) => Object.values(s.labels));
    expect(labels.filter((l) => CASE_NO.test(l) || caseNos.some((c) => l.includes(c)))).toEqual([]);
  }
});

it('WORKER_METRICS_PORT=off starts the worker without the SDK exporter', async () => {
  const port = await freePort();
  const off = await startWorker({ TEMPORAL_TASK_QUEUE: uniqueQueue('metrics-off'), WORKER_HEALTH_PORT: String(port), WORKER_METRICS_PORT: 'off' });
  try {
    expect(off.output()).toContain('SDK metrics off');
    // Its activity metrics are still served on the health listener.
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
  } finally {
    off.child.kill('SIGTERM');
    expect(await off.exited()).toBe(0);
  }
});

it('a second worker whose SDK metrics port is taken starts in development, without the exporter, and says so', async () => {
  const port = await freePort();
  // sdkPort is held by the first worker's exporter.
  const second = await startWorker({ TEMPORAL_TASK_QUEUE: uniqueQueue('metrics-busy'), WORKER_HEALTH_PORT: String(port), WORKER_METRICS_PORT: String(sdkPort) });
  try {
    expect(second.output()).toContain(`SDK metrics exporter not started on 127.0.0.1:${sdkPort}`);
    expect(second.output()).toContain('SDK metrics off');
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  } finally {
    second.child.kill('SIGTERM');
    expect(await second.exited()).toBe(0);
  }
});
