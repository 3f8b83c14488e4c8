/**
 * No input can jam a case (issue 10, part 4), against the real Temporal dev server and PostgreSQL:
 * - malformed signals sent straight through the Temporal client are recorded as ignored, with a reason that does not
 *   echo their content, and the case completes normally afterwards, without a single failed workflow task;
 * - a deterministic activity failure flags the case needs_attention (state, case row, audit entry, search attribute)
 *   instead of failing it or retrying for ever, and an ops retry after the cause is corrected completes the case;
 * - a transient failure is retried and never flagged;
 * - an ID number with a birth date in the future makes the automatic check report a failing finding, not throw.
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { idCardWithCheck } from '../../domain/identifiers';
import type { Department, ReviewDecision, SupplementSubmission, WithdrawalRequest } from '../../domain/types';
import { humanReviewOrder } from '../../infra/services/catalog';
import {
  NeedsAttentionKey,
  calendarUpdatedSignal,
  caseStateQuery,
  reviewDecisionSignal,
  supplementSignal,
  withdrawSignal,
  type CaseStateView,
} from '../../workflows/definitions';
import { freightCompanyApplication, schoolBusApplication } from '../fixtures/applications';
import { startApi, token, type ApiHarness } from '../helpers/api-harness';
import { installDbJam, type DbJam } from '../helpers/db-jam';
import { calendarDir, connectTestEnv, openStep, openTestOrm, service, submit, testSigner, uniqueQueue, waitFor, waitForRows, waitForState } from '../helpers/harness';
import { createActivities } from '../../activities';
import { createCaseWorker } from '../../worker/create-worker';
import { WorkerMetrics } from '../../worker/metrics';

let env: TestWorkflowEnvironment;
let orm: MikroORM;
let worker: Worker;
let running: Promise<void>;
let jam: DbJam;
let api: ApiHarness;
/** The worker's activity attempt counters: local activities (the progress records since v9) retry inside the worker. */
const metrics = new WorkerMetrics();
const taskQueue = uniqueQueue('jam');

beforeAll(async () => {
  env = await connectTestEnv();
  orm = await openTestOrm();
  jam = await installDbJam(orm);
  // makeWorker's worker, with counters this file can read.
  worker = await createCaseWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createActivities({ orm, signer: testSigner(), calendarDir }),
    dataConverter: env.client.options.dataConverter,
    metrics,
  });
  running = worker.run();
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
  worker.shutdown();
  await running;
  await jam?.remove();
  await orm.close();
  await env.teardown();
});

const deps = () => ({ orm, client: env.client, taskQueue });
/** Failed attempts of an activity on this file's worker so far. */
async function failedAttempts(activity: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric('onestop_activity_attempts_total')?.get();
  return metric?.values.find((v) => v.labels.activity === activity && v.labels.outcome === 'failed')?.value ?? 0;
}
const db = () => orm.em.fork().getConnection();

function decision(stepId: string, department: Department, extra: Partial<ReviewDecision> = {}): ReviewDecision {
  return { decisionId: randomUUID(), stepId, department, decision: 'approve', comment: 'ok', reviewer: `${department}-reviewer`, ...extra };
}

async function failedWorkflowTasks(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
}

/** The workflow's attention flag (the harness types the query's result as the domain's CaseState). */
const attentionOf = (s: unknown) => (s as CaseStateView).needsAttention;

const SCHOOL_BUS_PLAN: [string, Department][] = humanReviewOrder(service('SCHOOLBUS')).map(([dept, step]) => [step, dept]);

