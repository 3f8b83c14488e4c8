/**
 * The duplicates drill (the one cheap enough for CI; the others are `npm run drill`): the same decision sent twice and
 * the same supplement sent twice, with the same Idempotency-Key, at once and one after the other, through the API.
 * Each is applied exactly once; the copy is either refused (409) or recorded by the case as an ignored duplicate.
 */
import { freightCompanyExample, schoolBusExample } from '../../api/schemas/examples';
import type { CaseState, Department } from '../../domain/types';
import { caseStateQuery } from '../../workflows/definitions';
import { startApi, token, type ApiHarness } from '../helpers/api-harness';
import { humanReviewOrder } from '../../infra/services/catalog';
import { service, waitFor } from '../helpers/harness';

let api: ApiHarness;
const portal = token('portal', undefined, 'portal-drills');
const reviewer = (d: Department) => token('reviewer', d, `${d}-drills`);

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});


const rows = <T>(sql: string, params: unknown[]) => api.orm.em.fork().getConnection().execute<T[]>(sql, params);

async function openTask(dept: Department, caseNo: string, stepId: string, round: number) {
  return waitFor(`${stepId} round ${round} in the ${dept} queue`, async () => {
    const q = await api.call('GET', '/reviews?status=open&limit=500', { token: reviewer(dept) });
    return (q.body.tasks as { caseNo: string; stepId: string; round: number }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId && t.round === round);
  });
}

async function caseStatus(caseNo: string): Promise<{ status: string; certificates: unknown[] }> {
  return (await api.call('GET', `/cases/${caseNo}`, { token: portal })).body;
}

async function decide(caseNo: string, stepId: string, dept: Department, key: string, body: Record<string, unknown>) {
  // Deciding requires holding the claim on the step's open task (claiming again as its holder is a no-op).
  const q = await api.call('GET', '/reviews?status=open&limit=500', { token: reviewer(dept) });
  const task = (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId);
  if (task) await api.call('POST', `/reviews/${encodeURIComponent(task.taskId)}/claim`, { token: reviewer(dept) });
  return api.call('POST', `/cases/${caseNo}/steps/${stepId}/decision`, { token: reviewer(dept), body, headers: { 'Idempotency-Key': key } });
}

function supply(caseNo: string, key: string) {
  return api.call('POST', `/cases/${caseNo}/supplements`, {
    token: portal,
    body: { materials: [{ material: 'safety-system', reference: 'upload:drill-safety-2' }] },
    headers: { 'Idempotency-Key': key },
  });
}

async function appliedCounts(caseNo: string): Promise<Record<string, number>> {
  const applied = await rows<{ key: string; n: string }>(
    `select coalesce(payload->>'stepId', '') || ':' || coalesce(payload->>'decision', type) as key, count(*) as n from case_event
     where case_no = ? and type in ('decision_applied', 'supplement_received') group by 1`,
    [caseNo],
  );
  return Object.fromEntries(applied.map((r) => [r.key, Number(r.n)]));
}

/** Both copies answered 202 or 409, at least one 202, and every 202 carried the same message id. */
function expectOneMessage(replies: { status: number; body: { decisionId?: string; supplementId?: string } }[]): string {
  expect(replies.every((r) => r.status === 202 || r.status === 409)).toBe(true);
  const ids = new Set(replies.filter((r) => r.status === 202).map((r) => r.body.decisionId ?? r.body.supplementId));
  expect(ids.size).toBe(1);
  return [...ids][0]!;
}

describe.each(['at once', 'one after the other'] as const)('a decision and a supplement sent twice, %s', (mode) => {
  it('are applied once', async () => {
    const twice = <R>(send: () => Promise<R>): Promise<R[]> => (mode === 'at once' ? Promise.all([send(), send()]) : send().then(async (a) => [a, await send()]));
    const key = `drills-${mode.replaceAll(' ', '-')}-${Date.now()}`;
    const submitted = await api.call('POST', '/cases', { token: portal, body: freightCompanyExample(), headers: { 'Idempotency-Key': key } });
    expect(submitted.status).toBe(201);
    const caseNo: string = submitted.body.caseNo;

    await openTask('transport', caseNo, 'transport-review', 1);
    const ask = { decision: 'request_supplement', comment: '材料不全', missing: [{ material: 'safety-system', reason: '未盖章' }] };
    const askId = expectOneMessage(await twice(() => decide(caseNo, 'transport-review', 'transport', `${key}-ask`, ask)));
    await waitFor('awaiting_supplement', async () => ((await caseStatus(caseNo)).status === 'awaiting_supplement' ? true : undefined));

    expectOneMessage(await twice(() => supply(caseNo, `${key}-supplement`)));
    await openTask('transport', caseNo, 'transport-review', 2);
    const approveId = expectOneMessage(await twice(() => decide(caseNo, 'transport-review', 'transport', `${key}-approve`, { decision: 'approve', comment: '同意' })));

    const done = await waitFor('completion', async () => {
      const c = await caseStatus(caseNo);
      return c.status === 'completed' && c.certificates.length === 3 ? c : undefined;
    });
    expect(done.certificates).toHaveLength(3);
    // A copy sent after the step closed, even with a new key, is refused and never applied.
    expect((await decide(caseNo, 'transport-review', 'transport', `${key}-late`, { decision: 'approve', comment: '同意' })).status).toBe(409);

    expect(await appliedCounts(caseNo)).toEqual({
      'transport-review:request_supplement': 1,
      'transport-review:approve': 1,
      ':supplement_received': 1,
    });
    const dupCerts = await rows('select case_no, type, subject_key, count(*) from certificate where case_no = ? group by 1, 2, 3 having count(*) > 1', [caseNo]);
    expect(dupCerts).toEqual([]);
    // No accepted decision is lost: both ids are in the case's own record, each applied once.
    const state: CaseState = await api.env.client.workflow.getHandle(caseNo).query(caseStateQuery);
    const decisions = state.steps.find((s) => s.id === 'transport-review')!.decisions;
    expect(decisions.filter((d) => d.decisionId === askId && !d.ignoredReason)).toHaveLength(1);
    expect(decisions.filter((d) => d.decisionId === approveId && !d.ignoredReason)).toHaveLength(1);
    expect(decisions.filter((d) => d.ignoredReason && d.ignoredReason !== 'duplicate decision')).toEqual([]);
  });
});

it('a school-bus case approved twice at every step, both copies at once, completes with one set of certificates', async () => {
  const submitted = await api.call('POST', '/cases', { token: portal, body: schoolBusExample(), headers: { 'Idempotency-Key': `drills-school-bus-${Date.now()}` } });
  const caseNo: string = submitted.body.caseNo;
  const plan = humanReviewOrder(service('SCHOOLBUS'));
  for (const [dept, step] of plan) {
    await openTask(dept, caseNo, step, 1);
    const key = `drills-sb-${caseNo}-${step}`;
    expectOneMessage(await Promise.all([0, 1].map(() => decide(caseNo, step, dept, key, { decision: 'approve', comment: '同意' }))));
  }
  await waitFor('completion', async () => {
    const c = await caseStatus(caseNo);
    return c.status === 'completed' && c.certificates.length === 2 ? c : undefined;
  });
  expect(await appliedCounts(caseNo)).toEqual(Object.fromEntries(plan.map(([, step]) => [`${step}:approve`, 1])));
  const certs = await rows<{ type: string }>('select type from certificate where case_no = ? order by type', [caseNo]);
  expect(certs.map((c) => c.type)).toEqual(['school-bus-permit', 'school-bus-sign']);
});
