/**
 * The fourth service, added as data only (issue 15): 网约车驾驶员和车辆从业一件事, the ride-hailing driver permit and
 * vehicle transport certificate (网络预约出租汽车经营服务管理暂行办法 arts. 12-15), reviewed by transport and the police.
 * Its definition (data/services/ride-hailing.json) and its demo records (data/reference/ride-hailing.json) are all it
 * brings: on the real stack its form refuses what the rules refuse, its library checks compare the application with the
 * records, and its case runs from submission to its two signed certificates.
 */
import type { Department } from '../../domain/types';
import { claimAndDecide, portalToken, startApi, token, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/harness';

let api: ApiHarness;
const portal = portalToken('portal-ride-hailing');
const reviewer = (d: Department) => token('reviewer', d, `${d}-ride-hailing`);
/** The demo records' second driver (2 years of driving) and his 9-seat van (the form may only say 7 seats or fewer). */
const NOVICE = { idCard: '370802200003050123', name: '马超' };
const VAN = '鲁H50002';

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

async function example() {
  const r = await api.call('GET', '/services/RIDEHAIL', { token: portal });
  expect(r.status).toBe(200);
  return r.body.example;
}

async function openTask(dept: Department, caseNo: string, stepId: string): Promise<{ taskId: string }> {
  return waitFor(`${stepId} in the ${dept} queue`, async () => {
    const q = await api.call('GET', '/reviews?status=open', { token: reviewer(dept) });
    return (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId);
  });
}

type Finding = { check: string; ok: boolean; detail: string };
async function acceptanceFindings(caseNo: string): Promise<Finding[]> {
  await openTask('transport', caseNo, 'transport-acceptance');
  const view = await api.call('GET', `/cases/${caseNo}`, { token: reviewer('transport') });
  const step = (view.body.steps as { id: string; check?: { report?: { findings: Finding[] } } }[]).find((s) => s.id === 'transport-acceptance');
  return step!.check!.report!.findings;
}

describe('网约车驾驶员和车辆从业一件事, a service added as data', () => {
  it('is served with its form, departments and example', async () => {
    const service = await api.call('GET', '/services/RIDEHAIL', { token: portal });
    expect(service.body.departments.map((d: { code: string }) => d.code)).toEqual(['transport', 'public_security']);
    expect(service.body.formSchema.properties.vehicle.properties.seats).toMatchObject({ maximum: 7 });
    const schemas = (api.openapi.components as { schemas: Record<string, unknown> }).schemas;
    expect(schemas).toHaveProperty('RideHailingForm');
  });

  it('refuses a car of more than 7 seats, a wrong ID check character and an unknown field, each at its path', async () => {
    const bad = structuredClone(await example());
    bad.form.vehicle.seats = 8;
    bad.form.driver.idCard = `${bad.form.driver.idCard.slice(0, -1)}${bad.form.driver.idCard.endsWith('1') ? '2' : '1'}`;
    bad.form.vehicle.colour = '白';
    const r = await api.call('POST', '/cases', { token: portal, body: bad, headers: { 'Idempotency-Key': 'ride-hailing-bad-1' } });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.form.driver.idCard', 'body.form.vehicle.colour', 'body.form.vehicle.seats']);
  });

  it('runs end to end: the checks pass on the records, transport and the police approve, two signed certificates', async () => {
    const submitted = await api.call('POST', '/cases', { token: portal, body: await example(), headers: { 'Idempotency-Key': 'ride-hailing-flow-1' } });
    expect(submitted.status).toBe(201);
    const caseNo: string = submitted.body.caseNo;
    expect(caseNo).toMatch(/^JN-RIDEHAIL-\d{8}-\d{6}$/);

    const findings = await acceptanceFindings(caseNo);
    // The 15 checks of the step's definition, each one finding (titled as the definition titles them).
    expect(findings).toHaveLength(15);
    expect(findings.map((f) => f.check)).toEqual(expect.arrayContaining(['driving experience >= 3 years', 'a car of 7 seats or fewer', 'car registered to the driver']));
    expect(findings.filter((f) => !f.ok)).toEqual([]);
    for (const [dept, stepId] of [['transport', 'transport-acceptance'], ['public_security', 'police-review'], ['transport', 'transport-decision']] as const) {
      const task = await openTask(dept, caseNo, stepId);
      expect((await claimAndDecide(api, reviewer(dept), task.taskId, caseNo, stepId)).status).toBe(202);
    }
    const done = await waitFor('completion with both certificates', async () => {
      const c = await api.call('GET', `/cases/${caseNo}`, { token: portal });
      return c.body.status === 'completed' && c.body.certificates.length === 2 ? c.body : undefined;
    });
    const certificates = done.certificates as { no: string; type: string }[];
    expect(certificates.map((c) => c.type).sort()).toEqual(['ride-hailing-driver-permit', 'ride-hailing-transport-certificate']);
    for (const c of certificates) {
      const cert = await api.call('GET', `/certificates/${c.no}`, { token: portal });
      expect(cert.body.fields).toMatchObject({ 'applicant.name': '济宁快约出行网络科技有限公司', serviceCity: '济宁市' });
      expect((await api.call('GET', `/certificates/${c.no}/verify`)).body).toMatchObject({ status: 'valid', signatureValid: true });
    }
  });

  it('compares with the records, not the form: a 2-year driver and a van registered with 9 seats go to a person', async () => {
    const app = structuredClone(await example());
    app.form.driver = NOVICE;
    app.form.vehicle = { plate: VAN, seats: 5, lengthMm: 4900 }; // the form says 5 seats; the register says 9
    const submitted = await api.call('POST', '/cases', { token: portal, body: app, headers: { 'Idempotency-Key': 'ride-hailing-records-1' } });
    expect(submitted.status).toBe(201);
    const failed = (await acceptanceFindings(submitted.body.caseNo)).filter((f) => !f.ok);
    expect(failed.map((f) => f.check).sort()).toEqual(['a car of 7 seats or fewer', 'driving experience >= 3 years']);
    expect(failed.find((f) => f.check === 'a car of 7 seats or fewer')!.detail).toContain('seats 9 on record');
    expect(JSON.stringify(failed)).not.toContain(NOVICE.idCard);
  });
});
