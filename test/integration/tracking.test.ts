/**
 * What the people's pages need from the API (issue 12), against real Temporal and PostgreSQL through the real app:
 * - the applicant's tracking access code: shown once in the receipt, stored as a scrypt hash, never shown by a replay;
 *   GET /track/{caseNo} with the code in X-Access-Code (404 for a wrong code exactly as for an unknown case, 400 for
 *   no code), the masked progress view, and supplying what is missing through POST /track/{caseNo}/supplements;
 * - the reviewers' queue item: the decisions allowed now and where to send them;
 * - true step statuses: a fast-tracked oversize case shows its human steps approved by the system.
 * Every response here is also checked against the OpenAPI document (test/helpers/api-harness.ts).
 */
import { oversizeCargoExample, schoolBusExample } from '../../api/schemas/examples';
import { departmentName } from '../../domain/departments';
import type { Department } from '../../domain/types';
import { claimAndDecide, portalToken, startApi, token, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/harness';

let api: ApiHarness;
const portal = portalToken('portal-system');
const reviewer = (d: Department) => token('reviewer', d, `${d}-track`);

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const track = (caseNo: string, code?: string) => api.call('GET', `/track/${caseNo}`, code === undefined ? {} : { headers: { 'X-Access-Code': code } });

async function submitSchoolBus(key: string) {
  const res = await api.call('POST', '/cases', { token: portal, body: schoolBusExample(), headers: { 'Idempotency-Key': key } });
  expect(res.status).toBe(201);
  return res;
}

async function openTask(dept: Department, caseNo: string, stepId: string) {
  return waitFor(`${stepId} open for ${dept}`, async () => {
    const q = await api.call('GET', '/reviews?status=open', { token: reviewer(dept) });
    return (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId);
  });
}

describe('the applicant tracking access code', () => {
  it('is shown once in the receipt, stored only as a hash, and not shown again by an idempotent replay', async () => {
    const key = `track-once-${Date.now()}`;
    const first = await submitSchoolBus(key);
    const code: string = first.body.accessCode;
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/);

    const replay = await api.call('POST', '/cases', { token: portal, body: schoolBusExample(), headers: { 'Idempotency-Key': key } });
    expect(replay.status).toBe(200);
    expect(replay.body.caseNo).toBe(first.body.caseNo);
    expect(replay.body).not.toHaveProperty('accessCode');

    const [row] = await api.orm.em.fork().getConnection().execute<{ access_code_hash: string }[]>('select access_code_hash from one_stop_case where case_no = ?', [first.body.caseNo]);
    expect(row!.access_code_hash).toMatch(/^scrypt\$14\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(row!.access_code_hash).not.toContain(code);

    // Another case gets another code.
    const other = await submitSchoolBus(`${key}-b`);
    expect(other.body.accessCode).not.toBe(code);
  });

  it('opens the progress view; a wrong code answers exactly as an unknown case; no code is a 400 naming the header', async () => {
    const submitted = await submitSchoolBus(`track-view-${Date.now()}`);
    const { caseNo, accessCode } = submitted.body as { caseNo: string; accessCode: string };

    const view = await track(caseNo, accessCode);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ caseNo, status: 'in_review', service: { code: 'SCHOOLBUS' }, outstandingSupplement: [], supplementPath: null, certificates: [] });
    expect((view.body.steps as { id: string }[]).map((s) => s.id)).toEqual(['education-acceptance', 'police-opinion', 'transport-opinion', 'education-opinion', 'government-approval']);
    // As the applicant types it: lower case and grouped.
    expect((await track(caseNo, `${accessCode.slice(0, 5).toLowerCase()}-${accessCode.slice(5)}`)).status).toBe(200);
    // Nothing of the applicant's identity or form.
    expect(view.body).not.toHaveProperty('form');
    expect(view.body).not.toHaveProperty('applicant');

    const wrongCode = accessCode.startsWith('A') ? `B${accessCode.slice(1)}` : `A${accessCode.slice(1)}`;
    const wrong = await track(caseNo, wrongCode);
    const unknown = await track(caseNo.replace(/\d{6}$/, '999999'), accessCode);
    expect(wrong.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(wrong.body.error.code).toBe(unknown.body.error.code);
    expect(wrong.body.error.message.replace(caseNo, 'X')).toBe(unknown.body.error.message.replace(/JN-\S+/, 'X'));

    const none = await track(caseNo);
    expect(none.status).toBe(400);
    expect(none.body.error.details).toEqual([{ path: 'headers.x-access-code', message: expect.any(String) }]);
    const malformed = await track(caseNo, 'O0I1L');
    expect(malformed.status).toBe(400);
    // A code in the URL is not read.
    expect((await api.call('GET', `/track/${caseNo}?accessCode=${accessCode}`)).status).toBe(400);
  });

  it('shows a supplement request with what is missing, takes the supplement with the code, and the case resumes', async () => {
    const submitted = await submitSchoolBus(`track-supplement-${Date.now()}`);
    const { caseNo, accessCode } = submitted.body as { caseNo: string; accessCode: string };
    const task = await openTask('education', caseNo, 'education-acceptance');
    const missing = [{ material: 'insurance', reason: '保险凭证已过期' }];
    const asked = await claimAndDecide(api, reviewer('education'), task.taskId, caseNo, 'education-acceptance', { decision: 'request_supplement', comment: '请补正', missing });
    expect(asked.status).toBe(202);

    const waiting = await waitFor('the case waits for the supplement', async () => {
      const v = await track(caseNo, accessCode);
      return v.body.status === 'awaiting_supplement' ? v : undefined;
    });
    // Every item the departments asked for, once (一次告知), each with who asked: names for the applicant, the reason
    // without the department code the workflow writes in front of it (the audit log keeps it as written).
    expect(waiting.body.outstandingSupplement).toEqual([
      { material: 'insurance', materialName: { zh: '承运人责任保险凭证', en: 'Carrier liability insurance' }, department: 'education', departmentName: departmentName('education'), reason: '保险凭证已过期' },
    ]);
    const [notice] = await api.orm.em.fork().getConnection().execute<{ payload: { missing: unknown } }[]>("select payload from case_event where case_no = ? and type = 'supplement_requested'", [caseNo]);
    expect(notice!.payload.missing).toEqual([{ material: 'insurance', reason: 'education: 保险凭证已过期' }]);
    expect(waiting.body.supplementPath).toBe(`/api/v1/track/${caseNo}/supplements`);
    expect(waiting.body.pausedSince).toMatch(/\+08:00$/);
    const step = (waiting.body.steps as { id: string; status: string; decisions: { decision: string; missing?: unknown }[] }[]).find((s) => s.id === 'education-acceptance')!;
    expect(step.status).toBe('supplement_requested');
    expect(step.decisions.at(-1)).toMatchObject({ decision: 'request_supplement', missing });

    const body = { materials: [{ material: 'insurance', reference: 'upload:sb-ins-2' }], comment: '已补充' };
    expect((await api.call('POST', `/track/${caseNo}/supplements`, { body, headers: { 'X-Access-Code': 'AAAAAAAAAA' } })).status).toBe(404);
    const sent = await api.call('POST', `/track/${caseNo}/supplements`, { body, headers: { 'X-Access-Code': accessCode, 'Idempotency-Key': `supp-${caseNo}` } });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ supplementId: expect.any(String), caseNo });

    const resumed = await waitFor('the case resumes', async () => {
      const v = await track(caseNo, accessCode);
      return v.body.status === 'in_review' && v.body.outstandingSupplement.length === 0 ? v : undefined;
    });
    expect(resumed.body.supplementPath).toBeNull();
    // Not waiting any more: a second supplement is a conflict.
    expect((await api.call('POST', `/track/${caseNo}/supplements`, { body, headers: { 'X-Access-Code': accessCode } })).status).toBe(409);
    // The audit log records who sent it: the applicant, by the code (never the code itself).
    const events = await api.orm.em.fork().getConnection().execute<{ actor: string | null; payload: unknown }[]>(
      "select actor, payload from case_event where case_no = ? and type = 'supplement_received'",
      [caseNo],
    );
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(accessCode);
  });
});

