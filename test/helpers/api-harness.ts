/**
 * The real API app (createApp) on an ephemeral port, wired to the run's Temporal server and PostgreSQL test database,
 * with a worker on its own task queue. Tests talk to it over HTTP, as the portal and the reviewers would.
 */
import type { ApiDeps } from '../../api/context';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import { signDevToken, type Principal } from '../../api/http/auth';
import { HttpMetrics } from '../../api/http/metrics';
import { PublicKeyRing, type CertificateSigner } from '../../infra/signing/certificate-signer';
import type { Department } from '../../domain/types';
import type { ServiceCatalog } from '../../infra/services/catalog';
import { calendar, catalog, connectTestEnv, makeWorker, openTestOrm, testCodec, testSigner, uniqueQueue } from './harness';
import { responseValidator } from './response-validator';

export const AUTH = { secret: 'test-jwt-secret', issuer: 'onestop' };

export function token(role: Principal['role'], department?: Department, sub?: string): string {
  return signDevToken({ role, sub: sub ?? `${role}-${department ?? 'x'}`, ...(department ? { department } : {}) }, AUTH);
}

/**
 * A portal client's token (`sub` = the client id), optionally asserting the applicant the city's identity system
 * authenticated (credit code or resident ID number): personal data in clear and prefill are for that applicant only.
 */
export function portalToken(clientId: string, applicant?: string): string {
  return signDevToken({ role: 'portal', sub: clientId, ...(applicant ? { applicant } : {}) }, AUTH);
}

/** Claims the step's open task as `reviewerToken`'s reviewer, then decides: deciding requires holding the claim. */
export async function claimAndDecide(
  api: Pick<ApiHarness, 'call'>,
  reviewerToken: string,
  taskId: string,
  caseNo: string,
  stepId: string,
  body: Record<string, unknown> = { decision: 'approve', comment: '同意' },
  headers?: Record<string, string>,
) {
  const claimed = await api.call('POST', `/reviews/${encodeURIComponent(taskId)}/claim`, { token: reviewerToken });
  if (claimed.status !== 200) return claimed;
  return api.call('POST', `/cases/${caseNo}/steps/${stepId}/decision`, { token: reviewerToken, body, ...(headers ? { headers } : {}) });
}

export interface ApiHarness {
  env: TestWorkflowEnvironment;
  orm: MikroORM;
  worker: Worker;
  base: string;
  openapi: Record<string, unknown>;
  call: (method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }) => Promise<{ status: number; body: any; headers: Headers }>;
  close: () => Promise<void>;
}

/** The Temporal UI origin the codec endpoint lets in (CORS) in the API tests. */
export const CODEC_UI_ORIGIN = 'http://127.0.0.1:8233';

/**
 * What the API app needs in a test (createApp's deps): the run's PostgreSQL and Temporal client, the catalogue and
 * calendar, the test key ring and token config, and quiet logs; `over` replaces any of them.
 */
export function testApiDeps(over: Partial<ApiDeps> & Pick<ApiDeps, 'orm' | 'client' | 'taskQueue'>): ApiDeps {
  return {
    catalog,
    calendar: calendar(),
    publicKeys: new PublicKeyRing(testSigner().keyId, testSigner().publicKeyPem),
    auth: AUTH,
    bodyLimit: '64kb',
    metrics: new HttpMetrics(),
    log: () => undefined,
    ...over,
  };
}

/**
 * `signer` and `publicKeys`: the worker's certificate key and the API's key ring, when a test needs its own (default: the
 * test key). `catalog`: the API's service catalogue (default: data/services and data/city), e.g. one loaded from a
 * temporary folder with a made-up service; the worker needs none (a case carries its definition).
 */
export async function startApi(
  opts: { codecDevSecret?: string; signer?: CertificateSigner; publicKeys?: PublicKeyRing; catalog?: ServiceCatalog } = {},
): Promise<ApiHarness> {
  const env = await connectTestEnv();
  const orm = await openTestOrm();
  const taskQueue = uniqueQueue('api');
  const worker = await makeWorker(env, orm, taskQueue, opts.signer ? { signer: opts.signer } : {});
  const running = worker.run();
  const { app, openapi } = createApp(
    testApiDeps({
      orm,
      client: env.client,
      taskQueue,
      ...(opts.publicKeys ? { publicKeys: opts.publicKeys } : {}),
      ...(opts.catalog ? { catalog: opts.catalog } : {}),
      log: (msg, err) => (process.env.DEBUG_API ? console.error(msg, err) : undefined),
      payloadCodec: { codec: testCodec(), uiOrigins: [CODEC_UI_ORIGIN], ...(opts.codecDevSecret ? { devSecret: opts.codecDevSecret } : {}) },
    }),
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  // Every response of every test is checked against the document the API serves: a violation fails the test.
  const conformance = responseValidator(openapi);
  return {
    env,
    orm,
    worker,
    base,
    openapi,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      if (o.body !== undefined || o.raw !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(path.startsWith('http') ? path : base + path, {
        method,
        headers,
        body: o.raw ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* text body (PEM, metrics) */
      }
      const violations = conformance.check(method, res.url, res.status, res.headers.get('content-type'), body, text);
      if (violations.length > 0) throw new Error(`response does not match the OpenAPI document:\n${violations.join('\n')}`);
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      await new Promise((r) => server.close(r));
      worker.shutdown();
      await running;
      await orm.close();
      await env.teardown();
    },
  };
}
