/**
 * The API as a new user would drive it: submit a school-bus case, approve every step as the right departments, see
 * the certificates, verify one publicly and offline; plus idempotent submission under a race, prefill and certificate
 * reuse, and webhook delivery with a receiver that fails first.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { verifyCertificateSignature } from '../../infra/signing/certificate-signer';
import { freightCompanyExample, oversizeCargoExample, schoolBusExample } from '../../api/schemas/examples';
import { DEMO } from '../../infra/db/seed';
import { registerPortalClient } from '../../infra/repositories/portal-clients';
import type { Department } from '../../domain/types';
import { claimAndDecide, portalToken, startApi, token, type ApiHarness } from '../helpers/api-harness';
import { waitFor as waitForValue } from '../helpers/harness';

const waitFor = <T>(fn: () => Promise<T | undefined>, what: string, timeoutMs?: number) => waitForValue(what, fn, timeoutMs);

let api: ApiHarness;
const portal = portalToken('portal-system');
const ops = token('ops', undefined, 'ops-1');
const reviewer = (d: Department) => token('reviewer', d, `${d}-01`);

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});


async function openTask(dept: Department, caseNo: string, stepId: string) {
  return waitFor(async () => {
    const q = await api.call('GET', '/reviews?status=open', { token: reviewer(dept) });
    return (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId);
  }, `${stepId} in the ${dept} queue`);
}

/** Claims the step's open task, then decides (deciding requires holding the claim). */
async function decide(dept: Department, caseNo: string, stepId: string, body: Record<string, unknown> = { decision: 'approve', comment: '同意' }) {
  const task = await openTask(dept, caseNo, stepId);
  return claimAndDecide(api, reviewer(dept), task.taskId, caseNo, stepId, body);
}

/** A decision sent without claiming first (or by someone who holds no claim). */
const decideUnclaimed = (dept: Department, caseNo: string, stepId: string, sub = `${dept}-01`) =>
  api.call('POST', `/cases/${caseNo}/steps/${stepId}/decision`, { token: token('reviewer', dept, sub), body: { decision: 'approve', comment: '同意' } });