describe('malformed signals', () => {
  it('are recorded as ignored with a reason that does not echo them; the case then completes normally', async () => {
    const { caseNo } = await submit(deps(), 'SCHOOLBUS', schoolBusApplication());
    const handle = env.client.workflow.getHandle(caseNo);
    await waitForState(handle, openStep('education-acceptance'));
    const valid = decision('education-acceptance', 'education');
    const secret = '张三 370802199001011234';
    // What a client that bypasses the API can send: the types say otherwise, the wire does not care.
    const raw = <T>(v: unknown) => v as T;
    await handle.signal(reviewDecisionSignal, raw<ReviewDecision>(null));
    await handle.signal(reviewDecisionSignal, raw<ReviewDecision>({}));
    await handle.signal(reviewDecisionSignal, raw<ReviewDecision>({ ...valid, decisionId: randomUUID(), decision: 'maybe' }));
    await handle.signal(reviewDecisionSignal, { ...valid, decisionId: randomUUID(), comment: `${secret}\u0000` });
    await handle.signal(withdrawSignal, raw<WithdrawalRequest>({ requestId: randomUUID(), reason: `${secret}\ud800` }));
    await handle.signal(supplementSignal, raw<SupplementSubmission>({ supplementId: randomUUID(), materials: [{ material: 'route-plan', reference: `http://${secret}` }] }));
    await handle.signal(calendarUpdatedSignal as never, raw<never>({ year: secret }));

    const rows = await waitFor('7 ignored signals', async () => {
      const r = await db().execute<{ payload: { signal: string; reason: string } }[]>("select payload from case_event where case_no = ? and type = 'signal_ignored' order by seq", [caseNo]);
      return r.length >= 7 ? r : undefined;
    });
    expect(rows.map((r) => r.payload.signal)).toEqual(['reviewDecision', 'reviewDecision', 'reviewDecision', 'reviewDecision', 'withdraw', 'supplementSubmitted', 'calendarUpdated']);
    const reasons = rows.map((r) => r.payload.reason);
    expect(reasons[0]).toMatch(/^payload: .*expected object, received null/);
    expect(reasons[1]).toMatch(/decisionId: .*stepId: /s);
    expect(reasons[2]).toMatch(/^decision: Invalid option/);
    expect(reasons[3]).toMatch(/^comment: contains a NUL character/);
    expect(reasons[4]).toMatch(/^reason: contains an unpaired surrogate/);
    expect(reasons[5]).toMatch(/^materials\.0\.reference: /);
    expect(reasons[6]).toBe('payload: calendarUpdated carries no payload');
    const everything = JSON.stringify(await db().execute('select type, actor, payload from case_event where case_no = ?', [caseNo]));
    expect(everything).not.toContain('张三');
    expect(everything).not.toContain('3708021990');

    // Nothing was applied: the step is still open for its department, the case still in review.
    const s = await handle.query(caseStateQuery);
    expect(s.status).toBe('in_review');
    const step = s.steps.find((x) => x.id === 'education-acceptance')!;
    expect(step.status).toBe('open');
    expect(step.decisions.map((x) => x.decision)).toEqual(['automatic']); // the condition check's, nobody else's

    for (const [stepId, dept] of SCHOOL_BUS_PLAN) {
      await waitForState(handle, openStep(stepId));
      await handle.signal(reviewDecisionSignal, decision(stepId, dept));
    }
    expect((await handle.result()).status).toBe('completed');
    expect(await failedWorkflowTasks(handle)).toBe(0);
  });

  it('the duplicate and late handling is unchanged: a valid decision twice is applied once', async () => {
    const { caseNo } = await submit(deps(), 'FREIGHTCO', freightCompanyApplication());
    const handle = env.client.workflow.getHandle(caseNo);
    await waitForState(handle, openStep('transport-review'));
    const d = decision('transport-review', 'transport');
    await handle.signal(reviewDecisionSignal, d);
    await handle.signal(reviewDecisionSignal, d);
    expect((await handle.result()).status).toBe('completed');
    const events = await waitForRows<{ type: string }>(orm, "select type from case_event where case_no = ? and type = 'decision_ignored'", [caseNo]);
    expect(events).toHaveLength(1);
  });
});