describe('what the reviewer workbench needs from the queue', () => {
  it('each open task says which decisions it allows and where to claim, release and decide', async () => {
    const { caseNo } = (await submitSchoolBus(`track-queue-${Date.now()}`)).body as { caseNo: string };
    const task = await openTask('education', caseNo, 'education-acceptance');
    const q = await api.call('GET', '/reviews?status=open', { token: reviewer('education') });
    const item = (q.body.tasks as Record<string, unknown>[]).find((t) => t.taskId === task.taskId)!;
    expect(item).toMatchObject({
      allowedDecisions: ['approve', 'reject', 'request_supplement'],
      decisionPath: `/api/v1/cases/${caseNo}/steps/education-acceptance/decision`,
      claimPath: `/api/v1/reviews/${encodeURIComponent(task.taskId)}/claim`,
      releasePath: `/api/v1/reviews/${encodeURIComponent(task.taskId)}/release`,
      workingDaysLeft: expect.any(Number),
    });
    // The paths are the ones that work.
    const base = api.base.replace(/\/api\/v1$/, '');
    expect((await api.call('POST', base + (item.claimPath as string), { token: reviewer('education') })).status).toBe(200);
    const decided = await api.call('POST', base + (item.decisionPath as string), { token: reviewer('education'), body: { decision: 'approve', comment: '同意' } });
    expect(decided.status).toBe(202);
    const closed = await waitFor('the task closes', async () => {
      const r = await api.call('GET', `/reviews/${encodeURIComponent(task.taskId)}`, { token: reviewer('education') });
      return r.body.status === 'closed' ? r : undefined;
    });
    expect(closed.body.allowedDecisions).toEqual([]);
    expect(closed.body.automaticReport).toMatchObject({ verdict: expect.any(String), report: { source: expect.any(String), findings: expect.any(Array) } });
  });
});