describe('a school-bus case through the API', () => {
  it('goes from submission to verified certificates', async () => {
    const example = (await api.call('GET', '/services/SCHOOLBUS', { token: portal })).body.example;
    expect(example).toEqual(schoolBusExample());
    const submitted = await api.call('POST', '/cases', { token: portal, body: example, headers: { 'Idempotency-Key': 'flow-school-bus-0001' } });
    expect(submitted.status).toBe(201);
    const caseNo: string = submitted.body.caseNo;
    expect(submitted.body).toMatchObject({ status: 'in_review', deadline: expect.stringMatching(/T23:59:59\+08:00$/) });

    const service = (await api.call('GET', '/services/SCHOOLBUS', { token: portal })).body;
    const plan: [Department, string][] = (service.reviewPlan as { id: string; department: Department }[]).map((s) => [s.department, s.id]);
    // The joint review's plan fits the 5-working-day promise (issue 11): the sign is issued with the approval.
    expect(plan.map(([, id]) => id)).toEqual(['education-acceptance', 'police-opinion', 'transport-opinion', 'education-opinion', 'government-approval']);
    // Departments whose steps have not opened yet do not see the case at all: 404, not 403 or 409.
    const task = await openTask('education', caseNo, 'education-acceptance');
    expect((await decideUnclaimed('public_security', caseNo, 'police-opinion')).status).toBe(404);
    expect((await decideUnclaimed('transport', caseNo, 'education-acceptance')).status).toBe(404);
    // Education's own later step, not open yet: 409.
    expect((await decideUnclaimed('education', caseNo, 'education-opinion')).status).toBe(409);

    // Deciding requires holding the claim; claiming is one reviewer at a time.
    const unclaimed = await decideUnclaimed('education', caseNo, 'education-acceptance');
    expect(unclaimed.status).toBe(409);
    expect(unclaimed.body.error.message).toMatch(/claim the task first/);
    expect((await api.call('POST', `/reviews/${task.taskId}/claim`, { token: token('reviewer', 'education', 'edu-A') })).status).toBe(200);
    expect((await api.call('POST', `/reviews/${task.taskId}/claim`, { token: token('reviewer', 'education', 'edu-B') })).status).toBe(409);
    expect((await decideUnclaimed('education', caseNo, 'education-acceptance', 'edu-B')).status).toBe(409);
    expect((await api.call('POST', `/reviews/${task.taskId}/release`, { token: token('reviewer', 'education', 'edu-A') })).status).toBe(200);

    for (const [dept, step] of plan) {
      const r = await decide(dept, caseNo, step);
      expect(r.status).toBe(202);
      if (step === 'police-opinion') {
        // Transport's step is open in parallel, so transport sees the case: police's step is refused as another
        // department's (403).
        await openTask('transport', caseNo, 'transport-opinion');
        expect((await decideUnclaimed('transport', caseNo, 'police-opinion')).status).toBe(403);
      }
    }
    const done = await waitFor(async () => {
      const c = await api.call('GET', `/cases/${caseNo}`, { token: portal });
      return c.body.status === 'completed' && c.body.certificates.length === 2 ? c.body : undefined;
    }, 'completion');
    expect(done.steps.map((s: { id: string; status: string }) => s.status)).toEqual(Array(plan.length).fill('approved'));
    expect(done.timeline[0].type).toBe('case_accepted');

    const signNo = done.certificates.find((c: { type: string }) => c.type === 'school-bus-sign').no;
    const cert = await api.call('GET', `/certificates/${signNo}`, { token: portal });
    expect(cert.body.fields['vehicle.plate']).toBe(DEMO.vehicles.schoolBus);
    const verified = await api.call('GET', `/certificates/${signNo}/verify`);
    expect(verified.body).toMatchObject({ status: 'valid', signatureValid: true });
    const pem = (await api.call('GET', '/certificates/public-key')).body as string;
    expect(verifyCertificateSignature(cert.body.payload, cert.body.signature, pem)).toBe(true); // offline
    expect(verifyCertificateSignature(cert.body.payload.replace('"subject":"', '"subject":"X'), cert.body.signature, pem)).toBe(false);

    expect((await api.call('POST', `/certificates/${signNo}/revoke`, { token: portal, body: { reason: 'x' } })).status).toBe(403);
    expect((await api.call('POST', `/certificates/${signNo}/revoke`, { token: ops, body: { reason: 'bus retired' } })).status).toBe(200);
    expect((await api.call('GET', `/certificates/${signNo}/verify`)).body.status).toBe('revoked');
    expect((await api.call('GET', '/certificates/NO-SUCH-CERT/verify')).body.status).toBe('unknown');

    expect((await api.call('POST', `/cases/${caseNo}/evaluation`, { token: portal, body: { stars: 5, comment: '一次都没跑' } })).status).toBe(201);
    expect((await api.call('POST', `/cases/${caseNo}/evaluation`, { token: portal, body: { stars: 1 } })).status).toBe(409);
    const listed = await api.call('GET', '/cases?service=SCHOOLBUS&status=completed&overdue=false', { token: ops });
    expect(listed.body.cases.map((c: { caseNo: string }) => c.caseNo)).toContain(caseNo);
    expect(listed.body.cases.every((c: { service: string; status: string }) => c.service === 'SCHOOLBUS' && c.status === 'completed')).toBe(true);
    expect((await api.call('GET', '/cases?service=FREIGHTCO&status=completed', { token: ops })).body.cases.map((c: { caseNo: string }) => c.caseNo)).not.toContain(caseNo);
    const stats = await api.call('GET', '/stats', { token: ops });
    expect(stats.body.services.find((s: { service: string }) => s.service === 'SCHOOLBUS')).toMatchObject({ completed: expect.any(Number), meanEvaluation: expect.any(Number) });
  });

  it('20 concurrent identical submissions make exactly one case', async () => {
    const body = freightCompanyExample();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => api.call('POST', '/cases', { token: portal, body, headers: { 'Idempotency-Key': 'race-key-000000000001' } })),
    );
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.caseNo)).size).toBe(1);
    const rows = await api.orm.em.fork().getConnection().execute('select case_no from one_stop_case where idempotency_key = ?', ['race-key-000000000001']);
    expect(rows).toHaveLength(1);
    // The same key with a different application is a conflict, not a second case.
    const other = { ...body, scenarioAnswers: { cargo: 'bulky' }, materials: [...body.materials, { material: 'bulky-equipment-list', reference: 'upload:z' }] };
    expect((await api.call('POST', '/cases', { token: portal, body: other, headers: { 'Idempotency-Key': 'race-key-000000000001' } })).status).toBe(409);
  });

  it('prefill returns what is held; a second application reuses archived data and references a certificate instead of an upload', async () => {
    const first = oversizeCargoExample();
    const r1 = await api.call('POST', '/cases', { token: portal, body: first, headers: { 'Idempotency-Key': 'prefill-oversize-0001' } });
    expect(r1.status).toBe(201);
    // The carrier itself (asserted by the identity system) reads the full pre-review report.
    const carrier = portalToken('portal-system', DEMO.heavyCarrier.creditCode);
    const done = await waitFor(async () => {
      const c = await api.call('GET', `/cases/${r1.body.caseNo}`, { token: carrier });
      return c.body.status === 'completed' ? c.body : undefined;
    }, 'fast-tracked oversize case');
    const prereview = done.steps.find((s: { id: string }) => s.id === 'prereview');
    expect(prereview.check.report.results).toHaveLength(21);
    expect(prereview.check.report.category).toBe('I');

    // Prefill is for the applicant the token asserts (the carrier, authenticated by the city's identity system).
    const prefill = await api.call('GET', `/prefill?creditCode=${DEMO.heavyCarrier.creditCode}`, { token: carrier });
    expect(prefill.status).toBe(200);
    expect(prefill.body.company.name).toBe(DEMO.heavyCarrier.name);
    const archived = prefill.body.archivedApplications.find((a: { serviceCode: string }) => a.serviceCode === 'OVERSIZE');
    expect(archived.data.vehicle.plate).toBe(DEMO.vehicles.heavyTractor);
    expect(archived.data.driverIdCard).toBe(DEMO.drivers.heavy.idCard);

    // Second trip: the portal takes company, vehicle and driver from the archive; the applicant gives only cargo and route.
    const second = {
      ...first,
      form: { ...archived.data, cargo: { ...first.form.cargo, name: '风电叶片轮毂' }, route: { ...first.form.route, segmentIds: ['DEMO-R-001'] } },
    };
    const r2 = await api.call('POST', '/cases', { token: portal, body: second, headers: { 'Idempotency-Key': 'prefill-oversize-0002' } });
    expect(r2.status).toBe(201);

    // 证照免交: a freight company's operating permit, once issued, replaces the upload in a later application.
    const fc = freightCompanyExample();
    const fcCase = await api.call('POST', '/cases', { token: portal, body: fc, headers: { 'Idempotency-Key': 'cert-reuse-fc-0001' } });
    expect((await decide('transport', fcCase.body.caseNo, 'transport-review')).status).toBe(202);
    const permit = await waitFor(async () => {
      const c = await api.call('GET', `/cases/${fcCase.body.caseNo}`, { token: portal });
      return c.body.certificates.find((x: { type: string }) => x.type === 'road-transport-operating-permit');
    }, 'operating permit');
    const held = await api.call('GET', `/prefill?creditCode=${DEMO.newCompany.creditCode}`, { token: portalToken('portal-system', DEMO.newCompany.creditCode) });
    expect(held.body.certificates.map((c: { no: string }) => c.no)).toContain(permit.no);
  });

  it('delivers status changes to the portal callback, signed, retrying after a failure', async () => {
    const received: { body: string; signature: string; timestamp: string }[] = [];
    let calls = 0;
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        calls += 1;
        if (calls === 1) {
          res.writeHead(503).end(); // the portal is down the first time
          return;
        }
        received.push({ body, signature: String(req.headers['x-onestop-signature']), timestamp: String(req.headers['x-onestop-timestamp']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const url = `${origin}/hook`;
    // Webhooks go only to a registered client's origins, signed with that client's own secret; a loopback receiver
    // needs a registration that allows private addresses.
    const client = await registerPortalClient(api.orm.em.fork(), { id: 'hook-portal', name: 'test receiver', callbackOrigins: [origin], allowPrivateCallbacks: true });
    try {
      const r = await api.call('POST', '/cases', { token: portalToken('hook-portal'), body: { ...schoolBusExample(), webhookUrl: url }, headers: { 'Idempotency-Key': 'webhook-case-0001' } });
      expect(r.status).toBe(201);
      const first = await waitFor(async () => received[0], 'webhook delivery', 30_000);
      expect(JSON.parse(first.body)).toMatchObject({ caseNo: r.body.caseNo, event: 'case_accepted' });
      // HMAC-SHA256 over `${timestamp}.${body}` with the client's secret: receivers can refuse replays.
      expect(Math.abs(Number(first.timestamp) - Date.now() / 1000)).toBeLessThan(120);
      expect(first.signature).toBe(`sha256=${createHmac('sha256', client.webhookSecret).update(`${first.timestamp}.${first.body}`).digest('hex')}`);
      // The activity records the attempt after the portal answered: wait for the second record.
      const attempts = await waitFor(async () => {
        const rows = await api.orm.em.fork().execute<{ attempt: number; http_status: number }[]>(
          'select attempt, http_status from webhook_delivery where case_no = ? order by id',
          [r.body.caseNo],
        );
        return rows.length >= 2 ? rows : undefined;
      }, 'two recorded delivery attempts');
      expect(attempts.map((a) => a.http_status)).toEqual([503, 204]);
      await api.call('POST', `/cases/${r.body.caseNo}/withdraw`, { token: portalToken('hook-portal'), body: { reason: 'test done' } });
    } finally {
      receiver.close();
    }
  });
});
