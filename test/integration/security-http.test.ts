/**
 * The API's HTTP defences against the real app, Temporal and PostgreSQL: production start without a real secret,
 * token rules (exp, aud, life, EdDSA public key), rate limits, security headers, 405, strict query parsing,
 * poisoned strings in every kind of input, and webhooks (the client's own secret with a timestamp, registered
 * origins only, refused internal targets, redirects not followed). No traffic leaves the machine: receivers are
 * loopback servers of this test and names resolve through a stub.
 */
import { testApiDeps } from '../helpers/api-harness';
import { fatalMessage } from '../../infra/process';
import { spawn } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { SignJWT } from 'jose';
import { createActivities } from '../../activities';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../activities/webhooks';
import { createApp, type HttpOptions } from '../../api/app';
import type { ApiDeps } from '../../api/context';
import { signDevToken, type AuthConfig } from '../../api/http/auth';
import { schoolBusExample } from '../../api/schemas/examples';
import { DEV_JWT_SECRET, PROJECT_ROOT } from '../../infra/config';
import { PortalClient } from '../../infra/db/entities';
import type { Resolver } from '../../infra/net/callback-guard';
import { createCaseWorker } from '../../worker/create-worker';
import { calendar, calendarDir, connectTestEnv, openTestOrm, testSigner, uniqueQueue, waitFor } from '../helpers/harness';


function rawHs256(claims: Record<string, unknown>, secret: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const AUTH: AuthConfig = { secret: 'security-test-secret-0123456789abcdef', issuer: 'onestop', audience: 'onestop-api', maxAgeSeconds: 12 * 3600 };
const run = randomBytes(3).toString('hex');

let env: TestWorkflowEnvironment;
let orm: MikroORM;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;
const servers: http.Server[] = [];

/** Names under `.test` resolve to loopback, as an attacker's DNS would answer: the guard must refuse them. */
const resolver: Resolver = async (name) => (name.endsWith('.test') ? [{ address: '127.0.0.1', family: 4 }] : []);

function deps(auth: AuthConfig = AUTH): ApiDeps {
  return testApiDeps({ orm, client: env.client, taskQueue, auth });
}

async function listen(server: http.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** A running API (createApp as api/main.ts builds it) and a fetch helper. */
async function startHttp(o: { auth?: AuthConfig; http?: HttpOptions } = {}) {
  const { app, metricsApp } = createApp(deps(o.auth), o.http ?? {});
  const port = await listen(http.createServer(app));
  const metricsPort = await listen(http.createServer(metricsApp));
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, p: string, c: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...(c.headers ?? {}) };
    if (c.token) headers.authorization = `Bearer ${c.token}`;
    if (c.body !== undefined || c.raw !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(p.startsWith('http') ? p : `${base}${p.startsWith('/api') || p.startsWith('/docs') || p.startsWith('/healthz') ? '' : '/api/v1'}${p}`, {
      method,
      headers,
      body: c.raw ?? (c.body !== undefined ? JSON.stringify(c.body) : undefined),
      redirect: 'manual',
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, headers: res.headers };
  };
  return { base, metricsBase: `http://127.0.0.1:${metricsPort}`, call };
}

const tok = (role: 'portal' | 'ops' | 'reviewer', sub: string, extra: Record<string, unknown> = {}) =>
  signDevToken({ role, sub, ...(role === 'reviewer' ? { department: 'education' as const } : {}), ...extra }, AUTH);

async function register(id: string, origins: string[], allowPrivateCallbacks: boolean): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  const em = orm.em.fork();
  em.create(PortalClient, { id, name: `security test ${id}`, callbackOrigins: origins, webhookSecret: secret, allowPrivateCallbacks, createdAt: new Date() });
  await em.flush();
  return secret;
}

beforeAll(async () => {
  env = await connectTestEnv();
  orm = await openTestOrm();
  taskQueue = uniqueQueue('security');
  worker = await createCaseWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createActivities({ orm, signer: testSigner(), calendarDir, webhooks: { resolver, timeoutMs: 5000 } }),
    fromSource: true,
    dataConverter: env.client.options.dataConverter,
  });
  running = worker.run();
});

