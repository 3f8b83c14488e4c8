/**
 * GET /stats/daily (the ops dashboard's time series): a freight-company case completed today and a school-bus case
 * refused today show up on today's row of their service, every day of the window is listed, the completion counts
 * by working days, and only ops may ask. Counts are compared before and after, since other tests share the database.
 */
import { freightCompanyExample, schoolBusExample } from '../../api/schemas/examples';
import { shanghaiDate } from '../../domain/calendar';
import type { Department } from '../../domain/types';
import { claimAndDecide, portalToken, startApi, token, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/harness';

let api: ApiHarness;
const portal = portalToken('portal-system');
const ops = token('ops', undefined, 'ops-1');

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

interface Day {
  day: string;
  received: number;
  completed: number;
  rejected: number;
  withdrawn: number;
  notAccepted: number;
}
interface ServiceDaily {
  service: string;
  days: Day[];
  completionWorkingDays: { workingDays: number; cases: number }[];
  needingAttention: number;
}

async function daily(days = 7): Promise<{ from: string; to: string; services: ServiceDaily[] }> {
  const r = await api.call('GET', `/stats/daily?days=${days}`, { token: ops });
  expect(r.status).toBe(200);
  return r.body;
}
const today = (s: { services: ServiceDaily[] }, service: string) => s.services.find((x) => x.service === service)!.days.at(-1)!;
const completedCases = (s: { services: ServiceDaily[] }, service: string) =>
  s.services.find((x) => x.service === service)!.completionWorkingDays.reduce((n, b) => n + b.cases, 0);

async function decideWhenOpen(dept: Department, caseNo: string, stepId: string, body: Record<string, unknown>) {
  const reviewer = token('reviewer', dept, `${dept}-stats`);
  const task = await waitFor(`${stepId} open`, async () => {
    const q = await api.call('GET', '/reviews?status=open', { token: reviewer });
    return (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId);
  });
  const r = await claimAndDecide(api, reviewer, task.taskId, caseNo, stepId, body);
  expect(r.status).toBe(202);
}

async function statusOf(caseNo: string, status: string) {
  await waitFor(`${caseNo} ${status}`, async () => ((await api.call('GET', `/cases/${caseNo}`, { token: portal })).body.status === status ? true : undefined));
}

describe('GET /stats/daily', () => {
  it('counts a case received and completed today, and one received and refused today, on the Shanghai day', async () => {
    const before = await daily();
    expect(before.to).toBe(shanghaiDate(Date.now()));
    for (const s of before.services) {
      expect(s.days.map((d) => d.day)).toHaveLength(7);
      expect(s.days[0]!.day).toBe(before.from);
      expect(s.days.at(-1)!.day).toBe(before.to);
    }
    expect(before.services.map((s) => s.service)).toEqual(expect.arrayContaining(['SCHOOLBUS', 'FREIGHTCO', 'OVERSIZE']));

    const freight = await api.call('POST', '/cases', { token: portal, body: freightCompanyExample(), headers: { 'Idempotency-Key': 'stats-daily-freight-01' } });
    expect(freight.status).toBe(201);
    await decideWhenOpen('transport', freight.body.caseNo, 'transport-review', { decision: 'approve', comment: '同意' });
    await statusOf(freight.body.caseNo, 'completed');

    const bus = await api.call('POST', '/cases', { token: portal, body: schoolBusExample(), headers: { 'Idempotency-Key': 'stats-daily-bus-0001' } });
    expect(bus.status).toBe(201);
    await decideWhenOpen('education', bus.body.caseNo, 'education-acceptance', { decision: 'reject', comment: '不符合条件' });
    await statusOf(bus.body.caseNo, 'rejected');

    const after = await daily();
    // Other test files add cases to the same database at the same time: this test's cases are counted (at least one
    // more of each), never an exact difference.
    expect(today(after, 'FREIGHTCO').received - today(before, 'FREIGHTCO').received).toBeGreaterThanOrEqual(1);
    expect(today(after, 'FREIGHTCO').completed - today(before, 'FREIGHTCO').completed).toBeGreaterThanOrEqual(1);
    expect(today(after, 'SCHOOLBUS').received - today(before, 'SCHOOLBUS').received).toBeGreaterThanOrEqual(1);
    expect(today(after, 'SCHOOLBUS').rejected - today(before, 'SCHOOLBUS').rejected).toBeGreaterThanOrEqual(1);
    expect(completedCases(after, 'FREIGHTCO') - completedCases(before, 'FREIGHTCO')).toBeGreaterThanOrEqual(1);
    expect(after.services.find((s) => s.service === 'FREIGHTCO')!.completionWorkingDays.find((b) => b.workingDays === 0)?.cases).toBeGreaterThanOrEqual(1);
  });

  it('is for ops only, and names the field when days is out of range', async () => {
    expect((await api.call('GET', '/stats/daily', { token: portal })).status).toBe(403);
    expect((await api.call('GET', '/stats/daily', { token: token('reviewer', 'transport') })).status).toBe(403);
    expect((await api.call('GET', '/stats/daily')).status).toBe(401);
    const bad = await api.call('GET', '/stats/daily?days=0', { token: ops });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('days');
    expect((await daily(1)).services[0]!.days).toHaveLength(1);
  });
});
