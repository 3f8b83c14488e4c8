/**
 * Records complete histories into test/replay/histories/<version>-<name>.json, for the replay test that guards every
 * change to the workflow code: the happy path of each service, and (since v4) one history per branch of the workflow:
 * rejection, withdrawal, a supplement round trip, malformed signals ignored, needs_attention followed by an ops retry,
 * and, on the time-skipping test server, every timer (reminder, step limit escalation, case overdue) and a calendar
 * update that recomputes provisional deadlines. After an intentional, patched() change to the workflow, record the new
 * version beside the old ones (all must keep replaying):
 *   npx tsx test/replay/record-histories.ts v7 [name...]   (v7 added the branches category-iii and escalation)
 * v9 (local-activity records) recorded every name again: `npx tsx test/replay/record-histories.ts v9`.
 * It starts its own Temporal servers and a scratch PostgreSQL database, and removes them afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { PortalClient } from '../../infra/db/entities';
import { ensureDatabase, dropDatabase, migrate, openOrm } from '../../infra/db/orm';
import { seedDemoData } from '../../infra/db/seed';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { WorkflowHandle } from '@temporalio/client';
import {
  SEARCH_ATTRIBUTE_KEYS,
  calendarUpdatedSignal,
  opsRetrySignal,
  reviewDecisionSignal,
  supplementSignal,
  withdrawSignal,
  type CaseStateView,
} from '../../workflows/definitions';
import type { Department, ReviewDecision } from '../../domain/types';
import { registerSearchAttributes } from '../../infra/temporal/search-attributes';
import { freightCompanyApplication, oversizeCargoApplication, schoolBusApplication } from '../fixtures/applications';
import { installDbJam } from '../helpers/db-jam';
import { fixtureCalendarDir, makeWorker, openStep, service, submit, uniqueQueue, waitForState } from '../helpers/harness';
import { humanReviewOrder } from '../../infra/services/catalog';
import { freePort } from '../helpers/processes';
import { cliPath, testDatabaseUrl } from '../setup/paths';

async function main() {
  const version = process.argv[2] ?? '';
  if (!/^v\d+$/.test(version ?? '')) throw new Error('usage: record-histories.ts v<N> [name...] (the workflow version these histories are of)');
  // Optional names: record only these (e.g. after adding a branch), leaving the other files as they are.
  const only = process.argv.length > 3 ? process.argv.slice(3) : undefined;
  const dbUrl = testDatabaseUrl();
  await ensureDatabase(dbUrl);
  process.env.DATABASE_URL = dbUrl;
  const orm = await openOrm(dbUrl);
  await migrate(orm);
  await seedDemoData(orm);
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cliPath('TEMPORAL_CLI_PATH', 'temporal') }, searchAttributes: SEARCH_ATTRIBUTE_KEYS, extraArgs: ['--headless'] },
  });
  const taskQueue = uniqueQueue('record');
  const worker = await makeWorker(env, orm, taskQueue);
  const deps = { orm, client: env.client, taskQueue };
  const approve = (stepId: string, department: Department) => ({ decisionId: randomUUID(), stepId, department, decision: 'approve' as const, comment: 'ok', reviewer: `${department}-1` });
  const out = path.join(__dirname, 'histories');
  try {
    await worker.runUntil(async () => {
      const runs: [string, string, [string, Department][]][] = [
        // The plan as the catalogue has it (since v7 the joint review without a separate sign step).
        ['school-bus', (await submit(deps, 'SCHOOLBUS', schoolBusApplication())).caseNo, humanReviewOrder(service('SCHOOLBUS')).map(([d, id]) => [id, d])],
        ['freight-company', (await submit(deps, 'FREIGHTCO', freightCompanyApplication())).caseNo, [['transport-review', 'transport']]],
        ['oversize-cargo', (await submit(deps, 'OVERSIZE', oversizeCargoApplication())).caseNo, []],
      ];
      for (const [name, caseNo, plan] of runs) {
        if (only && !only.includes(name)) continue;
        const handle = env.client.workflow.getHandle(caseNo);
        for (const [stepId, dept] of plan) {
          if (name === 'school-bus' && stepId === 'transport-opinion') continue; // approved inside the supplement round
          await waitForState(handle, openStep(stepId));
          // The school-bus history also carries a supplement round: police ask, the applicant supplies, police approve.
          if (name === 'school-bus' && stepId === 'police-opinion') {
            await handle.signal(reviewDecisionSignal, { ...approve(stepId, dept), decision: 'request_supplement', missing: [{ material: 'route-plan', reason: 'stops' }] });
            await handle.signal(reviewDecisionSignal, approve('transport-opinion', 'transport'));
            await waitForState(handle, (s) => s.status === 'awaiting_supplement');
            await handle.signal(supplementSignal, { supplementId: randomUUID(), materials: [{ material: 'route-plan', reference: 'upload:r2' }] });
            await waitForState(handle, openStep(stepId));
          }
          await handle.signal(reviewDecisionSignal, approve(stepId, dept));
        }
        await handle.result();
        await save(out, version, name, handle);
      }
      for (const [name, run] of Object.entries(branches(deps, approve))) {
        if (only && !only.includes(name)) continue;
        await save(out, version, name, await run());
      }
    });
  } finally {
    await env.teardown();
  }
  try {
    if (!only || ['timers', 'calendar-update', 'webhook-abandoned', 'escalation'].some((n) => only.includes(n))) await recordClockBranches(orm, out, version, only);
  } finally {
    await orm.close();
    await dropDatabase(dbUrl);
  }
}

async function save(out: string, version: string, name: string, handle: WorkflowHandle): Promise<void> {
  const history = await handle.fetchHistory();
  fs.writeFileSync(path.join(out, `${version}-${name}.json`), JSON.stringify({ workflowId: handle.workflowId, history }, null, 1));
  console.log(`recorded ${name}: ${history.events?.length} events`);
}

type Deps = { orm: MikroORM; client: TestWorkflowEnvironment['client']; taskQueue: string };
type Approve = (stepId: string, department: Department) => ReviewDecision;

/** The branches on the dev server, each ending in a finished case. */
function branches(deps: Deps, approve: Approve): Record<string, () => Promise<WorkflowHandle>> {
  const freight = async () => {
    const handle = deps.client.workflow.getHandle((await submit(deps, 'FREIGHTCO', freightCompanyApplication())).caseNo);
    await waitForState(handle, openStep('transport-review'));
    return handle;
  };
  return {
    rejection: async () => {
      const handle = await freight();
      await handle.signal(reviewDecisionSignal, { ...approve('transport-review', 'transport'), decision: 'reject', comment: 'no parking site' });
      await handle.result();
      return handle;
    },
    withdrawal: async () => {
      const handle = await freight();
      await handle.signal(withdrawSignal, { requestId: randomUUID(), reason: 'company plans changed' });
      await handle.result();
      return handle;
    },
    supplement: async () => {
      const handle = await freight();
      await handle.signal(reviewDecisionSignal, { ...approve('transport-review', 'transport'), decision: 'request_supplement', missing: [{ material: 'parking-site', reason: 'lease expired' }] });
      await waitForState(handle, (s) => s.status === 'awaiting_supplement');
      await handle.signal(supplementSignal, { supplementId: randomUUID(), materials: [{ material: 'parking-site', reference: 'upload:lease-2' }] });
      await waitForState(handle, openStep('transport-review'));
      await handle.signal(reviewDecisionSignal, approve('transport-review', 'transport'));
      await handle.result();
      return handle;
    },
    'malformed-signals': async () => {
      const handle = await freight();
      const raw = <T>(v: unknown) => v as T;
      const valid = approve('transport-review', 'transport');
      await handle.signal(reviewDecisionSignal, raw<ReviewDecision>(null));
      await handle.signal(reviewDecisionSignal, raw<ReviewDecision>({}));
      await handle.signal(reviewDecisionSignal, raw<ReviewDecision>({ ...valid, decisionId: randomUUID(), decision: 'maybe' }));
      await handle.signal(reviewDecisionSignal, { ...valid, decisionId: randomUUID(), comment: 'bad\u0000comment' });
      await handle.signal(withdrawSignal, { requestId: randomUUID(), reason: 'lone \ud800 surrogate' });
      await handle.signal(supplementSignal, { supplementId: randomUUID(), materials: [{ material: 'parking-site', reference: 'http://elsewhere' }] });
      await handle.signal(calendarUpdatedSignal as never, raw<never>({ year: 2031 }));
      await handle.signal(opsRetrySignal, { requestId: randomUUID(), operator: 'ops-1' }); // nothing needs attention
      await waitForState(handle, (s) => s.timeline.filter((t) => t.type === 'signal_ignored').length === 8);
      await handle.signal(reviewDecisionSignal, valid);
      await handle.result();
      return handle;
    },
    // Since v7: a category III load; the highway permit alone gets 15 working days and the case promise follows it.
    'category-iii': async () => {
      const app = oversizeCargoApplication();
      Object.assign(app.form.loaded, { heightMm: 4600 });
      app.form.route.segmentIds = ['DEMO-R-001', 'DEMO-B-002'];
      const handle = deps.client.workflow.getHandle((await submit(deps, 'OVERSIZE', app)).caseNo);
      const steps: [string, Department][] = [['highway-review', 'transport'], ['urban-roads-review', 'urban_roads'], ['police-pass', 'public_security']];
      await waitForState(handle, (s) => steps.every(([id]) => openStep(id)(s)));
      for (const [id, dept] of steps) await handle.signal(reviewDecisionSignal, approve(id, dept));
      await handle.result();
      return handle;
    },
    'needs-attention': async () => {
      const jam = await installDbJam(deps.orm);
      try {
        const handle = await freight();
        await jam.jam(handle.workflowId, 'decision_applied', '22021'); // PostgreSQL refuses the write, as it refuses NUL
        await handle.signal(reviewDecisionSignal, approve('transport-review', 'transport'));
        await waitForState(handle, (s) => !!(s as CaseStateView).needsAttention);
        await jam.unjam(handle.workflowId, 'decision_applied');
        await handle.signal(opsRetrySignal, { requestId: randomUUID(), operator: 'ops-1', note: 'corrected' });
        await handle.result();
        return handle;
      } finally {
        await jam.remove();
      }
    },
  };
}

