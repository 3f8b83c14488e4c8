/**
 * Traces (issue 14): one trace follows a case. The real API app and a case worker run in this process with an
 * in-memory exporter behind the same tracer provider, client (connectClient, with its interceptors) and worker options
 * (createCaseWorker: activity interceptors, the workflow interceptor module, the exporter sink) that production uses.
 * A submission and a reviewer's decision each get their HTTP span; the case's root span, the workflow start, the
 * workflow run, its activities, the decision's signal and its handling all share the case's trace, and the case's
 * spans link to the requests that caused them.
 */
import { testApiDeps } from '../helpers/api-harness';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createApp } from '../../api/app';
import { signDevToken } from '../../api/http/auth';
import { schoolBusExample } from '../../api/schemas/examples';
import { DEMO } from '../../infra/db/seed';
import { loadTemporalConfig } from '../../infra/config';
import { payloadDataConverter } from '../../infra/temporal/codec';
import { connectClient } from '../../infra/temporal/connection';
import { caseTraceIds, startTracing, type Tracing } from '../../infra/tracing';
import { createCaseWorker } from '../../worker/create-worker';
import { calendarDir, connectTestEnv, openTestOrm, testCodec, testSigner, uniqueQueue, waitFor } from '../helpers/harness';

const AUTH = { secret: 'tracing-test-secret-of-at-least-32-bytes', issuer: 'onestop' };
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let env: TestWorkflowEnvironment;
let orm: MikroORM;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let server: Server;
let base: string;

beforeAll(async () => {
  tracing = startTracing({ service: 'onestop-test', spanProcessor: new SimpleSpanProcessor(exporter) })!;
  env = await connectTestEnv();
  orm = await openTestOrm();
  const taskQueue = uniqueQueue('tracing');
  const dataConverter = payloadDataConverter(testCodec());
  client = await connectClient(loadTemporalConfig({ TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS, HOME: '/nonexistent' }), dataConverter);
  worker = await createCaseWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createActivities({ orm, signer: testSigner(), calendarDir }),
    fromSource: true,
    dataConverter,
    tracing,
  });
  running = worker.run();
  const { app } = createApp(testApiDeps({ orm, client, taskQueue, auth: AUTH }));
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await client?.connection.close();
  await orm?.close();
  await env?.teardown();
  await tracing?.shutdown();
});

async function call(method: string, p: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
}

const spans = () => exporter.getFinishedSpans();
const named = (name: string, traceId?: string) => spans().filter((s) => s.name === name && (traceId === undefined || s.spanContext().traceId === traceId));
const linksTo = (span: ReadableSpan, target: ReadableSpan) => span.links.some((l) => l.context.spanId === target.spanContext().spanId && l.context.traceId === target.spanContext().traceId);

