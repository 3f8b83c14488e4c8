/**
 * Shared wiring for integration tests: the run's Temporal server and PostgreSQL test database (see setup/), a worker
 * on a task queue of the test's own, and small helpers to submit cases and wait for what the workflow records.
 */
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { submitCase, type CaseSubmission } from '../../api/case-intake';
import type { WorkingDayCalendar } from '../../domain/calendar';
import type { CaseState, ServiceDefinition } from '../../domain/types';
import { loadWorkingDayCalendar } from '../../infra/calendar-store';
import { loadConfig } from '../../infra/config';
import { openOrm } from '../../infra/db/orm';
import { loadServiceCatalog } from '../../infra/services/catalog';
import { CertificateSigner } from '../../infra/signing/certificate-signer';
import { loadPayloadCodec, payloadDataConverter, type AesGcmPayloadCodec } from '../../infra/temporal/codec';
import { createCaseWorker } from '../../worker/create-worker';
import { caseStateQuery } from '../../workflows/definitions';

// Quiet SDK logs in tests: warnings and errors only. The runtime is per process; a second install would throw.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  /* already installed by an earlier test file in this jest worker */
}

export const catalog = loadServiceCatalog();
export const calendarDir = loadConfig().calendarDir;

export function service(code: string): ServiceDefinition {
  const def = catalog.get(code);
  if (!def) throw new Error(`no service ${code}`);
  return def;
}

export function testSigner(): CertificateSigner {
  return CertificateSigner.fromFile(path.join(os.tmpdir(), 'onestop-test-keys', 'signing.pem'), 'test-key', true);
}

// The payload codec's test keys, in a folder of their own. Set in the environment too, so the worker and API processes
// that tests spawn (`node worker/main.ts`, with this process's environment) encrypt with the same key.
process.env.PAYLOAD_CODEC_KEYS_DIR = path.join(os.tmpdir(), 'onestop-test-keys', 'codec');
process.env.PAYLOAD_CODEC_KEY_ID = 'test-1';

/** The codec every test client and worker uses (a dev key, generated on first use). */
export function testCodec(): AesGcmPayloadCodec {
  return loadPayloadCodec({ keysDir: process.env.PAYLOAD_CODEC_KEYS_DIR!, currentKeyId: process.env.PAYLOAD_CODEC_KEY_ID! }, { generateIfMissing: true });
}

/** A client without the codec: what someone who reaches Temporal (its UI, its database) but holds no key sees. */
export function plainClient(env: TestWorkflowEnvironment): Client {
  return new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
}

export async function openTestOrm(): Promise<MikroORM> {
  if (!process.env.DATABASE_URL?.includes('onestop_test_')) throw new Error('integration tests need the test database from global setup');
  return openOrm(process.env.DATABASE_URL);
}

export async function connectTestEnv(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: the integration project global setup did not run');
  // env.client encrypts as the API does in production; makeWorker gives the worker the same converter.
  return TestWorkflowEnvironment.createFromExistingServer({ address, client: { dataConverter: payloadDataConverter(testCodec()) } });
}

export function uniqueQueue(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}

export async function makeWorker(
  env: TestWorkflowEnvironment,
  orm: MikroORM,
  taskQueue: string,
  opts: { calendarDir?: string; signer?: CertificateSigner } = {},
): Promise<Worker> {
  return createCaseWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createActivities({
      orm,
      signer: opts.signer ?? testSigner(),
      calendarDir: opts.calendarDir ?? calendarDir,
    }),
    fromSource: true,
    // The converter of the environment's client (the codec from connectTestEnv; plain in a time-skipping environment
    // made without one, and in record-histories, whose committed histories must replay without a key).
    dataConverter: env.client.options.dataConverter,
  });
}

export function calendar(dir = calendarDir): WorkingDayCalendar {
  return loadWorkingDayCalendar(dir);
}

/** A calendar of test data only (2030), for time-skipping tests that need fixed dates. */
export const fixtureCalendarDir = path.resolve(__dirname, '../fixtures/calendar');

export async function submit(
  deps: { orm: MikroORM; client: Client; taskQueue: string },
  code: string,
  submission: Omit<CaseSubmission, 'idempotencyKey'> & { idempotencyKey?: string },
  nowMs?: number,
  calendarDirectory = calendarDir,
) {
  return submitCase(
    { ...deps, calendar: calendar(calendarDirectory) },
    service(code),
    { idempotencyKey: randomUUID(), ...submission },
    nowMs,
  );
}

/** Polls the workflow's query until `predicate` holds: synchronisation on observed state, never a fixed sleep. */
export async function waitForState(handle: WorkflowHandle, predicate: (s: CaseState) => boolean, timeoutMs = 30_000): Promise<CaseState> {
  const deadline = Date.now() + timeoutMs;
  let last: CaseState | undefined;
  for (;;) {
    last = await handle.query(caseStateQuery);
    if (predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`state not reached in ${timeoutMs} ms; last: ${JSON.stringify({ status: last.status, steps: last.steps.map((s) => [s.id, s.status]) })}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const openStep = (id: string) => (s: CaseState) => s.steps.some((x) => x.id === id && x.status === 'open');

/** Polls a query until it returns rows: the workflow's state can be ahead of the activity that records it. */
export async function waitForRows<T = Record<string, unknown>>(orm: MikroORM, sql: string, params: unknown[], timeoutMs = 15_000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await orm.em.fork().getConnection().execute<T[]>(sql, params);
    if (rows.length > 0 || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls until `fn` returns a value: synchronisation on observable state, never a fixed sleep. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
