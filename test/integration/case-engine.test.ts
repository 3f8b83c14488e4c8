/**
 * The case engine against the real Temporal dev server and PostgreSQL: happy paths, rejection, withdrawal,
 * supplement and resume, duplicate / late / misdirected decisions.
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { CaseOutcome, Department, ReviewDecision } from '../../domain/types';
import { verifyCertificateSignature } from '../../infra/signing/certificate-signer';
import { caseStateQuery, reviewDecisionSignal, supplementSignal, withdrawSignal } from '../../workflows/definitions';
import { freightCompanyApplication, oversizeCargoApplication, schoolBusApplication } from '../fixtures/applications';
import { loadCheckReports, storedReportRef } from '../../infra/repositories/check-reports';
import { humanReviewOrder } from '../../infra/services/catalog';
import { calendar, service, connectTestEnv, waitForRows, makeWorker, openStep, openTestOrm, submit, testSigner, uniqueQueue, waitForState } from '../helpers/harness';

let env: TestWorkflowEnvironment;
let orm: MikroORM;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueQueue('engine');

beforeAll(async () => {
  env = await connectTestEnv();
  orm = await openTestOrm();
  worker = await makeWorker(env, orm, taskQueue);
  running = worker.run();
});

afterAll(async () => {
  worker.shutdown();
  await running;
  await orm.close();
  await env.teardown();
});

const deps = () => ({ orm, client: env.client, taskQueue });
const storedReport = async (caseNo: string, stepId: string) => (await loadCheckReports(orm.em.fork(), caseNo)).get(stepId);

function decision(stepId: string, department: Department, d: ReviewDecision['decision'] = 'approve', extra: Partial<ReviewDecision> = {}): ReviewDecision {
  return { decisionId: randomUUID(), stepId, department, decision: d, comment: `${d} by ${department}`, reviewer: `${department}-reviewer`, ...extra };
}

async function approveInOrder(caseNo: string, steps: [string, Department][]) {
  const handle = env.client.workflow.getHandle(caseNo);
  for (const [stepId, dept] of steps) {
    await waitForState(handle, openStep(stepId));
    await handle.signal(reviewDecisionSignal, decision(stepId, dept));
  }
  return handle;
}

// [step, department] in plan order, from the service definition itself.
const SCHOOL_BUS_PLAN: [string, Department][] = humanReviewOrder(service('SCHOOLBUS')).map(([dept, step]) => [step, dept]);

describe('school bus use permit', () => {
  it('runs the joint review in order and issues the permit and the sign, signed and stored once', async () => {
    const submitted = await submit(deps(), 'SCHOOLBUS', schoolBusApplication());
    expect(submitted.caseNo).toMatch(/^JN-SCHOOLBUS-\d{8}-\d{6}$/);
    const handle = env.client.workflow.getHandle(submitted.caseNo);

    // Police and transport open together, only after education accepted.
    await approveInOrder(submitted.caseNo, SCHOOL_BUS_PLAN.slice(0, 1));
    const parallel = await waitForState(handle, (s) => openStep('police-opinion')(s) && openStep('transport-opinion')(s));
    expect(parallel.pendingDepartments).toEqual(['public_security', 'transport']);
    expect(parallel.steps.find((s) => s.id === 'education-opinion')!.status).toBe('waiting');

    await approveInOrder(submitted.caseNo, SCHOOL_BUS_PLAN.slice(1));
    const outcome: CaseOutcome = await handle.result();
    expect(outcome.status).toBe('completed');
    expect(outcome.certificates.map((c) => c.type).sort()).toEqual(['school-bus-permit', 'school-bus-sign']);

    const certs = await orm.em.fork().getConnection().execute<{ no: string; payload: string; signature: string; fields: Record<string, unknown> }[]>(
      'select no, payload, signature, fields from certificate where case_no = ? order by no',
      [submitted.caseNo],
    );
    expect(certs).toHaveLength(2);
    const sign = certs.find((c) => JSON.parse(c.payload).type === 'school-bus-sign')!;
    expect(sign.fields).toMatchObject({ 'vehicle.plate': '鲁H30001', 'route.stops': ['实验小学', '北湖公园', '太白湖小区'] });
    const publicKey = testSigner().publicKeyPem;
    for (const c of certs as { payload: string; signature: string }[]) expect(verifyCertificateSignature(c.payload, c.signature, publicKey)).toBe(true);
    // One byte changed: the signature no longer verifies.
    expect(verifyCertificateSignature(sign.payload.replace('鲁H30001', '鲁H30002'), sign.signature, publicKey)).toBe(false);

    const caseRow = await orm.em.fork().getConnection().execute<{ status: string; completed_at: Date }[]>('select status, completed_at from one_stop_case where case_no = ?', [submitted.caseNo]);
    expect(caseRow[0]!.status).toBe('completed');
    const audit = await orm.em.fork().getConnection().execute<{ type: string }[]>('select type from case_event where case_no = ? order by seq', [submitted.caseNo]);
    expect(audit[0]!.type).toBe('case_accepted');
    expect(audit.at(-1)!.type).toBe('case_completed');
  });

  it('ignores a duplicate decision, a decision for a step that is not open, and one from another department', async () => {
    const { caseNo } = await submit(deps(), 'SCHOOLBUS', schoolBusApplication());
    const handle = env.client.workflow.getHandle(caseNo);
    await waitForState(handle, openStep('education-acceptance'));
    const first = decision('education-acceptance', 'education');
    await handle.signal(reviewDecisionSignal, decision('police-opinion', 'public_security')); // not open yet
    await handle.signal(reviewDecisionSignal, decision('education-acceptance', 'transport')); // wrong department
    await handle.signal(reviewDecisionSignal, first);
    await handle.signal(reviewDecisionSignal, first); // the same decision again
    const s = await waitForState(handle, openStep('police-opinion'));
    const edu = s.steps.find((x) => x.id === 'education-acceptance')!;
    const applied = edu.decisions.filter((d) => d.decision === 'approve' && !d.ignoredReason);
    expect(applied).toHaveLength(1);
    expect(edu.decisions.filter((d) => d.ignoredReason).map((d) => d.ignoredReason)).toEqual(
      expect.arrayContaining(['step belongs to public_security'.replace('public_security', 'education'), 'duplicate decision']),
    );
    expect(s.steps.find((x) => x.id === 'police-opinion')!.decisions[0]!.ignoredReason).toMatch(/step is waiting/);
    await handle.signal(withdrawSignal, { requestId: randomUUID(), reason: 'test cleanup' });
    expect((await handle.result()).status).toBe('withdrawn');
  });

  it('rejects the case when a mandatory department rejects, with its reasons, and closes the other tasks', async () => {
    const { caseNo } = await submit(deps(), 'SCHOOLBUS', schoolBusApplication());
    const handle = await approveInOrder(caseNo, SCHOOL_BUS_PLAN.slice(0, 1));
    await waitForState(handle, (s) => openStep('police-opinion')(s) && openStep('transport-opinion')(s));
    await handle.signal(reviewDecisionSignal, decision('police-opinion', 'public_security', 'reject', { comment: 'route crosses a closed bridge' }));
    const outcome = await handle.result();
    expect(outcome.status).toBe('rejected');
    expect(outcome.reasons.join()).toContain('route crosses a closed bridge');
    const tasks = await orm.em.fork().getConnection().execute<{ step_id: string; status: string }[]>('select step_id, status from review_task where case_no = ? order by step_id', [caseNo]);
    expect(tasks.find((t) => t.step_id === 'transport-opinion')!.status).toBe('cancelled');
  });

  it('withdrawal cancels the case cleanly', async () => {
    const { caseNo } = await submit(deps(), 'SCHOOLBUS', schoolBusApplication());
    const handle = env.client.workflow.getHandle(caseNo);
    await waitForState(handle, openStep('education-acceptance'));
    await handle.signal(withdrawSignal, { requestId: randomUUID(), reason: 'bus sold' });
    const outcome = await handle.result();
    expect(outcome.status).toBe('withdrawn');
    const tasks = await orm.em.fork().getConnection().execute<{ status: string }[]>('select status from review_task where case_no = ?', [caseNo]);
    expect(tasks.every((t) => t.status === 'cancelled')).toBe(true);
  });

  it('a supplement request waits for the parallel department, tells the applicant once, and reopens only the step that asked', async () => {
    const { caseNo } = await submit(deps(), 'SCHOOLBUS', schoolBusApplication());
    const handle = await approveInOrder(caseNo, SCHOOL_BUS_PLAN.slice(0, 1));
    await waitForState(handle, (s) => openStep('police-opinion')(s) && openStep('transport-opinion')(s));
    await handle.signal(
      reviewDecisionSignal,
      decision('police-opinion', 'public_security', 'request_supplement', { missing: [{ material: 'route-plan', reason: 'stop times missing' }] }),
    );
    const collecting = await waitForState(handle, (s) => s.steps.some((x) => x.id === 'police-opinion' && x.status === 'supplement_requested'));
    expect(collecting.status).toBe('in_review'); // transport has not answered yet: nobody is told anything yet
    await handle.signal(
      reviewDecisionSignal,
      decision('transport-opinion', 'transport', 'request_supplement', { missing: [{ material: 'insurance', reason: 'policy copy unreadable' }] }),
    );
    const paused = await waitForState(handle, (s) => s.status === 'awaiting_supplement');
    expect(paused.outstandingSupplement.map((m) => m.material).sort()).toEqual(['insurance', 'route-plan']);
    const notices = await waitForRows(orm, "select seq from case_event where case_no = ? and type = 'supplement_requested'", [caseNo]);
    expect(notices).toHaveLength(1);

    const supplement = { supplementId: randomUUID(), materials: [{ material: 'route-plan', reference: 'upload:x' }, { material: 'insurance', reference: 'upload:y' }] };
    await handle.signal(supplementSignal, supplement);
    await handle.signal(supplementSignal, supplement); // sent twice: applied once
    const resumed = await waitForState(handle, (s) => openStep('police-opinion')(s) && openStep('transport-opinion')(s));
    expect(resumed.status).toBe('in_review');
    expect(resumed.steps.find((x) => x.id === 'police-opinion')!.round).toBe(2);
    expect(resumed.timeline.filter((t) => t.type === 'supplement_received')).toHaveLength(1);
    await approveInOrder(caseNo, SCHOOL_BUS_PLAN.slice(1));
    expect((await handle.result()).status).toBe('completed');
  });
});

describe('opening a freight company', () => {
  it('verifies the business licence automatically, then transport reviews; one certificate per vehicle', async () => {
    const { caseNo } = await submit(deps(), 'FREIGHTCO', freightCompanyApplication());
    const handle = env.client.workflow.getHandle(caseNo);
    const s = await waitForState(handle, openStep('transport-review'));
    const check = s.steps.find((x) => x.id === 'licence-verification')!;
    expect(check.status).toBe('approved');
    expect(check.check?.verdict).toBe('pass');
    await handle.signal(reviewDecisionSignal, decision('transport-review', 'transport'));
    const outcome: CaseOutcome = await handle.result();
    expect(outcome.status).toBe('completed');
    expect(outcome.certificates.map((c) => `${c.type}:${c.subjectKey}`).sort()).toEqual([
      'road-transport-certificate:鲁H10001',
      'road-transport-certificate:鲁H10002',
      'road-transport-operating-permit:case',
    ]);
  });
});

describe('oversize cargo transport', () => {
  it('an all-pass category I load is fast-tracked: 21 checks, no person, three certificates', async () => {
    const { caseNo } = await submit(deps(), 'OVERSIZE', oversizeCargoApplication());
    const handle = env.client.workflow.getHandle(caseNo);
    const outcome: CaseOutcome = await handle.result();
    expect(outcome.status).toBe('completed');
    expect(outcome.certificates.map((c) => c.type).sort()).toEqual(['over-limit-transport-permit', 'temporary-pass-plate', 'urban-road-approval']);
    const state = await handle.query(caseStateQuery);
    const prereview = state.steps.find((s) => s.id === 'prereview')!;
    // The workflow carries the verdict and a reference; the report itself is in PostgreSQL, out of the history.
    expect(prereview.check).toMatchObject({ verdict: 'pass', report: storedReportRef('prereview') });
    const report = await storedReport(caseNo, 'prereview');
    expect(report).toMatchObject({ category: 'I', statutoryLimitWorkingDays: 2, allPass: true });
    // Category I: the highway permit's 2 working days fit the service's promise, which stays at 5.
    expect(state).toMatchObject({ promiseWorkingDays: 5 });
    expect(state.steps.find((s) => s.id === 'highway-review')!.statutoryLimitWorkingDays).toBe(2);
    expect((report as { results: unknown[] }).results).toHaveLength(21);
  });

  it('divisible cargo is not accepted at intake (不予受理, issue 11): a written decision, no workflow, no person', async () => {
    const app = oversizeCargoApplication();
    app.form.cargo.divisible = true;
    const { caseNo, status, decision } = await submit(deps(), 'OVERSIZE', app);
    expect(status).toBe('not_accepted');
    expect(decision).toMatchObject({ kind: 'not_accepted', reasons: [expect.stringContaining('可分载物品')] });
    await expect(env.client.workflow.getHandle(caseNo).describe()).rejects.toThrow(/not found/i);
    const tasks = await orm.em.fork().getConnection().execute<unknown[]>('select 1 from review_task where case_no = ?', [caseNo]);
    expect(tasks).toHaveLength(0);
  });

  it('a category III load on a weak bridge goes to the three departments with the full report; the highway permit gets 15 working days, the case a promise it can keep', async () => {
    const app = oversizeCargoApplication();
    Object.assign(app.form.loaded, { heightMm: 4600 });
    app.form.route.segmentIds = ['DEMO-R-001', 'DEMO-B-002'];
    const { caseNo } = await submit(deps(), 'OVERSIZE', app);
    const handle = env.client.workflow.getHandle(caseNo);
    const s = await waitForState(handle, (x) => ['highway-review', 'urban-roads-review', 'police-pass'].every((id) => openStep(id)(x)));
    const report = s.steps.find((x) => x.id === 'prereview')!.check!;
    expect(await storedReport(caseNo, 'prereview')).toMatchObject({ category: 'III', statutoryLimitWorkingDays: 15 });
    expect(report.reasons.join('\n')).toMatch(/R2/);
    // Category III: the highway permit gets 62号令 art. 15's 15 working days from acceptance; the urban-roads and police
    // steps keep their own 2 (the regulation governs the highway permit only).
    const acceptedAtMs = Date.parse(s.acceptedAt);
    const highway = s.steps.find((x) => x.id === 'highway-review')!;
    expect(highway.statutoryLimitWorkingDays).toBe(15);
    expect(highway.deadline).toBe(calendar().addWorkingDays(acceptedAtMs, 15).deadline);
    for (const id of ['urban-roads-review', 'police-pass']) {
      const step = s.steps.find((x) => x.id === id)!;
      expect(step.statutoryLimitWorkingDays).toBeUndefined();
      expect(step.deadline).toBe(calendar().addWorkingDays(step.openedAtMs!, 2).deadline);
    }
    // The case promise becomes the longer of the service's 5 and the permit's 15: due with the highway permit, not before.
    expect(s).toMatchObject({ promiseWorkingDays: 15, deadline: highway.deadline });
    const [row] = await waitForRows<{ deadline: Date | string }>(orm, 'select c.deadline from one_stop_case c where c.case_no = ? and exists (select 1 from case_event e where e.case_no = c.case_no and e.type = ?)', [caseNo, 'statutory_period_applied']);
    expect(new Date(row!.deadline).getTime()).toBe(s.deadlineMs);
    const [event] = await orm.em.fork().getConnection().execute<{ payload: Record<string, unknown> }[]>("select payload from case_event where case_no = ? and type = 'statutory_period_applied'", [caseNo]);
    expect(event!.payload).toMatchObject({ stepIds: ['highway-review'], statutoryLimitWorkingDays: 15, promiseWorkingDays: 15, deadline: highway.deadline });
    // The three tasks are written by the steps' records, which may trail the state the query shows: wait for all three.
    const tasks = await waitForRows<{ department: string; automatic_report: unknown }>(
      orm,
      'select department, automatic_report from review_task where case_no = ? and (select count(*) from review_task where case_no = ?) = 3 order by department',
      [caseNo, caseNo],
    );
    expect(tasks.map((t) => t.department)).toEqual(['public_security', 'transport', 'urban_roads']);
    expect(tasks.every((t) => t.automatic_report !== null)).toBe(true);
    await handle.signal(withdrawSignal, { requestId: randomUUID(), reason: 'test done' });
    await handle.result();
  });
});