describe('a deterministic activity failure', () => {
  it('flags the case needs_attention, waits for ops, and an ops retry after the correction completes it', async () => {
    const { caseNo } = await submit(deps(), 'FREIGHTCO', freightCompanyApplication());
    const handle = env.client.workflow.getHandle(caseNo);
    await waitForState(handle, openStep('transport-review'));
    // Not flagged yet: ops cannot retry a case that does not need attention.
    const early = await api.call('POST', `/cases/${caseNo}/retry`, { token: token('ops'), body: {} });
    expect(early.status).toBe(409);

    // PostgreSQL refuses the decision's audit entry as it refuses text with NUL (SQLSTATE 22021).
    await jam.jam(caseNo, 'decision_applied', '22021');
    await handle.signal(reviewDecisionSignal, decision('transport-review', 'transport'));
    const flagged = attentionOf(await waitForState(handle, (s) => !!attentionOf(s)))!;
    expect(flagged.reason).toBe('InvalidData in recordCaseProgress decision_applied');
    expect(flagged.since).toMatch(/\+08:00$/);
    const row = await waitFor('the case row flag', async () => {
      const r = await db().execute<{ attention_reason: string | null; attention_since: Date | null }[]>('select attention_reason, attention_since from one_stop_case where case_no = ?', [caseNo]);
      return r[0]?.attention_reason ? r[0] : undefined;
    });
    expect(row.attention_reason).toBe('InvalidData in recordCaseProgress decision_applied');
    expect(row.attention_since).not.toBeNull();
    await waitFor('the NeedsAttention search attribute', async () => ((await handle.describe()).typedSearchAttributes.get(NeedsAttentionKey) === true ? true : undefined));
    const audit = await waitForRows<{ payload: { reason: string } }>(orm, "select payload from case_event where case_no = ? and type = 'needs_attention'", [caseNo]);
    expect(audit[0]!.payload.reason).toBe('InvalidData in recordCaseProgress decision_applied');

    // It does not retry by itself: one failed attempt, no pending activity, the workflow still running.
    const described = await handle.describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.raw.pendingActivities ?? []).toHaveLength(0);
    // The failure recorded in Temporal carries no SQL and no parameters: since v9 the write is a local activity, whose
    // failure is in its marker (before, an activity's failed event).
    const events = (await handle.fetchHistory()).events ?? [];
    const failed = events.flatMap((e) => {
      const marker = e.markerRecordedEventAttributes;
      if (marker?.markerName === 'core_local_activity' && marker.failure) return [marker.failure];
      return e.activityTaskFailedEventAttributes?.failure ? [e.activityTaskFailedEventAttributes.failure] : [];
    });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.applicationFailureInfo ?? failed[0]!.cause?.applicationFailureInfo).toMatchObject({ type: 'InvalidData', nonRetryable: true });
    expect(JSON.stringify(events)).not.toMatch(/insert into|test jam|case_event/);

    // A retry before the cause is corrected fails the same way and flags the case again.
    const first = await api.call('POST', `/cases/${caseNo}/retry`, { token: token('ops'), body: { note: 'trying once more' } });
    expect(first.status).toBe(202);
    await waitFor('a second needs_attention entry', async () => {
      const r = await db().execute<{ n: string }[]>("select count(*) as n from case_event where case_no = ? and type = 'needs_attention'", [caseNo]);
      return Number(r[0]!.n) >= 2 ? true : undefined;
    });
    await waitForState(handle, (s) => !!attentionOf(s));

    // Corrected: the retry writes the decision and the case completes.
    await jam.unjam(caseNo, 'decision_applied');
    const portal = await api.call('POST', `/cases/${caseNo}/retry`, { token: token('portal'), body: {} });
    expect(portal.status).toBe(403);
    const retry = await api.call('POST', `/cases/${caseNo}/retry`, { token: token('ops'), body: { note: 'jam removed' } });
    expect(retry.status).toBe(202);
    const outcome = await handle.result();
    expect(outcome.status).toBe('completed');
    const done = await handle.query(caseStateQuery);
    expect(done.needsAttention).toBeUndefined();
    expect(done.steps.find((s) => s.id === 'transport-review')!.status).toBe('approved');
    expect((await handle.describe()).typedSearchAttributes.get(NeedsAttentionKey)).toBe(false);
    const after = await db().execute<{ attention_reason: string | null; status: string }[]>('select attention_reason, status from one_stop_case where case_no = ?', [caseNo]);
    expect(after[0]).toEqual({ attention_reason: null, status: 'completed' });
    const types = (await db().execute<{ type: string; actor: string | null }[]>('select type, actor from case_event where case_no = ? order by seq', [caseNo]));
    expect(types.filter((t) => t.type === 'attention_retry').map((t) => t.actor)).toEqual(['ops-x', 'ops-x']);
    expect(types.filter((t) => t.type === 'decision_applied')).toHaveLength(1);
    expect(await failedWorkflowTasks(handle)).toBe(0);
  });
});

describe('a transient activity failure', () => {
  it('is retried until PostgreSQL accepts the write, and never flags the case', async () => {
    const { caseNo } = await submit(deps(), 'FREIGHTCO', freightCompanyApplication());
    const handle = env.client.workflow.getHandle(caseNo);
    await waitForState(handle, openStep('transport-review'));
    await jam.jam(caseNo, 'decision_applied', '40001'); // serialization failure
    const failedBefore = await failedAttempts('recordCaseProgress');
    await handle.signal(reviewDecisionSignal, decision('transport-review', 'transport'));
    // A local activity (v9) retries inside the worker: two failed attempts of the write, and the case not flagged.
    await waitFor('a second failed attempt of recordCaseProgress', async () => ((await failedAttempts('recordCaseProgress')) >= failedBefore + 2 ? true : undefined));
    expect(attentionOf(await handle.query(caseStateQuery))).toBeUndefined();
    await jam.unjam(caseNo, 'decision_applied');
    expect((await handle.result()).status).toBe('completed');
    const flagged = await db().execute<{ n: string }[]>("select count(*) as n from case_event where case_no = ? and type = 'needs_attention'", [caseNo]);
    expect(Number(flagged[0]!.n)).toBe(0);
    expect((await handle.describe()).typedSearchAttributes.get(NeedsAttentionKey)).toBeUndefined();
  });
});

describe('automatic checks on bad data', () => {
  it('an ID number with a birth date in the future is a failing finding for a person, not an exception', async () => {
    const application = schoolBusApplication();
    const form = application.form as { driver: { idCard: string } };
    form.driver.idCard = idCardWithCheck('37080220990101123'); // born 2099-01-01: valid check character, future date
    const { caseNo } = await submit(deps(), 'SCHOOLBUS', application);
    const handle = env.client.workflow.getHandle(caseNo);
    const s = await waitForState(handle, openStep('education-acceptance'));
    const check = s.steps.find((x) => x.id === 'education-acceptance')!.check!;
    expect(check.verdict).toBe('needs_review');
    expect(check.reasons).toContain('driver age 25-60: the ID number gives no valid birth date');
    expect(attentionOf(s)).toBeUndefined();
    await handle.signal(withdrawSignal, { requestId: randomUUID(), reason: 'test done' });
    expect((await handle.result()).status).toBe('withdrawn');
  });
});
