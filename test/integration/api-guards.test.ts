/**
 * What the API refuses: an authorisation matrix of every endpoint x every role, and hundreds of generated invalid
 * submissions, each a 4xx naming the field, none a 5xx, and no case created by any of them.
 */
import { freightCompanyExample, oversizeCargoExample, schoolBusExample } from '../../api/schemas/examples';
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
  ['GET', '/services', undefined, ['portal', 'reviewer', 'ops']],
  ['GET', '/services/SCHOOLBUS', undefined, ['portal', 'reviewer', 'ops']],
  ['GET', '/calendar/deadline?from=2026-11-26T10:00:00%2B08:00&workingDays=5', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/prefill?plate=%E9%B2%81H10001', undefined, ['portal', 'ops']],
  ['POST', '/cases', { nope: true }, ['portal', 'ops']],
  ['GET', '/cases', undefined, ['portal', 'ops']],
  ['GET', `/cases/${CASE}`, undefined, ['portal', 'reviewer', 'ops']],
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
  ['GET', '/healthz', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/readyz', undefined, ['none', 'portal', 'reviewer', 'ops']],
  ['GET', '/metrics', undefined, ['none', 'portal', 'reviewer', 'ops']],
];

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
    expect((await api.call('GET', '/services', { token: 'not-a-jwt' })).status).toBe(401);
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

/** Deterministic pseudo-random generator: the same invalid payloads every run. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Every leaf path of a JSON value. */
function leaves(v: Json, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
  return entries.flatMap(([k, x]) => leaves(x, [...prefix, k]));
}

function setPath(obj: Json, path: string[], value: Json | undefined): void {
  let cur = obj as Record<string, Json>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, Json>;
  const last = path.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1, null as unknown as Json);
    else delete cur[last];
  } else cur[last] = value;
}

const WRONG_VALUES: (Json | undefined)[] = [undefined, null, 42, -1, 0, 1e12, '', 'x'.repeat(5000), true, [], {}, '鲁A', '2026-13-45', 'NaN'];

function invalidPayloads(): { name: string; body: unknown; raw?: string }[] {
  const random = rng(20261126);
  const out: { name: string; body: unknown; raw?: string }[] = [];
  for (const example of [schoolBusExample(), freightCompanyExample(), oversizeCargoExample(Date.parse('2026-11-26T10:00:00+08:00'))]) {
    const paths = leaves(example.form as unknown as Json).map((p) => ['form', ...p]);
    for (const path of paths) {
      // Three wrong values per field, chosen so that each is invalid for that field (a string where a number goes, etc.).
      const picks = WRONG_VALUES.filter((w) => typeof w !== typeof getPath(example, path) || w === undefined || w === '' || w === 'x'.repeat(5000));
      for (let i = 0; i < 3 && picks.length > 0; i++) {
        const body = clone(example) as unknown as Json;
        const value = picks[Math.floor(random() * picks.length)];
        setPath(body, path, value);
        out.push({ name: `${example.serviceCode} ${path.join('.')} = ${JSON.stringify(value)?.slice(0, 20)}`, body });
      }
    }
  }
  // Broken check characters and formats, wrong scenario materials, envelope problems.
  const sb = schoolBusExample();
  const flip = (s: string) => s.slice(0, -1) + (s.at(-1) === '0' ? '1' : '0');
  const variants: [string, (b: ReturnType<typeof schoolBusExample>) => void][] = [
    ['credit code check character', (b) => (b.form.applicant.creditCode = flip(b.form.applicant.creditCode))],
    ['carrier credit code check character', (b) => (b.form.carrier.creditCode = flip(b.form.carrier.creditCode))],
    ['ID card check digit', (b) => (b.form.driver.idCard = flip(b.form.driver.idCard))],
    ['ID card birth date', (b) => (b.form.driver.idCard = '370802199902300012')],
    ['plate format', (b) => ((b.form.vehicle as { plate: string }).plate = 'ABC12345')],
    ['plate with I', (b) => ((b.form.vehicle as { plate: string }).plate = '鲁I12345')],
    ['too many seats', (b) => (b.form.vehicle.seats = 500)],
    ['departure time', (b) => (b.form.route.departureTimes = ['25:00'])],
    ['insurance date', (b) => (b.form.liabilityInsuranceValidUntil = '2030-02-30')],
    ['missing scenario answer', (b) => delete (b.scenarioAnswers as Record<string, string>).carrier],
    ['unknown scenario option', (b) => (b.scenarioAnswers.carrier = 'helicopter')],
    ['scenario material missing', (b) => (b.materials = b.materials.filter((m) => m.material !== 'carrier-contract'))],
    ['base material missing', (b) => (b.materials = b.materials.filter((m) => m.material !== 'insurance'))],
    ['unknown material', (b) => b.materials.push({ material: 'horoscope', reference: 'upload:h' })],
    ['material listed twice', (b) => b.materials.push({ ...b.materials[0]! })],
    ['bad reference', (b) => (b.materials[0]!.reference = 'ftp://x')],
    ['unknown certificate', (b) => (b.materials[3]!.reference = 'cert:NO-SUCH-CERT')],
    ['unknown service', (b) => (b.serviceCode = 'NOSUCH')],
    ['bad channel', (b) => ((b as { channel: string }).channel = 'fax')],
    ['bad webhook', (b) => Object.assign(b, { webhookUrl: 'javascript:alert(1)' })],
    ['form missing', (b) => delete (b as { form?: unknown }).form],
  ];
  for (const [name, mutate] of variants) {
    const b = clone(sb);
    mutate(b);
    out.push({ name, body: b });
  }
  const os = oversizeCargoExample(Date.parse('2026-11-26T10:00:00+08:00'));
  const physics: [string, (b: typeof os) => void][] = [
    ['loaded lower than cargo', (b) => (b.form.loaded.heightMm = 2000)],
    ['zero axles', (b) => (b.form.vehicle.axles = 0)],
    ['negative mass', (b) => (b.form.cargo.massKg = -5)],
    ['axle loads do not match axles', (b) => (b.form.loaded.axleLoadsKg = [10000, 10000])],
    ['travel ends before it starts', (b) => (b.form.route.travelTo = '2026-01-01T00:00:00+08:00')],
    ['metres instead of millimetres', (b) => (b.form.loaded.heightMm = 4)],
  ];
  for (const [name, mutate] of physics) {
    const b = clone(os);
    mutate(b);
    out.push({ name: `oversize ${name}`, body: b });
  }
  const fc = freightCompanyExample();
  const light = clone(fc);
  light.form.vehicles[0]!.totalMassKg = 4500;
  out.push({ name: 'freight vehicle of 4,500 kg', body: light });
  out.push({ name: 'malformed JSON', body: undefined, raw: '{"serviceCode": "SCHOOLBUS",' });
  out.push({ name: 'JSON array', body: [1, 2, 3] });
  out.push({ name: 'oversized body', body: { ...sb, padding: 'x'.repeat(100_000) } });
  return out;
}

function getPath(obj: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], obj);
}

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
