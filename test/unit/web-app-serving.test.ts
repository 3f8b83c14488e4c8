/**
 * How the API serves the web app and its sign-in helpers, on createApp with stub database and Temporal (none of these
 * routes touch them): the page paths answer index.html and nothing else does, hashed assets are cached for good, the
 * Content-Security-Policy allows the built app (scripts from this origin only, antd's inline styles), `/` goes to the
 * workbench; development sign-in mints a token the API accepts, and does not exist in production or with an identity
 * provider's key.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { createApp, type HttpOptions } from '../../api/app';
import type { ApiDeps } from '../../api/context';
import { verifyToken, type AuthConfig } from '../../api/http/auth';
import { HttpMetrics } from '../../api/http/metrics';
import { loadWorkingDayCalendar } from '../../infra/calendar-store';
import { loadConfig } from '../../infra/config';
import { DEMO } from '../../infra/db/seed';
import { loadServiceCatalog } from '../../infra/services/catalog';

const AUTH: AuthConfig = { secret: 'web-serving-test-secret-0123456789abcdef', issuer: 'onestop', audience: 'onestop-api', maxAgeSeconds: 12 * 3600 };
const catalog = loadServiceCatalog();
const calendar = loadWorkingDayCalendar(loadConfig({}).calendarDir);
const servers: http.Server[] = [];

// A stand-in build: the test does not depend on `npm run build:web` having run.
const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-web-'));
const INDEX = '<!doctype html><html lang="zh-CN"><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
fs.mkdirSync(path.join(dist, 'assets'));
fs.writeFileSync(path.join(dist, 'index.html'), INDEX);
fs.writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log("app")\n');

async function start(o: { production?: boolean; auth?: AuthConfig; http?: HttpOptions } = {}) {
  const deps = {
    orm: {},
    client: {},
    taskQueue: 'unused',
    catalog,
    calendar,
    publicKeys: {},
    auth: o.auth ?? AUTH,
    bodyLimit: '64kb',
    metrics: new HttpMetrics(),
    log: () => undefined,
    production: o.production,
  } as unknown as ApiDeps;
  const { app } = createApp(deps, { production: o.production, webDist: dist, ...o.http });
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return (p: string, init?: RequestInit) => fetch(base + p, { redirect: 'manual', ...init });
}

const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  fs.rmSync(dist, { recursive: true, force: true });
});

describe('serving the web app', () => {
  it('answers every page path with index.html, never cached, under a CSP that allows it', async () => {
    const get = await start();
    for (const p of ['/workbench', '/workbench/sign-in', '/workbench/cases/JN-SCHOOLBUS-20261126-000001', '/track', '/track/JN-X', '/verify', '/verify/SB-2026-000001', '/ops', '/certificates/SB-2026-000001/print']) {
      const res = await get(p);
      expect([p, res.status]).toEqual([p, 200]);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(INDEX);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self';");
      expect(csp).toMatch(/style-src 'self' 'unsafe-inline'/);
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).toContain("connect-src 'self'");
    }
  });

  it('redirects / to the workbench and leaves other paths to the API (JSON 404, not the page)', async () => {
    const get = await start();
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/workbench');
    for (const p of ['/workbenchx', '/certificates/SB-1', '/certificates/SB-1/print/x', '/api/v1/nope', '/assets/missing.js']) {
      const res = await get(p);
      expect([p, res.status]).toEqual([p, 404]);
      expect(res.headers.get('content-type')).toMatch(/json/);
    }
  });

  it('serves hashed assets cached for a year', async () => {
    const get = await start();
    const res = await get('/assets/index-abc123.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
  });

  it('says how to build the app when it is not built (503), and the API still works', async () => {
    const get = await start({ http: { webDist: path.join(dist, 'absent') } });
    const res = await get('/workbench');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build:web/);
    expect((await get('/api/v1/ui-config')).status).toBe(200);
  });
});

describe('development sign-in', () => {
  it('lists the departments and the seeded reviewers', async () => {
    const get = await start();
    const body = (await (await get('/api/v1/dev/reviewers')).json()) as { departments: { code: string; name: { zh: string } }[]; reviewers: { id: string }[] };
    expect(body.departments.map((d) => d.code)).toContain('public_security');
    expect(body.departments.find((d) => d.code === 'education')?.name.zh).toBe('教育局');
    expect(body.reviewers.map((r) => r.id)).toEqual(DEMO.reviewers.map((r) => r.id));
  });

  it('mints the dev token the API accepts for that reviewer, and ui-config says sign-in is on', async () => {
    const get = await start();
    const res = await get('/api/v1/dev/token', post({ role: 'reviewer', department: 'education', sub: 'edu-01' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; expiresInSeconds: number; sub: string; department: string };
    expect(body).toMatchObject({ sub: 'edu-01', department: 'education', expiresInSeconds: 12 * 3600 });
    await expect(verifyToken(`Bearer ${body.token}`, AUTH)).resolves.toMatchObject({ sub: 'edu-01', role: 'reviewer', department: 'education' });
    expect(await (await get('/api/v1/ui-config')).json()).toMatchObject({ devSignIn: true, namespace: expect.any(String) });
    // Refused with the field named: a reviewer without a department, a department on another role, an unknown field.
    const noDept = await get('/api/v1/dev/token', post({ role: 'reviewer' }));
    expect(noDept.status).toBe(400);
    expect(JSON.stringify(await noDept.json())).toContain('body.department');
    expect((await get('/api/v1/dev/token', post({ role: 'ops', department: 'education' }))).status).toBe(400);
    expect((await get('/api/v1/dev/token', post({ role: 'reviewer', department: 'education', admin: true }))).status).toBe(400);
    // A department the city file does not list.
    const unknown = await get('/api/v1/dev/token', post({ role: 'reviewer', department: 'weather_bureau' }));
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('body.department');
  });

  it('does not exist in production, nor when tokens come from an identity provider', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    for (const o of [{ production: true }, { auth: { ...AUTH, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() } }]) {
      const get = await start(o);
      expect((await get('/api/v1/dev/token', post({ role: 'reviewer', department: 'education' }))).status).toBe(404);
      expect((await get('/api/v1/dev/reviewers')).status).toBe(404);
      expect(await (await get('/api/v1/ui-config')).json()).toMatchObject({ devSignIn: false });
    }
  });
});
