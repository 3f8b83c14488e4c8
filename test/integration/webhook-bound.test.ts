/**
 * A finished case does not wait on a dead portal (issue 10): deliveries to a callback that never answers are retried,
 * but the case's workflow closes after a bounded wait (10 minutes) and the audit log says the deliveries were
 * abandoned. On Temporal's time-skipping test server, so the retries and the wait take no real time.
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { PortalClient } from '../../infra/db/entities';
import { registerSearchAttributes } from '../../infra/temporal/search-attributes';
import { reviewDecisionSignal } from '../../workflows/definitions';
import { freightCompanyApplication } from '../fixtures/applications';
import { fixtureCalendarDir, makeWorker, openStep, openTestOrm, submit, uniqueQueue, waitForState } from '../helpers/harness';
import { freePort } from '../helpers/processes';
import { cliPath } from '../setup/paths';

let env: TestWorkflowEnvironment;
let orm: MikroORM;

beforeAll(async () => {
  orm = await openTestOrm();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: cliPath('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server') } },
  });
  await registerSearchAttributes(env.connection, 'default');
});

afterAll(async () => {
  await env?.teardown();
  await orm.close();
});

it('a completed case closes after a bounded wait for a dead portal, and records the abandoned deliveries', async () => {
  const port = await freePort(); // nobody listens there: every delivery is refused at once
  const clientId = `dead-portal-${randomUUID().slice(0, 8)}`;
  const em = orm.em.fork();
  em.create(PortalClient, {
    id: clientId,
    name: 'a portal that is down',
    callbackOrigins: [`http://127.0.0.1:${port}`],
    webhookSecret: randomUUID() + randomUUID(),
    allowPrivateCallbacks: true,
    createdAt: new Date(),
  });
  await em.flush();

  const taskQueue = uniqueQueue('webhook-bound');
  const worker = await makeWorker(env, orm, taskQueue, { calendarDir: fixtureCalendarDir });
  await worker.runUntil(async () => {
    const { caseNo } = await submit(
      { orm, client: env.client, taskQueue },
      'FREIGHTCO',
      { ...freightCompanyApplication(), webhookUrl: `http://127.0.0.1:${port}/hook`, portalClientId: clientId },
      await env.currentTimeMs(),
      fixtureCalendarDir,
    );
    const handle = env.client.workflow.getHandle(caseNo);
    await waitForState(handle, openStep('transport-review'));
    await handle.signal(reviewDecisionSignal, {
      decisionId: randomUUID(),
      stepId: 'transport-review',
      department: 'transport',
      decision: 'approve',
      comment: 'approve',
      reviewer: 'transport-1',
    });
    // Without the bound, the workflow would wait for the deliveries' 24-hour schedule-to-close.
    const outcome = await handle.result();
    expect(outcome.status).toBe('completed');

    const c = orm.em.fork().getConnection();
    const events = await c.execute<{ type: string; at: Date }[]>('select type, at from case_event where case_no = ? order by seq', [caseNo]);
    expect(events.map((e) => e.type).slice(-2)).toEqual(['case_completed', 'webhooks_abandoned']);
    // Workflow time between completion and giving up: the bound, not the deliveries' day.
    const waitedMs = new Date(events.at(-1)!.at).getTime() - new Date(events.at(-2)!.at).getTime();
    expect(waitedMs).toBeGreaterThanOrEqual(10 * 60_000);
    expect(waitedMs).toBeLessThan(11 * 60_000);
    const attempts = await c.execute<{ n: string }[]>('select count(*) as n from webhook_delivery where case_no = ? and error is not null', [caseNo]);
    expect(Number(attempts[0]!.n)).toBeGreaterThan(1); // retried before it was abandoned
  });
});