describe('true step statuses', () => {
  it('a fast-tracked oversize case shows its human steps approved, decision automatic by system, in the case and tracking views', async () => {
    const res = await api.call('POST', '/cases', { token: portal, body: oversizeCargoExample(), headers: { 'Idempotency-Key': `track-oversize-${Date.now()}` } });
    expect(res.status).toBe(201);
    const { caseNo, accessCode } = res.body as { caseNo: string; accessCode: string };
    const done = await waitFor('the fast-tracked case completes', async () => {
      const v = await api.call('GET', `/cases/${caseNo}`, { token: portal });
      return v.body.status === 'completed' ? v : undefined;
    }, 60_000);
    type Step = { id: string; kind: string; status: string; decisions: { decision: string; reviewer: string }[] };
    const steps = done.body.steps as Step[];
    const human = steps.filter((s) => s.kind === 'human');
    expect(human.length).toBeGreaterThan(0);
    for (const s of human) {
      expect(s.status).toBe('approved');
      expect(s.decisions).toEqual([expect.objectContaining({ decision: 'automatic', reviewer: 'system' })]);
    }
    expect(steps.every((s) => s.status === 'approved')).toBe(true);

    const tracked = await track(caseNo, accessCode);
    expect((tracked.body.steps as Step[]).map((s) => s.status)).toEqual(steps.map((s) => s.status));
    // The portal's masked view: the verdict, not the report.
    expect((tracked.body.steps as { check?: Record<string, unknown> }[]).find((s) => s.check)!.check).toEqual({ verdict: 'pass', hardRefusal: false });
    const certificates = tracked.body.certificates as { no: string; verifyPath: string; name: { zh: string } | null }[];
    expect(certificates).toHaveLength(3);
    for (const c of certificates) expect(c.name?.zh).toEqual(expect.any(String));
    // The verification path is the public one the QR code opens.
    const verified = await api.call('GET', api.base.replace(/\/api\/v1$/, '') + certificates[0]!.verifyPath);
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe('valid');
    expect(verified.body.certificate.no).toBe(certificates[0]!.no);
  });
});
