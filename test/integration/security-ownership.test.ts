/**
 * Identity and ownership against the real app, Temporal and PostgreSQL: two portal clients, reviewers of departments
 * whose steps have or have not opened, prefill for the asserted applicant only, masking, and the personal-data access
 * log. What one portal submitted does not exist for the other.
 */
import { freightCompanyExample, schoolBusExample } from '../../api/schemas/examples';
import { DEMO } from '../../infra/db/seed';
import type { Department } from '../../domain/types';
import { claimAndDecide, portalToken, startApi, token, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/harness';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

// Portal A is the city portal, B the county's; each seeded as a registered client.
const A = portalToken('city-portal');
const B = portalToken('county-portal', DEMO.heavyCarrier.creditCode);
const ops = token('ops', undefined, 'ops-security');
const reviewer = (d: Department) => token('reviewer', d, `${d}-sec`);

const submit = (tok: string, body: unknown, key: string) => api.call('POST', '/cases', { token: tok, body, headers: { 'Idempotency-Key': key } });

async function openTask(dept: Department, caseNo: string, stepId: string): Promise<{ taskId: string }> {
  return waitFor(`${stepId} in the ${dept} queue`, async () => {
    const q = await api.call('GET', '/reviews?status=open&limit=500', { token: reviewer(dept) });
    return (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId);
  });
}

async function accessLog(subject: string): Promise<{ actor: { sub: string; role: string; clientId: string | null; department: string | null }; resource: string; purpose: string }[]> {
  const r = await api.call('GET', `/access-log?subject=${subject}&limit=500`, { token: ops });
  expect(r.status).toBe(200);
  return r.body.entries;
}

describe("one portal's cases do not exist for another", () => {
  it('B cannot get, list, withdraw, supplement, evaluate or read the certificates of A’s case (404); A can', async () => {
    const created = await submit(A, freightCompanyExample(), 'sec-own-freight-0001');
    expect(created.status).toBe(201);
    const caseNo: string = created.body.caseNo;

    expect((await api.call('GET', `/cases/${caseNo}`, { token: B })).status).toBe(404);
    expect((await api.call('GET', `/cases/${caseNo}`, { token: A })).status).toBe(200);
    const listedB = await api.call('GET', '/cases?limit=200', { token: B });
    expect(listedB.status).toBe(200);
    expect(listedB.body.cases.map((c: { caseNo: string }) => c.caseNo)).not.toContain(caseNo);
    expect((await api.call('GET', '/cases?limit=200', { token: A })).body.cases.map((c: { caseNo: string }) => c.caseNo)).toContain(caseNo);
    // The list carries no personal data, not even to the owner.
    const listedA = JSON.stringify((await api.call('GET', '/cases?limit=200', { token: A })).body);
    expect(listedA).not.toContain(DEMO.drivers.freight.idCard);
    expect(listedA).not.toContain('13800000000');

    const supplement = { materials: [{ material: 'safety-system', reference: 'upload:sec-1' }] };
    expect((await api.call('POST', `/cases/${caseNo}/supplements`, { token: B, body: supplement })).status).toBe(404);
    expect((await api.call('POST', `/cases/${caseNo}/withdraw`, { token: B, body: { reason: '不是我的' } })).status).toBe(404);

    // Complete it (transport claims, then approves) and look at the certificates.
    const task = await openTask('transport', caseNo, 'transport-review');
    expect((await claimAndDecide(api, reviewer('transport'), task.taskId, caseNo, 'transport-review')).status).toBe(202);
    const done = await waitFor('completion with certificates', async () => {
      const c = await api.call('GET', `/cases/${caseNo}`, { token: A });
      return c.body.status === 'completed' && c.body.certificates.length > 0 ? c.body : undefined;
    });
    const certNo: string = done.certificates[0].no;
    expect((await api.call('POST', `/cases/${caseNo}/evaluation`, { token: B, body: { stars: 1 } })).status).toBe(404);
    expect((await api.call('GET', `/certificates/${certNo}`, { token: B })).status).toBe(404);
    expect((await api.call('GET', `/certificates/${certNo}`, { token: reviewer('education') })).status).toBe(404); // took no part
    expect((await api.call('GET', `/certificates/${certNo}`, { token: A })).status).toBe(200);
    expect((await api.call('GET', `/certificates/${certNo}`, { token: reviewer('transport') })).status).toBe(200);
    expect((await api.call('GET', `/certificates/${certNo}`, { token: ops })).status).toBe(200);
    // The holder itself, authenticated through another portal, may read its own certificate.
    expect((await api.call('GET', `/certificates/${certNo}`, { token: portalToken('county-portal', DEMO.newCompany.creditCode) })).status).toBe(200);
    expect((await api.call('POST', `/cases/${caseNo}/evaluation`, { token: A, body: { stars: 5, comment: '好' } })).status).toBe(201);

    // Each read of the certificate with its holder's data is in the access log, with the real caller.
    const log = await accessLog(DEMO.newCompany.creditCode);
    const certReads = log.filter((e) => e.resource === `certificate:${certNo}`);
    expect(certReads.map((e) => e.actor.role).sort()).toEqual(['ops', 'portal', 'portal', 'reviewer']);
    expect(certReads.find((e) => e.actor.role === 'reviewer')!.actor.department).toBe('transport');
  });

  it('B reusing A’s Idempotency-Key creates its own case, never returns A’s', async () => {
    const body = schoolBusExample();
    const a = await submit(A, body, 'sec-shared-key-0001');
    expect(a.status).toBe(201);
    const b = await submit(B, body, 'sec-shared-key-0001');
    expect(b.status).toBe(201);
    expect(b.body.caseNo).not.toBe(a.body.caseNo);
    const again = await submit(A, body, 'sec-shared-key-0001');
    expect(again.status).toBe(200);
    expect(again.body.caseNo).toBe(a.body.caseNo);
    const owners = await api.orm.em
      .fork()
      .getConnection()
      .execute<{ case_no: string; portal_client_id: string; applicant_subject: string | null }[]>(
        'select case_no, portal_client_id, applicant_subject from one_stop_case where idempotency_key = ? order by case_no',
        ['sec-shared-key-0001'],
      );
    expect(owners).toEqual(
      expect.arrayContaining([
        { case_no: a.body.caseNo, portal_client_id: 'city-portal', applicant_subject: null },
        { case_no: b.body.caseNo, portal_client_id: 'county-portal', applicant_subject: DEMO.heavyCarrier.creditCode },
      ]),
    );
    for (const no of [a.body.caseNo, b.body.caseNo]) {
      await api.call('POST', `/cases/${no}/withdraw`, { token: no === a.body.caseNo ? A : B, body: { reason: 'test done' } });
    }
  });

  it('ops at the counter submit for the applicant in front of them: the counter owns the case', async () => {
    const r = await submit(ops, { ...freightCompanyExample(), channel: 'counter' }, 'sec-counter-0001');
    expect(r.status).toBe(201);
    const [row] = await api.orm.em
      .fork()
      .getConnection()
      .execute<{ portal_client_id: string; applicant_subject: string }[]>('select portal_client_id, applicant_subject from one_stop_case where case_no = ?', [r.body.caseNo]);
    expect(row).toEqual({ portal_client_id: 'counter', applicant_subject: DEMO.newCompany.creditCode });
    // The applicant, authenticated on a portal later, follows the case it filed at the counter.
    expect((await api.call('GET', `/cases/${r.body.caseNo}`, { token: portalToken('city-portal', DEMO.newCompany.creditCode) })).status).toBe(200);
    expect((await api.call('GET', `/cases/${r.body.caseNo}`, { token: A })).status).toBe(404);
    await api.call('POST', `/cases/${r.body.caseNo}/withdraw`, { token: portalToken('city-portal', DEMO.newCompany.creditCode), body: { reason: 'test done' } });
    // The audit log names the real caller, not a generic "applicant".
    const withdrawn = await waitFor('the withdrawal in the audit log', async () => {
      const rows = await api.orm.em
        .fork()
        .getConnection()
        .execute<{ actor: string }[]>(`select actor from case_event where case_no = ? and type = 'case_withdrawn'`, [r.body.caseNo]);
      return rows[0];
    });
    expect(withdrawn.actor).toBe(`portal:city-portal for ${DEMO.newCompany.creditCode}`);
  });
});

describe('reviewers and masking', () => {
  it('a department sees the case only once its step opened, then with the form in clear; the portal sees it masked', async () => {
    const created = await submit(A, schoolBusExample(), 'sec-reviewers-0001');
    expect(created.status).toBe(201);
    const caseNo: string = created.body.caseNo;
    const driver = DEMO.drivers.schoolBus;
    const stops = schoolBusExample().form.route.stops;

    const task = await openTask('education', caseNo, 'education-acceptance');
    // Police's step opens only after education accepted: until then the case does not exist for police.
    expect((await api.call('GET', `/cases/${caseNo}`, { token: reviewer('public_security') })).status).toBe(404);
    expect((await api.call('GET', `/cases/${caseNo}`, { token: reviewer('urban_roads') })).status).toBe(404);

    const edu = await api.call('GET', `/cases/${caseNo}`, { token: reviewer('education') });
    expect(edu.status).toBe(200);
    expect(edu.body.form.driver).toEqual({ idCard: driver.idCard, name: driver.name });
    expect(edu.body.form.route.stops).toEqual(stops);
    expect(edu.body.steps.find((s: { id: string }) => s.id === 'education-acceptance').check.report.findings.length).toBeGreaterThan(0);

    // The owning portal without an asserted applicant: ID, name, stops and times masked, nothing of them in the body.
    const portalView = await api.call('GET', `/cases/${caseNo}`, { token: A });
    expect(portalView.status).toBe(200);
    expect(portalView.body.form.driver.idCard).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    expect(portalView.body.form.route.departureTimes).toEqual(['***', '***']);
    expect(portalView.body.form.vehicle.plate).toBe(DEMO.vehicles.schoolBus); // the carrier's bus identifies no person
    const text = JSON.stringify(portalView.body);
    const privateStops = stops.filter((s) => !DEMO.school.name.includes(s)); // the school's own name is public
    for (const secret of [driver.idCard, driver.name, ...privateStops]) expect(text).not.toContain(secret);
    // The automatic check speaks of the driver's age and record: the verdict only.
    const acceptance = portalView.body.steps.find((s: { id: string }) => s.id === 'education-acceptance');
    expect(acceptance.check).toEqual({ verdict: 'pass', hardRefusal: false });
    expect(text).not.toMatch(/criminal|age \d/);

    // The applicant itself (the school, asserted by the identity system) sees its application in clear.
    const subject = await api.call('GET', `/cases/${caseNo}`, { token: portalToken('city-portal', DEMO.school.creditCode) });
    expect(subject.body.form.driver.idCard).toBe(driver.idCard);
    // Ops support the process: no form at all.
    const opsView = await api.call('GET', `/cases/${caseNo}`, { token: ops });
    expect(opsView.status).toBe(200);
    expect(opsView.body.form).toBeUndefined();
    expect(JSON.stringify(opsView.body)).not.toContain(driver.idCard);

    // Education accepts (claim first); police's step opens; police now see the case, in clear.
    expect((await claimAndDecide(api, reviewer('education'), task.taskId, caseNo, 'education-acceptance')).status).toBe(202);
    await openTask('public_security', caseNo, 'police-opinion');
    const police = await api.call('GET', `/cases/${caseNo}`, { token: reviewer('public_security') });
    expect(police.status).toBe(200);
    expect(police.body.form.driver.idCard).toBe(driver.idCard);

    // Every read of the form is logged with who, whose and why; the log is for ops only.
    const log = await accessLog(driver.idCard);
    const reads = log.filter((e) => e.resource === `case:${caseNo}`);
    expect(reads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: expect.objectContaining({ role: 'reviewer', department: 'education' }), purpose: 'review of step education-acceptance' }),
        expect.objectContaining({ actor: expect.objectContaining({ role: 'reviewer', department: 'public_security' }), purpose: 'review of step police-opinion' }),
        expect.objectContaining({ actor: expect.objectContaining({ role: 'portal', clientId: 'city-portal' }), purpose: 'portal follows submitted case (masked)' }),
        expect.objectContaining({ actor: expect.objectContaining({ role: 'portal', clientId: 'city-portal' }), purpose: 'applicant follows own case' }),
      ]),
    );
    expect(reads.some((e) => e.actor.role === 'ops')).toBe(false); // ops read no form
    expect((await api.call('GET', `/access-log?subject=${driver.idCard}`, { token: A })).status).toBe(403);
    expect((await api.call('GET', `/access-log?subject=${driver.idCard}`, { token: reviewer('education') })).status).toBe(403);
    // Without a subject, ops see the newest entries with resident ID numbers masked.
    const recent = await api.call('GET', '/access-log?limit=500', { token: ops });
    expect(JSON.stringify(recent.body)).not.toContain(driver.idCard);

    await api.call('POST', `/cases/${caseNo}/withdraw`, { token: A, body: { reason: 'test done' } });
  });
});