it('the spans of a submission and of a decision belong to the trace of the case and its workflow', async () => {
  const portal = signDevToken({ role: 'portal', sub: 'trace-portal', applicant: DEMO.schoolBusCarrier.creditCode }, AUTH);
  // A portal that traces its own calls: the submission's HTTP span continues its trace.
  const portalTraceId = 'a'.repeat(32);
  const created = await call('POST', '/cases', portal, schoolBusExample(), { 'Idempotency-Key': `trace-${Date.now()}`, traceparent: `00-${portalTraceId}-${'b'.repeat(16)}-01` });
  expect(created.status).toBe(201);
  const caseNo: string = created.body.caseNo;
  const { traceId, spanId: rootSpanId } = caseTraceIds(caseNo);

  const edu = signDevToken({ role: 'reviewer', department: 'education', sub: 'edu-trace' }, AUTH);
  const task = await waitFor('the education task', async () => {
    const q = await call('GET', '/reviews?status=open&limit=500', edu);
    return (q.body.tasks as { taskId: string; caseNo: string; stepId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === 'education-acceptance');
  });
  expect((await call('POST', `/reviews/${encodeURIComponent(task.taskId)}/claim`, edu)).status).toBe(200);
  expect((await call('POST', `/cases/${caseNo}/steps/education-acceptance/decision`, edu, { decision: 'approve', comment: '同意' })).status).toBe(202);
  // The decision's consequences ran in the worker: the police and transport steps' tasks were opened.
  await waitFor('the next steps opened', async () => {
    const ps = signDevToken({ role: 'reviewer', department: 'public_security', sub: 'ps-trace' }, AUTH);
    const q = await call('GET', '/reviews?status=open&limit=500', ps);
    return (q.body.tasks as { caseNo: string }[]).find((t) => t.caseNo === caseNo);
  });
  // Withdrawn, so the workflow run ends and its span with it.
  expect((await call('POST', `/cases/${caseNo}/withdraw`, portal, { reason: 'trace test done' })).status).toBe(202);
  await waitFor('the case withdrawn', async () => ((await call('GET', `/cases/${caseNo}`, portal)).body.status === 'withdrawn' ? true : undefined));
  // The worker's workflow spans leave the sandbox through the sink; shutting down flushes them.
  worker.shutdown();
  await running;
  await tracing.spanProcessor.forceFlush();

  // The submission: an HTTP server span in the portal's trace, and the case's root span (its ids from the case number)
  // linked to it; the workflow start under the root.
  const submitHttp = spans().find((s) => s.kind === SpanKind.SERVER && s.name === 'POST /api/v1/cases');
  expect(submitHttp?.spanContext().traceId).toBe(portalTraceId);
  const [root] = named(`case ${caseNo}`, traceId);
  expect(root?.spanContext().spanId).toBe(rootSpanId);
  expect(linksTo(root!, submitHttp!)).toBe(true);
  const [start] = named('StartWorkflow:caseWorkflow', traceId);
  expect(start?.parentSpanId).toBe(rootSpanId);

  // The workflow run and its activities, in the case's trace.
  const [run] = named('RunWorkflow:caseWorkflow', traceId);
  expect(run?.parentSpanId).toBe(start!.spanContext().spanId);
  const activities = spans().filter((s) => s.name.startsWith('RunActivity:') && s.spanContext().traceId === traceId);
  expect(activities.some((s) => s.name === 'RunActivity:recordCaseProgress')).toBe(true);
  expect(activities.some((s) => s.name === 'RunActivity:runAutomaticCheck')).toBe(true);
  expect(named('StartActivity:recordCaseProgress', traceId).every((s) => s.parentSpanId === run!.spanContext().spanId)).toBe(true);

  // The decision: its HTTP span, the case's signal span under the root (linked to the request), the client's signal
  // span and the workflow's handling of it, all in the case's trace.
  const decideHttp = spans().find((s) => s.kind === SpanKind.SERVER && s.name === 'POST /api/v1/cases/:caseNo/steps/:stepId/decision');
  expect(decideHttp).toBeDefined();
  const [signal] = named('case.signal reviewDecision', traceId);
  expect(signal?.parentSpanId).toBe(rootSpanId);
  expect(linksTo(signal!, decideHttp!)).toBe(true);
  expect(named('SignalWorkflow:reviewDecision', traceId)).toHaveLength(1);
  const [handled] = named('HandleSignal:reviewDecision', traceId);
  expect(handled).toBeDefined();
  // What the workflow did after the decision (the next steps recorded) is in the trace too, and so is the withdrawal.
  expect(activities.filter((s) => s.name === 'RunActivity:recordCaseProgress' && s.startTime[0] * 1e9 + s.startTime[1] > handled!.startTime[0] * 1e9 + handled!.startTime[1]).length).toBeGreaterThan(0);
  expect(named('case.signal withdraw', traceId)).toHaveLength(1);

  // Every span about this workflow (Temporal's interceptors tag them with its id) is in the case's trace.
  const aboutCase = spans().filter((s) => s.attributes.temporalWorkflowId === caseNo);
  expect(aboutCase.length).toBeGreaterThan(5);
  expect(aboutCase.filter((s) => s.spanContext().traceId !== traceId).map((s) => s.name)).toEqual([]);
  // No personal data in span names or attributes.
  expect(JSON.stringify(spans().map((s) => [s.name, s.attributes]))).not.toContain(DEMO.drivers.schoolBus.idCard);
});
