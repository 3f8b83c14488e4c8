/**
 * What the API refuses: an authorisation matrix of every endpoint x every role, and hundreds of generated invalid
 * submissions, each a 4xx naming the field, none a 5xx, and no case created by any of them.
 */
import { oversizeCargoExample, schoolBusExample } from '../../api/schemas/examples';
import { invalidPayloads, poisonedPayloads } from '../fixtures/invalid-submissions';
import type { Department } from '../../domain/types';
import { DEMO } from '../../infra/db/seed';
import { portalToken, startApi, token, type ApiHarness } from '../helpers/api-harness';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const CASE = 'JN-SCHOOLBUS-20991231-000001';
type Who = 'none' | 'portal' | 'reviewer' | 'ops';
const tokens: Record<Who, string | undefined> = {
  none: undefined,
  // Asserts the owner of the vehicle the prefill row asks for: prefill is for the authenticated applicant only.
  portal: portalToken('portal-guards', DEMO.newCompany.creditCode),
  reviewer: token('reviewer', 'education' as Department),
  ops: token('ops'),
};

// [method, path, body, who may call it]. "May" means: not 401/403 (the call may still be 404/409/422 on this data).
const ENDPOINTS: [string, string, unknown, Who[]][] = [
  // Public: the list of services is public information (政务服务事项清单); the public pages label forms from it.
  ['GET', '/services', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/services/SCHOOLBUS', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/calendar/deadline?from=2026-11-26T10:00:00%2B08:00&workingDays=5', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/prefill?plate=%E9%B2%81H10001', undefined, ['portal', 'ops']],
  ['POST', '/cases', { nope: true }, ['portal', 'ops']],
  ['GET', '/cases', undefined, ['portal', 'ops']],
  ['GET', `/cases/${CASE}`, undefined, ['portal', 'reviewer', 'ops']],
  ['GET', `/cases/${CASE}/decision`, undefined, ['portal', 'reviewer', 'ops']],
  ['GET', `/cases/${CASE}/supplement-notice`, undefined, ['portal', 'reviewer', 'ops']],
  ['POST', `/cases/${CASE}/supplements`, { materials: [{ material: 'route-plan', reference: 'upload:x' }] }, ['portal']],
  ['POST', `/cases/${CASE}/withdraw`, { reason: 'x' }, ['portal']],
  ['POST', `/cases/${CASE}/evaluation`, { stars: 5 }, ['portal']],
  ['POST', `/cases/${CASE}/steps/police-opinion/decision`, { decision: 'approve', comment: 'ok' }, ['reviewer']],
  ['GET', '/reviews?status=open', undefined, ['reviewer']],
  ['GET', '/reviews/nope', undefined, ['reviewer']],
  ['POST', '/reviews/nope/claim', undefined, ['reviewer']],
  ['POST', '/reviews/nope/release', undefined, ['reviewer']],
  ['GET', '/certificates/public-key', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/certificates/NOPE-1/verify', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/certificates/NOPE-1', undefined, ['portal', 'reviewer', 'ops']],
  ['POST', '/certificates/NOPE-1/revoke', { reason: 'x' }, ['ops']],
  ['GET', '/stats', undefined, ['ops']],
  ['GET', '/access-log?limit=5', undefined, ['ops']],
  ['GET', '/certificates/verify/NOSUCHCODE', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['POST', `/cases/${CASE}/retry`, {}, ['ops']],
  // The applicant's tracking: no token at all, the access code in a header (missing here: 400, never 401/403).
  ['GET', `/track/${CASE}`, undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['POST', `/track/${CASE}/supplements`, { materials: [{ material: 'route-plan', reference: 'upload:x' }] }, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/stats/daily?days=7', undefined, ['ops']],
  ['GET', '/ui-config', undefined, ['none', 'portal', 'reviewer', 'ops']],
  // Development sign-in for the pages (404 in production): public by design, like `npm run token`.
  ['GET', '/dev/reviewers', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['POST', '/dev/token', { role: 'ops' }, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/healthz', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/readyz', undefined, ['none', 'portal', 'reviewer', 'ops']],
];

it('the matrix covers every route of the OpenAPI document: a new route cannot skip it', () => {
  const templates = Object.entries(api.openapi.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => ({ key: `${m.toUpperCase()} ${path}`, re: new RegExp(`^${path.replace('/api/v1', '').replace(/\{[^}]+\}/g, '[^/?]+')}(\\?.*)?$`), m: m.toUpperCase() })),
  );
  const covered = new Set(ENDPOINTS.flatMap(([method, path]) => templates.filter((t) => t.m === method && t.re.test(path)).map((t) => t.key)));
  expect(templates.map((t) => t.key).filter((k) => !covered.has(k))).toEqual([]);
});

describe('authorisation matrix', () => {
  const rows = ENDPOINTS.flatMap(([method, path, body, allowed]) =>
    (Object.keys(tokens) as Who[]).map((who) => [method, path, body, who, allowed.includes(who)] as const),
  );
  it.each(rows)('%s %s as %s', async (method, path, body, who, allowed) => {
    const r = await api.call(method, path, { token: tokens[who], body });
    if (allowed) expect([401, 403]).not.toContain(r.status);
    else expect(r.status).toBe(who === 'none' ? 401 : 403);
    expect(r.status).toBeLessThan(500);
  });

  it('a bad or foreign token is 401; a department whose step has not opened does not see the case (404)', async () => {
    expect((await api.call('GET', '/cases', { token: 'not-a-jwt' })).status).toBe(401);
    const forged = token('ops').replace(/\.[^.]+$/, '.c2lnbmF0dXJl');
    expect((await api.call('GET', '/stats', { token: forged })).status).toBe(401);
    const submitted = await api.call('POST', '/cases', { token: tokens.portal, body: schoolBusExample(), headers: { 'Idempotency-Key': 'guards-sb-000001' } });
    const caseNo = submitted.body.caseNo as string;
    expect(submitted.status).toBe(201);
    // Transport has no step open on the case yet: the case does not exist for it, whatever it tries.
    const r = await api.call('POST', `/cases/${caseNo}/steps/education-acceptance/decision`, { token: token('reviewer', 'transport'), body: { decision: 'approve', comment: 'x' } });
    expect(r.status).toBe(404);
    expect((await api.call('GET', `/cases/${caseNo}`, { token: token('reviewer', 'transport') })).status).toBe(404);
    // A department that takes no part in the service never sees the case.
    expect((await api.call('GET', `/cases/${caseNo}`, { token: token('reviewer', 'urban_roads') })).status).toBe(404);
    await api.call('POST', `/cases/${caseNo}/withdraw`, { token: tokens.portal, body: { reason: 'test done' } });
  });
});

describe('generated bad input', () => {
  const payloads = invalidPayloads();

  it(`${payloads.length} invalid submissions: every one a 4xx that names a field, none a 5xx, no case created`, async () => {
    expect(payloads.length).toBeGreaterThan(200);
    // Only this test's keys: other suites create cases in the same database at the same time.
    const count = async () =>
      Number((await api.orm.em.fork().getConnection().execute<{ n: string }[]>("select count(*) as n from one_stop_case where idempotency_key like 'bad-input-%'"))[0]!.n);
    const failures: string[] = [];
    for (const [i, p] of payloads.entries()) {
      const r = await api.call('POST', '/cases', {
        token: tokens.portal,
        ...(p.raw !== undefined ? { raw: p.raw } : { body: p.body }),
        headers: { 'Idempotency-Key': `bad-input-${String(i).padStart(6, '0')}` },
      });
      const ok = r.status >= 400 && r.status < 500 && typeof r.body?.error?.code === 'string';
      const namesField = r.status !== 400 || r.body.error.code === 'malformed_json' || (Array.isArray(r.body.error.details) && r.body.error.details.length > 0) || /body/.test(r.body.error.message);
      if (!ok || !namesField) failures.push(`${p.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(await count()).toBe(0);
  });

  const poisoned = poisonedPayloads();
  it(`${poisoned.length} poisoned submissions (NUL, unpaired surrogate, control character in every string; a driver born in the future): each a 400 naming its field, no case created`, async () => {
    expect(poisoned.length).toBeGreaterThan(60);
    const failures: string[] = [];
    for (const [i, p] of poisoned.entries()) {
      const r = await api.call('POST', '/cases', { token: tokens.portal, body: p.body, headers: { 'Idempotency-Key': `poison-input-${String(i).padStart(6, '0')}` } });
      const field = p.name.split(' ')[1]!; // "<SERVICE> <path> + <poison>"
      const named = (r.body?.error?.details ?? []).some((d: { path: string }) => p.name.startsWith('driver born') ? d.path === 'body.form.driver.idCard' : d.path === `body.${field}`);
      if (r.status !== 400 || !named) failures.push(`${p.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    }
    expect(failures).toEqual([]);
    const created = await api.orm.em.fork().getConnection().execute<{ n: string }[]>("select count(*) as n from one_stop_case where idempotency_key like 'poison-input-%'");
    expect(Number(created[0]!.n)).toBe(0);
  });

  it('a validation error lists every failing field path', async () => {
    const b = schoolBusExample();
    const good = b.form.driver.idCard;
    b.form.driver.idCard = good.slice(0, -1) + (good.at(-1) === '1' ? '2' : '1');
    (b.form.vehicle as { plate: string }).plate = 'XYZ';
    const r = await api.call('POST', '/cases', { token: tokens.portal, body: b, headers: { 'Idempotency-Key': 'bad-input-fields-1' } });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.form.driver.idCard', 'body.form.vehicle.plate']);
  });
});

describe('oversize category III', () => {
  it('requires the escort plan and the outline drawing among the materials', async () => {
    const b = oversizeCargoExample(Date.parse('2026-11-26T10:00:00+08:00'));
    b.form.loaded.heightMm = 4600; // > 4.5 m: category III
    const r = await api.call('POST', '/cases', { token: tokens.portal, body: b, headers: { 'Idempotency-Key': 'bad-input-cat3-1' } });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { message: string }) => d.message).join('\n')).toMatch(/escort-plan[\s\S]*outline-drawing/);
  });
});