afterAll(async () => {
  for (const s of servers) s.closeAllConnections?.();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  worker.shutdown();
  await running;
  await orm.close();
  await env.teardown();
});

describe('production start refuses a missing, default or short JWT_SECRET', () => {
  const start = (extra: Record<string, string | undefined>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', API_PORT: '0', ...extra };
      for (const [k, v] of Object.entries(extra)) if (v === undefined) delete childEnv[k];
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'api/main.ts')], { cwd: PROJECT_ROOT, env: childEnv });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr: stderr.trim() });
      });
    });

  it.each([
    ['missing', undefined, 'api: JWT_SECRET is not set'],
    ['the default', DEV_JWT_SECRET, 'api: JWT_SECRET is a published default'],
    ['short', 'only-twenty-bytes-xx', 'api: JWT_SECRET is shorter than 32 bytes'],
  ])('%s: exits non-zero with one line naming JWT_SECRET', async (_what, secret, line) => {
    const r = await start({ JWT_SECRET: secret, JWT_PUBLIC_KEY_PATH: undefined });
    expect(r.code).not.toBe(0);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(fatalMessage(r.stderr)).toContain(line);
  });
});

describe('tokens', () => {
  const now = () => Math.floor(Date.now() / 1000);
  /** HS256 with exactly these claims (jsonwebtoken adds or strips iat on its own, which would hide what is tested). */
  const hs = (claims: Record<string, unknown>) => rawHs256({ role: 'ops', sub: 'ops-1', iss: 'onestop', ...claims }, AUTH.secret);

  it.each([
    ['without exp', { iat: now(), aud: 'onestop-api' }],
    ['without aud', { iat: now(), exp: now() + 600 }],
    ['with another audience', { iat: now(), exp: now() + 600, aud: 'city-intranet' }],
    ['with too long a life', { iat: now(), exp: now() + 30 * 24 * 3600, aud: 'onestop-api' }],
  ])('a token %s is 401', async (_what, claims) => {
    const api = await startHttp();
    const r = await api.call('GET', '/stats', { token: hs(claims) });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthorized');
    expect((await api.call('GET', '/stats', { token: hs({ iat: now(), exp: now() + 600, aud: 'onestop-api' }) })).status).toBe(200);
  });

  it('an EdDSA token is verified with JWT_PUBLIC_KEY_PATH’s key; an HS256 one is then refused', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const api = await startHttp({ auth: { ...AUTH, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    const eddsa = await new SignJWT({ role: 'ops' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('idp-ops-1')
      .setIssuer('onestop')
      .setAudience('onestop-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await api.call('GET', '/stats', { token: eddsa })).status).toBe(200);
    expect((await api.call('GET', '/stats', { token: tok('ops', 'o') })).status).toBe(401);
  });
});

describe('abuse limits and headers', () => {
  it('per token: 429 with Retry-After and the error body once the token’s budget is spent', async () => {
    const api = await startHttp({ http: { rateLimit: { perIpPerMinute: 100, perTokenPerMinute: 3 } } });
    const t = tok('ops', 'rate-ops');
    for (let i = 0; i < 3; i++) expect((await api.call('GET', '/services', { token: t })).status).toBe(200);
    const r = await api.call('GET', '/services', { token: t });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r.body.error.code).toBe('rate_limited');
    // Another token from the same address still has its own budget.
    expect((await api.call('GET', '/services', { token: tok('ops', 'other-ops') })).status).toBe(200);
  });

  it('per address: 429 whatever the token, probes exempt', async () => {
    const api = await startHttp({ http: { rateLimit: { perIpPerMinute: 4, perTokenPerMinute: 100 } } });
    for (let i = 0; i < 4; i++) expect((await api.call('GET', '/services', { token: tok('ops', `ip-${i}`) })).status).toBe(200);
    const r = await api.call('GET', '/certificates/public-key');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    expect((await api.call('GET', '/healthz')).status).toBe(200);
  });

  it('helmet headers on the API and a CSP under which /docs loads its scripts from this origin only', async () => {
    const api = await startHttp();
    const r = await api.call('GET', '/services', { token: tok('ops', 'h') });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('strict-transport-security')).toContain('max-age=');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-powered-by')).toBeNull();
    const docs = await api.call('GET', '/docs');
    const csp = docs.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // No inline script (the CSP would block it): every <script> has a src on this origin.
    expect(String(docs.body).match(/<script(?![^>]*\ssrc="\/docs\/)[^>]*>/g)).toBeNull();
    const init = await api.call('GET', '/docs/init.js');
    expect(init.status).toBe(200);
    expect(init.body).toContain('persistAuthorization: false');
    expect((await api.call('GET', '/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });

  it('/metrics is on the internal listener, not on the public port', async () => {
    const api = await startHttp();
    await api.call('GET', '/services', { token: tok('ops', 'm') });
    expect((await api.call('GET', '/metrics')).status).toBe(404);
    const m = await fetch(`${api.metricsBase}/metrics`);
    expect(m.status).toBe(200);
    expect(await m.text()).toContain('onestop_http_requests_total{method="GET",route="/services",status="200"}');
  });

  it('an undeclared method on a known path is 405 with Allow; an unknown path is 404', async () => {
    const api = await startHttp();
    const r = await api.call('DELETE', '/services', { token: tok('ops', 'x') });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(r.body.error.code).toBe('method_not_allowed');
    const put = await api.call('PUT', '/cases/JN-SCHOOLBUS-20991231-000001/withdraw', { token: tok('portal', 'p') });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST, OPTIONS');
    expect((await api.call('GET', '/nothing-here')).status).toBe(404);
  });
});

describe('input hygiene', () => {
  const deadline = (workingDays: string) => `/calendar/deadline?from=2026-11-26T10:00:00%2B08:00&workingDays=${workingDays}`;

  it.each(['0x10', '1e1', '%205', '%2B5', '5.0', '05', ''])('workingDays=%s is 400 naming query.workingDays', async (v) => {
    const api = await startHttp();
    const r = await api.call('GET', deadline(v));
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toContain('query.workingDays');
  });

  it('a canonical integer passes; a repeated parameter is 400; limit=0x10 on a list is 400', async () => {
    const api = await startHttp();
    expect((await api.call('GET', deadline('5'))).status).toBe(200);
    const repeated = await api.call('GET', `${deadline('5')}&workingDays=6`);
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.details).toEqual([{ path: 'query.workingDays', message: expect.stringContaining('more than once') }]);
    const list = await api.call('GET', '/cases?limit=0x10', { token: tok('ops', 'o') });
    expect(list.status).toBe(400);
    expect(list.body.error.details[0].path).toBe('query.limit');
  });

  const poisons: [string, string][] = [
    ['NUL', 'a\u0000b'],
    ['a lone surrogate', 'a\uD800b'],
    ['BEL', 'a\u0007b'],
  ];

  it.each(poisons)('%s in a body field is 400 naming body.form.applicant.name (no case created)', async (_what, poison) => {
    const api = await startHttp();
    const body = schoolBusExample() as { form: { applicant: { name: string } } };
    body.form.applicant.name = poison;
    const r = await api.call('POST', '/cases', { token: tok('portal', `poison-${run}`), body, headers: { 'Idempotency-Key': `poison-${run}-${poison.charCodeAt(1)}` } });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([{ path: 'body.form.applicant.name', message: expect.any(String) }]);
    expect(JSON.stringify(r.body)).not.toContain(poison);
  });

  it.each(poisons)('%s in a nested key is 400 naming the object that holds it', async (_what, poison) => {
    const api = await startHttp();
    const body = schoolBusExample() as { form: Record<string, unknown> };
    body.form.vehicles = [{ [`pl${poison}ate`]: 'x' }];
    const r = await api.call('POST', '/cases', { token: tok('portal', `poison-${run}`), body, headers: { 'Idempotency-Key': `poison-key-${run}` } });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([{ path: 'body.form.vehicles.0', message: expect.stringContaining('a property name') }]);
  });

  it.each(poisons)('%s in a withdraw reason is 400 naming body.reason, before any lookup', async (_what, poison) => {
    const api = await startHttp();
    const r = await api.call('POST', '/cases/JN-SCHOOLBUS-20991231-000001/withdraw', { token: tok('portal', 'p'), body: { reason: poison } });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].path).toBe('body.reason');
  });

  it.each([
    ['NUL', '%00'],
    ['BEL', '%07'],
  ])('%s in a query parameter and in a path parameter is 400 naming it', async (_what, encoded) => {
    const api = await startHttp();
    const q = await api.call('GET', `/cases?status=open${encoded}`, { token: tok('ops', 'o') });
    expect(q.status).toBe(400);
    expect(q.body.error.details[0].path).toBe('query.status');
    const p = await api.call('GET', `/cases/JN${encoded}X`, { token: tok('ops', 'o') });
    expect(p.status).toBe(400);
    expect(p.body.error.details[0].path).toBe('params.caseNo');
  });

  it('a lone surrogate cannot be percent-encoded in a path: 400 naming params, not 500', async () => {
    const api = await startHttp();
    const r = await api.call('GET', '/cases/JN%ED%A0%80X', { token: tok('ops', 'o') });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].path).toBe('params');
  });

  it('a raw JSON lone surrogate (\\ud800 escape) in a nested field is caught too', async () => {
    const api = await startHttp();
    const r = await api.call('POST', '/cases/JN-SCHOOLBUS-20991231-000001/withdraw', { token: tok('portal', 'p'), raw: '{"reason":"x\\ud800y"}' });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]).toEqual({ path: 'body.reason', message: expect.stringContaining('unpaired surrogate') });
  });
});

describe('webhooks', () => {
  interface Hit {
    path: string;
    body: string;
    timestamp?: string;
    signature?: string;
  }
  async function receiver(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, s) => void s.writeHead(204).end()) {
    const hits: Hit[] = [];
    const port = await listen(
      http.createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          hits.push({ path: req.url ?? '', body, timestamp: req.headers[TIMESTAMP_HEADER.toLowerCase()] as string, signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string });
          answer(req, res);
        });
      }),
    );
    return { hits, port };
  }
  const deliveries = (caseNo: string) =>
    orm.em.fork().execute<{ attempt: number; http_status: number | null; error: string | null }[]>('select attempt, http_status, error from webhook_delivery where case_no = ? order by id', [caseNo]);
  const submit = (api: Awaited<ReturnType<typeof startHttp>>, clientId: string, webhookUrl: string, key: string) =>
    api.call('POST', '/cases', { token: tok('portal', clientId), body: { ...schoolBusExample(), webhookUrl }, headers: { 'Idempotency-Key': key } });

  it('a webhookUrl outside the client’s registered origins is 422; an unregistered client cannot have webhooks', async () => {
    const api = await startHttp();
    const id = `sec-origin-${run}`;
    await register(id, ['https://portal.example.cn'], false);
    const foreign = await submit(api, id, 'https://attacker.example.com/hook', `origin-${run}-1`);
    expect(foreign.status).toBe(422);
    const metadata = await submit(api, id, 'http://169.254.169.254/latest/meta-data/', `origin-${run}-2`);
    expect(metadata.status).toBe(422);
    const unregistered = await submit(api, `nobody-${run}`, 'https://portal.example.cn/hook', `origin-${run}-3`);
    expect(unregistered.status).toBe(422);
  });

  it('is signed over timestamp and body with the client’s own secret, not with JWT_SECRET', async () => {
    const api = await startHttp();
    const { hits, port } = await receiver();
    const id = `sec-hook-${run}`;
    const secret = await register(id, [`http://127.0.0.1:${port}`], true);
    const r = await submit(api, id, `http://127.0.0.1:${port}/hook`, `hook-${run}-1`);
    expect(r.status).toBe(201);
    const hit = await waitFor('webhook delivery', async () => hits[0]);
    expect(JSON.parse(hit.body)).toMatchObject({ caseNo: r.body.caseNo, event: 'case_accepted' });
    expect(Math.abs(Number(hit.timestamp) - Date.now() / 1000)).toBeLessThan(120);
    expect(verifyWebhookSignature({ body: hit.body, timestamp: hit.timestamp, signature: hit.signature, secret })).toBe(true);
    expect(verifyWebhookSignature({ body: hit.body, timestamp: hit.timestamp, signature: hit.signature, secret: AUTH.secret })).toBe(false);
    expect(verifyWebhookSignature({ body: hit.body, timestamp: hit.timestamp, signature: hit.signature, secret: DEV_JWT_SECRET })).toBe(false);
    await api.call('POST', `/cases/${r.body.caseNo}/withdraw`, { token: tok('portal', id), body: { reason: 'test done' } });
  });

  it('a redirect is not followed: recorded as a failed delivery, the Location never requested', async () => {
    const api = await startHttp();
    const target = await receiver();
    const redirector = await receiver((_q, s) => void s.writeHead(302, { location: `http://127.0.0.1:${target.port}/stolen` }).end());
    const id = `sec-redirect-${run}`;
    await register(id, [`http://127.0.0.1:${redirector.port}`], true);
    const r = await submit(api, id, `http://127.0.0.1:${redirector.port}/hook`, `redirect-${run}-1`);
    expect(r.status).toBe(201);
    const rows = await waitFor('a recorded 302', async () => ((await deliveries(r.body.caseNo)).length > 0 ? deliveries(r.body.caseNo) : undefined));
    expect(rows[0]).toMatchObject({ attempt: 1, http_status: 302, error: expect.stringContaining('redirects are not followed') });
    expect(redirector.hits.length).toBeGreaterThanOrEqual(1);
    expect(target.hits).toHaveLength(0);
    await api.call('POST', `/cases/${r.body.caseNo}/withdraw`, { token: tok('portal', id), body: { reason: 'test done' } });
  });

  it('a registered name that resolves to an internal address is refused at connect time, once, not retried', async () => {
    const api = await startHttp();
    const internal = await receiver();
    const id = `sec-rebind-${run}`;
    // The origin looks public at registration; its DNS answers loopback (the stub), as a rebinding attacker's would.
    await register(id, [`http://portal-${run}.test:${internal.port}`], false);
    const r = await submit(api, id, `http://portal-${run}.test:${internal.port}/hook`, `rebind-${run}-1`);
    expect(r.status).toBe(201);
    const rows = await waitFor('a refused delivery', async () => ((await deliveries(r.body.caseNo)).length > 0 ? deliveries(r.body.caseNo) : undefined));
    expect(rows).toEqual([{ attempt: 1, http_status: null, error: 'refused: the callback host resolves to a loopback address' }]);
    expect(internal.hits).toHaveLength(0);
    // Non-retryable: the activity failed with its type, and the case went on (it still answers and can be withdrawn).
    // The row is written just before the activity throws: wait for the failure to reach the history.
    const failed = await waitFor('the activity failure in the history', async () => {
      const history = await env.client.workflow.getHandle(r.body.caseNo).fetchHistory();
      const f = history.events?.filter((e) => e.activityTaskFailedEventAttributes).map((e) => e.activityTaskFailedEventAttributes!.failure?.applicationFailureInfo);
      return f && f.length > 0 ? f : undefined;
    });
    expect(failed).toEqual([expect.objectContaining({ type: 'WebhookTargetRefused', nonRetryable: true })]);
    expect((await api.call('POST', `/cases/${r.body.caseNo}/withdraw`, { token: tok('portal', id), body: { reason: 'test done' } })).status).toBe(202);
  });
});