describe('prefill is for the asserted applicant only', () => {
  const X = DEMO.newCompany.creditCode;
  const Y = DEMO.heavyCarrier.creditCode;
  const AforX = portalToken('city-portal', X);

  it("offers archived applications of the catalogue's services only (not of a withdrawn service, or another catalogue's)", async () => {
    const applicant = DEMO.lapsedCarrier.creditCode;
    await api.orm.em.fork().getConnection().execute(
      `insert into archived_application (applicant_key, service_code, case_no, data, archived_at) values (?, 'NOSUCHSVC', ?, ?, now())`,
      [applicant, `JN-NOSUCHSVC-${process.pid}-${Date.now()}`, JSON.stringify({ applicant: { creditCode: applicant, name: DEMO.lapsedCarrier.name }, wings: 2 })],
    );
    // The harness validates the response against the document: an unknown service's form would not match it.
    const r = await api.call('GET', `/prefill?creditCode=${applicant}`, { token: ops });
    expect(r.status).toBe(200);
    expect((r.body.archivedApplications as { serviceCode: string }[]).map((a) => a.serviceCode)).not.toContain('NOSUCHSVC');
  });

  it('A with applicant X gets X’s data; asking for Y, a stranger’s ID or plate, or asserting no one is 403', async () => {
    const own = await api.call('GET', `/prefill?creditCode=${X}`, { token: AforX });
    expect(own.status).toBe(200);
    expect(own.body.company.name).toBe(DEMO.newCompany.name);
    expect(own.body.vehicles.map((v: { plate: string }) => v.plate)).toEqual([DEMO.vehicles.freight1, DEMO.vehicles.freight2]);
    expect((await api.call('GET', `/prefill?plate=${encodeURIComponent(DEMO.vehicles.freight1)}`, { token: AforX })).status).toBe(200);

    const refusals = [
      await api.call('GET', `/prefill?creditCode=${Y}`, { token: AforX }),
      await api.call('GET', `/prefill?creditCode=${X}`, { token: A }),
      await api.call('GET', `/prefill?idCard=${DEMO.drivers.heavy.idCard}`, { token: AforX }),
      await api.call('GET', `/prefill?plate=${encodeURIComponent(DEMO.vehicles.heavyTractor)}`, { token: AforX }),
      await api.call('GET', `/prefill?plate=${encodeURIComponent('鲁H99999')}`, { token: AforX }), // unknown: same answer
      await api.call('GET', `/prefill?creditCode=${X}&idCard=${DEMO.drivers.heavy.idCard}`, { token: AforX }),
    ];
    for (const r of refusals) {
      expect(r.status).toBe(403);
      expect(r.body.error.message).toMatch(/applicant your token asserts/);
      const text = JSON.stringify(r.body);
      for (const d of Object.values(DEMO.drivers)) expect(text).not.toContain(d.idCard);
      expect(text).not.toContain('13800000000');
    }
  });

  it('a person asserting their own ID number gets their record; ops read with a purpose; every read is logged', async () => {
    const person = DEMO.drivers.freight;
    const self = await api.call('GET', `/prefill?idCard=${person.idCard}`, { token: portalToken('county-portal', person.idCard) });
    expect(self.status).toBe(200);
    expect(self.body.person).toMatchObject({ idCard: person.idCard, name: person.name });
    expect(self.body.person.criminalRecord).toBeUndefined(); // not prefill data

    const counter = await api.call('GET', `/prefill?idCard=${person.idCard}&purpose=${encodeURIComponent('counter application for the applicant present')}`, { token: ops });
    expect(counter.status).toBe(200);
    expect((await api.call('GET', `/prefill?idCard=${person.idCard}&purpose=nosy`, { token: portalToken('county-portal', person.idCard) })).status).toBe(400);

    const log = await accessLog(person.idCard);
    expect(log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: expect.objectContaining({ role: 'portal', clientId: 'county-portal' }), resource: 'prefill', purpose: 'prefill for application' }),
        expect.objectContaining({ actor: expect.objectContaining({ role: 'ops', sub: 'ops-security' }), resource: 'prefill', purpose: 'counter application for the applicant present' }),
      ]),
    );
    // X's prefill above returned X's company data: logged under X.
    expect((await accessLog(X)).some((e) => e.resource === 'prefill' && e.actor.clientId === 'city-portal')).toBe(true);
    // A refused read returned nothing and logged nothing under Y.
    expect((await accessLog(Y)).filter((e) => e.resource === 'prefill' && e.actor.clientId === 'city-portal')).toEqual([]);
  });
});

describe('registered portal clients', () => {
  it('the seed registers city-portal and county-portal, each with its own random secret', async () => {
    const rows = await api.orm.em
      .fork()
      .getConnection()
      .execute<{ id: string; webhook_secret: string; callback_origins: string[] }[]>(
        `select id, webhook_secret, callback_origins from portal_client where id in ('city-portal', 'county-portal') order by id`,
      );
    expect(rows.map((r) => r.id)).toEqual(['city-portal', 'county-portal']);
    expect(rows[0]!.callback_origins).toEqual(['https://portal.jining.example.cn']);
    expect(rows[0]!.webhook_secret).not.toBe(rows[1]!.webhook_secret);
    for (const r of rows) expect(Buffer.from(r.webhook_secret, 'base64url').length).toBeGreaterThanOrEqual(32);
  });
});
