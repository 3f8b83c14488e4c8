/**
 * Refusals as written decisions and the one-time notice (issue 11, item 3), through the real app on real Temporal and
 * PostgreSQL (every response is also checked against the OpenAPI document by the harness):
 * - 不予受理 at intake: divisible oversize cargo, and a trip starting in another province, are recorded as
 *   `not_accepted` with the written notice in the 201, start no workflow, replay idempotently, and show in the list
 *   and on the tracking page;
 * - 不予许可: a freight case the transport reviewer rejects has a written decision with the reviewer's reasons, the
 *   step's legal basis and both remedies;
 * - 一次告知: a school-bus supplement asked by the police and transport in parallel is one notice listing both;
 * - another portal client gets 404 for both documents.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { freightCompanyExample, oversizeCargoExample, schoolBusExample } from '../../api/schemas/examples';
import type { Department } from '../../domain/types';
import { claimAndDecide, portalToken, startApi, token, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/harness';

let api: ApiHarness;
const portal = portalToken('city-portal');
const otherPortal = portalToken('county-portal');
const ops = token('ops');
const reviewer = (d: Department) => token('reviewer', d, `${d}-wd`);

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

async function openTask(dept: Department, caseNo: string, stepId: string) {
  return waitFor(`${stepId} open for ${dept}`, async () => {
    const q = await api.call('GET', '/reviews?status=open', { token: reviewer(dept) });
    return (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId);
  });
}

function oversize(over: { divisible?: boolean; originCity?: string }) {
  const body = oversizeCargoExample();
  body.form.cargo.divisible = over.divisible ?? false;
  if (over.originCity) body.form.route.originCity = over.originCity;
  return body;
}

describe('不予受理 at intake', () => {
  it('records divisible cargo as not accepted, with the written notice, and starts no review', async () => {
    const key = `wd-divisible-${Date.now()}`;
    const res = await api.call('POST', '/cases', { token: portal, body: oversize({ divisible: true }), headers: { 'Idempotency-Key': key } });
    expect(res.status).toBe(201);
    const { caseNo, accessCode, decision } = res.body as { caseNo: string; accessCode: string; decision: Record<string, unknown> & { text: string } };
    expect(res.body).toMatchObject({ status: 'not_accepted', deadline: null, deadlineProvisional: false });
    expect(decision).toMatchObject({
      kind: 'not_accepted',
      decisionNo: `${caseNo}-D`,
      caseNo,
      authority: { zh: '交通运输局' },
      reasons: [expect.stringContaining('可分载物品')],
      competentAuthority: null,
      remedies: [
        expect.objectContaining({ kind: 'administrative_reconsideration', withinDays: 60, legalBasis: expect.objectContaining({ document: '中华人民共和国行政复议法（2023年修订）', article: 'art. 20 para. 1' }) }),
        expect.objectContaining({ kind: 'administrative_litigation', withinMonths: 6, legalBasis: expect.objectContaining({ document: '中华人民共和国行政诉讼法', article: 'art. 46 para. 1' }) }),
      ],
    });
    expect(decision.legalBasis).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ document: expect.stringContaining('交通运输部令2016年第62号'), article: 'art. 6' }),
        expect.objectContaining({ document: '中华人民共和国行政许可法', article: 'art. 32 para. 2' }),
      ]),
    );
    expect(decision.text).toContain('决定不予受理');
    expect(decision.text).toContain('60日内');

    // No workflow, no archived copy; the row is ended with its reasons.
    await expect(api.env.client.workflow.getHandle(caseNo).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const db = api.orm.em.fork().getConnection();
    const [row] = await db.execute<{ status: string; completed: boolean; outcome_reasons: string[]; deadline: Date | null }[]>(
      'select status, completed_at is not null and completed_at = accepted_at as completed, outcome_reasons, deadline from one_stop_case where case_no = ?',
      [caseNo],
    );
    expect(row).toMatchObject({ status: 'not_accepted', deadline: null, outcome_reasons: [expect.stringContaining('可分载物品')] });
    expect(row!.completed).toBe(true);
    expect(await db.execute('select 1 from archived_application where case_no = ?', [caseNo])).toHaveLength(0);

    // Idempotent: the same key answers the same case and decision with 200, without a second case.
    const replay = await api.call('POST', '/cases', { token: portal, body: oversize({ divisible: true }), headers: { 'Idempotency-Key': key } });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ caseNo, status: 'not_accepted', decision: { decisionNo: `${caseNo}-D`, text: decision.text } });
    expect(replay.body).not.toHaveProperty('accessCode');

    // Visible in the list, the case view, the decision route and the tracking page.
    const list = await api.call('GET', '/cases?status=not_accepted&service=OVERSIZE', { token: portal });
    expect(list.body.cases).toEqual(expect.arrayContaining([expect.objectContaining({ caseNo, status: 'not_accepted', deadline: null })]));
    expect((await api.call('GET', `/cases/${caseNo}`, { token: portal })).body).toMatchObject({ status: 'not_accepted', reasons: decision.reasons });
    expect((await api.call('GET', `/cases/${caseNo}/decision`, { token: portal })).body).toEqual(decision);
    const tracked = await api.call('GET', `/track/${caseNo}`, { headers: { 'X-Access-Code': accessCode } });
    expect(tracked.status).toBe(200);
    expect(tracked.body).toMatchObject({ status: 'not_accepted', decision: { kind: 'not_accepted', decisionNo: `${caseNo}-D` } });
    // Nothing to withdraw: it has ended.
    expect((await api.call('POST', `/cases/${caseNo}/withdraw`, { token: portal, body: { reason: 'x' } })).status).toBe(409);
    // Another portal client sees neither the decision nor a notice.
    expect((await api.call('GET', `/cases/${caseNo}/decision`, { token: otherPortal })).status).toBe(404);
    expect((await api.call('GET', `/cases/${caseNo}/supplement-notice`, { token: otherPortal })).status).toBe(404);
    // The ops dashboard's daily series counts it as not accepted today.
    const daily = await api.call('GET', '/stats/daily?days=1', { token: ops });
    const oversizeToday = (daily.body.services as { service: string; days: { notAccepted: number }[] }[]).find((x) => x.service === 'OVERSIZE')!.days.at(-1)!;
    expect(oversizeToday.notAccepted).toBeGreaterThanOrEqual(1);
    // Ops read it too; the case never had a supplement request.
    expect((await api.call('GET', `/cases/${caseNo}/decision`, { token: ops })).status).toBe(200);
    expect((await api.call('GET', `/cases/${caseNo}/supplement-notice`, { token: portal })).status).toBe(404);
  });

  it('names the origin province\'s highway authority for a trip that starts in another province', async () => {
    const res = await api.call('POST', '/cases', { token: portal, body: oversize({ originCity: '河南省郑州市' }), headers: { 'Idempotency-Key': `wd-origin-${Date.now()}` } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'not_accepted',
      decision: {
        competentAuthority: '河南省公路管理机构',
        legalBasis: expect.arrayContaining([expect.objectContaining({ article: 'art. 8' }), expect.objectContaining({ article: 'art. 32 para. 1 item 2' })]),
      },
    });
    expect(res.body.decision.text).toContain('请向河南省公路管理机构提出申请');
  });

  it('accepts and reviews an indivisible load starting in the city (no decision on an open case)', async () => {
    const res = await api.call('POST', '/cases', { token: portal, body: oversize({}), headers: { 'Idempotency-Key': `wd-ok-${Date.now()}` } });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('in_review');
    expect(res.body).not.toHaveProperty('decision');
    expect((await api.call('GET', `/cases/${res.body.caseNo}/decision`, { token: portal })).status).toBe(404);
    await api.call('POST', `/cases/${res.body.caseNo}/withdraw`, { token: portal, body: { reason: 'test done' } });
  });
});

describe('不予许可: a refusal after review', () => {
  it('gives the rejected freight case a written decision with the reviewer\'s reasons, the step\'s basis and both remedies', async () => {
    const submitted = await api.call('POST', '/cases', { token: portal, body: freightCompanyExample(), headers: { 'Idempotency-Key': `wd-freight-${Date.now()}` } });
    expect(submitted.status).toBe(201);
    const { caseNo, accessCode } = submitted.body as { caseNo: string; accessCode: string };
    const task = await openTask('transport', caseNo, 'transport-review');
    const comment = '停车场地面积不符合要求';
    expect((await claimAndDecide(api, reviewer('transport'), task.taskId, caseNo, 'transport-review', { decision: 'reject', comment })).status).toBe(202);
    await waitFor('the case is rejected', async () => ((await api.call('GET', `/cases/${caseNo}`, { token: portal })).body.status === 'rejected' ? true : undefined));

    const res = await api.call('GET', `/cases/${caseNo}/decision`, { token: portal });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'refused',
      title: '不予行政许可决定书',
      decisionNo: `${caseNo}-D`,
      authority: { zh: '交通运输局' },
      reasons: [`交通运输局：${comment}`],
      remedies: [expect.objectContaining({ withinDays: 60 }), expect.objectContaining({ withinMonths: 6 })],
    });
    expect(res.body.legalBasis).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ document: '中华人民共和国道路运输条例', article: 'art. 24' }),
        expect.objectContaining({ document: '中华人民共和国行政许可法', article: 'art. 38 para. 2' }),
      ]),
    );
    expect(res.body.text).toContain(comment);
    expect(res.body.text).toContain('《中华人民共和国道路运输条例》第24条');
    // The deciding reviewers read it; another portal client does not.
    expect((await api.call('GET', `/cases/${caseNo}/decision`, { token: reviewer('transport') })).status).toBe(200);
    expect((await api.call('GET', `/cases/${caseNo}/decision`, { token: otherPortal })).status).toBe(404);
    const tracked = await api.call('GET', `/track/${caseNo}`, { headers: { 'X-Access-Code': accessCode } });
    expect(tracked.body.decision).toEqual(res.body);
  });
});

describe('一次告知: the one-time notice', () => {
  it('lists the items of both departments reviewing in parallel in one notice', async () => {
    const submitted = await api.call('POST', '/cases', { token: portal, body: schoolBusExample(), headers: { 'Idempotency-Key': `wd-notice-${Date.now()}` } });
    expect(submitted.status).toBe(201);
    const { caseNo, accessCode } = submitted.body as { caseNo: string; accessCode: string };
    const edu = await openTask('education', caseNo, 'education-acceptance');
    expect((await claimAndDecide(api, reviewer('education'), edu.taskId, caseNo, 'education-acceptance')).status).toBe(202);
    const police = await openTask('public_security', caseNo, 'police-opinion');
    const transport = await openTask('transport', caseNo, 'transport-opinion');
    expect(
      (await claimAndDecide(api, reviewer('public_security'), police.taskId, caseNo, 'police-opinion', { decision: 'request_supplement', comment: '请补正', missing: [{ material: 'route-plan', reason: '缺少站点时间' }] })).status,
    ).toBe(202);
    expect(
      (await claimAndDecide(api, reviewer('transport'), transport.taskId, caseNo, 'transport-opinion', { decision: 'request_supplement', comment: '请补正', missing: [{ material: 'insurance', reason: '保单复印件不清晰' }] })).status,
    ).toBe(202);
    await waitFor('the case waits for the supplement', async () => ((await api.call('GET', `/cases/${caseNo}`, { token: portal })).body.status === 'awaiting_supplement' ? true : undefined));

    const res = await api.call('GET', `/cases/${caseNo}/supplement-notice`, { token: portal });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ noticeNo: `${caseNo}-S1`, caseNo, round: 1, itemCount: 2, service: { code: 'SCHOOLBUS' } });
    const byDept = Object.fromEntries((res.body.departments as { department: string; items: { material: string; materialName: { zh: string } | null; reason: string }[] }[]).map((d) => [d.department, d.items]));
    expect(byDept.public_security).toEqual([expect.objectContaining({ material: 'route-plan', reason: '缺少站点时间', materialName: expect.objectContaining({ zh: expect.any(String) }) })]);
    expect(byDept.transport).toEqual([expect.objectContaining({ material: 'insurance', reason: '保单复印件不清晰', materialName: expect.objectContaining({ zh: expect.any(String) }) })]);
    expect(res.body.text).toContain('公安局交警支队');
    expect(res.body.text).toContain('交通运输局');
    expect(res.body.text).toContain('缺少站点时间');
    expect(res.body.text).toContain('保单复印件不清晰');
    // No refusal: no decision, neither on the route nor on the tracking page.
    expect((await api.call('GET', `/cases/${caseNo}/decision`, { token: portal })).status).toBe(404);
    expect((await api.call('GET', `/track/${caseNo}`, { headers: { 'X-Access-Code': accessCode } })).body.decision).toBeNull();
    expect((await api.call('GET', `/cases/${caseNo}/supplement-notice`, { token: otherPortal })).status).toBe(404);
    await api.call('POST', `/cases/${caseNo}/withdraw`, { token: portal, body: { reason: 'test done' } });
  });
});