/**
 * The clock branches on the time-skipping test server, its clock moved to fixed dates in 2030 (the test-data
 * calendar), as test/integration/case-clocks.test.ts does.
 */
async function recordClockBranches(orm: MikroORM, out: string, version: string, only?: string[]): Promise<void> {
  const wanted = (name: string) => !only || only.includes(name);
  // A fresh server per scenario (as in the clock tests): its clock only moves forward, and when no case is running it
  // may skip ahead on its own.
  if (wanted('webhook-abandoned')) {
    await onTimeSkippingServer(orm, async ({ env, deps, dir }) => {
      // Since v5: the portal's callback is down; the finished case waits 10 minutes for its deliveries, then gives up.
      const port = await freePort(); // nobody listens there: every delivery is refused at once
      const clientId = `dead-portal-${randomUUID().slice(0, 8)}`;
      const em = orm.em.fork();
      em.create(PortalClient, { id: clientId, name: 'a portal that is down', callbackOrigins: [`http://127.0.0.1:${port}`], webhookSecret: randomUUID() + randomUUID(), allowPrivateCallbacks: true, createdAt: new Date() });
      await em.flush();
      const submission = { ...freightCompanyApplication(), webhookUrl: `http://127.0.0.1:${port}/hook`, portalClientId: clientId };
      const handle = env.client.workflow.getHandle((await submit(deps, 'FREIGHTCO', submission, await env.currentTimeMs(), dir)).caseNo);
      await waitForState(handle, openStep('transport-review'));
      await handle.signal(reviewDecisionSignal, { decisionId: randomUUID(), stepId: 'transport-review', department: 'transport', decision: 'approve', comment: 'ok', reviewer: 'transport-1' });
      await handle.result();
      await save(out, version, 'webhook-abandoned', handle);
    });
  }
  if (wanted('timers')) await onTimeSkippingServer(orm, async ({ env, deps, dir, skipTo }) => {
    // Reminder one working day before the step limit, escalation at it, case overdue at 5 working days.
    await skipTo('2030-09-23T10:00:00+08:00');
    const handle = env.client.workflow.getHandle((await submit(deps, 'FREIGHTCO', freightCompanyApplication(), await env.currentTimeMs(), dir)).caseNo);
    await waitForState(handle, openStep('transport-review'));
    await skipTo('2030-09-27T08:00:00+08:00');
    await waitForState(handle, (s) => s.steps.some((x) => x.reminded));
    await skipTo('2030-09-28T08:00:00+08:00');
    await waitForState(handle, (s) => s.steps.some((x) => x.escalated));
    await skipTo('2030-09-30T08:00:00+08:00');
    await waitForState(handle, (s) => s.overdue);
    await handle.signal(reviewDecisionSignal, { decisionId: randomUUID(), stepId: 'transport-review', department: 'transport', decision: 'approve', comment: 'late but ok', reviewer: 'transport-1' });
    await handle.result();
    await save(out, version, 'timers', handle);
  });
  if (wanted('escalation')) await onTimeSkippingServer(orm, async ({ env, deps, dir, skipTo }) => {
    // Since v7: the step limit escalates to the department head, and a working day later to the government office.
    await skipTo('2030-09-23T10:00:00+08:00');
    const handle = env.client.workflow.getHandle((await submit(deps, 'FREIGHTCO', freightCompanyApplication(), await env.currentTimeMs(), dir)).caseNo);
    await waitForState(handle, openStep('transport-review'));
    await skipTo('2030-09-28T08:00:00+08:00');
    await waitForState(handle, (s) => s.steps.some((x) => x.escalatedTo === 'department_head'));
    await skipTo('2030-09-30T08:00:00+08:00');
    await waitForState(handle, (s) => s.overdue && s.steps.some((x) => x.escalatedTo === 'government_office'));
    await handle.signal(reviewDecisionSignal, { decisionId: randomUUID(), stepId: 'transport-review', department: 'transport', decision: 'approve', comment: 'late but ok', reviewer: 'transport-1' });
    await handle.result();
    await save(out, version, 'escalation', handle);
  });
  if (wanted('calendar-update')) await onTimeSkippingServer(orm, async ({ env, deps, dir, skipTo }) => {
    // A deadline into a year without data is provisional; loading that year recomputes it.
    await skipTo('2030-12-26T10:00:00+08:00');
    const handle = env.client.workflow.getHandle((await submit(deps, 'FREIGHTCO', freightCompanyApplication(), await env.currentTimeMs(), dir)).caseNo);
    await waitForState(handle, (s) => openStep('transport-review')(s) && s.deadlineProvisional);
    fs.writeFileSync(
      path.join(dir, '2031.json'),
      JSON.stringify({ year: 2031, source: 'TEST DATA ONLY', holidays: [{ name: '测试元旦', from: '2031-01-01', to: '2031-01-03' }], makeupWorkdays: [] }),
    );
    await handle.signal(calendarUpdatedSignal);
    await waitForState(handle, (s) => !s.deadlineProvisional);
    await handle.signal(reviewDecisionSignal, { decisionId: randomUUID(), stepId: 'transport-review', department: 'transport', decision: 'approve', comment: 'ok', reviewer: 'transport-1' });
    await handle.result();
    await save(out, version, 'calendar-update', handle);
  });
}

interface ClockScenario {
  env: TestWorkflowEnvironment;
  deps: Deps;
  /** A calendar folder of the scenario's own (2030 test data): the calendar-update branch adds 2031. */
  dir: string;
  skipTo: (iso: string) => Promise<void>;
}

async function onTimeSkippingServer(orm: MikroORM, scenario: (s: ClockScenario) => Promise<void>): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: cliPath('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server') } },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-record-calendar-'));
  try {
    await registerSearchAttributes(env.connection, 'default');
    fs.copyFileSync(path.join(fixtureCalendarDir, '2030.json'), path.join(dir, '2030.json'));
    const taskQueue = uniqueQueue('record-clocks');
    const skipTo = async (iso: string) => {
      const delta = Date.parse(iso) - (await env.currentTimeMs());
      if (delta < 0) throw new Error(`the test server's clock is already past ${iso}`);
      await env.sleep(delta);
    };
    const worker = await makeWorker(env, orm, taskQueue, { calendarDir: dir });
    await worker.runUntil(scenario({ env, deps: { orm, client: env.client, taskQueue }, dir, skipTo }));
  } finally {
    await env.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
