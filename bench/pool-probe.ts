/**
 * A probe for a connection-pool deadlock found while building the benchmark (reported, not fixed here: the code is
 * not the benchmark's). `recordCaseProgress` (activities/case-records.ts) and `submitCase` (api/case-intake.ts) open
 * a transaction with `em.transactional(...)`, which holds one pooled connection, then run their statements with
 * `tx.getConnection().execute(sql, params)` without the transaction context: each statement takes a *second* pooled
 * connection and runs outside the transaction. With 10 or more of them at once (the pool's max is 10) every
 * connection is held by an idle transaction and every statement waits for a connection: nothing moves until knex's
 * 60 s acquire timeout fails them all.
 *
 * The probe runs each function once against a pool of ONE connection: a correct implementation finishes, the
 * deadlocking one is still waiting after a few seconds. The bench and the drills use the result to keep fewer than 10
 * of these transactions open at once (WORKER_MAX_ACTIVITIES=8, at most 8 submissions in flight) while the bug is
 * there, and say so in their output.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCaseRecordActivities } from '../activities/case-records';
import { submitCase } from '../api/case-intake';
import { freightCompanyExample } from '../api/schemas/examples';
import { loadWorkingDayCalendar } from '../infra/calendar-store';
import { loadConfig } from '../infra/config';
import { openOrm } from '../infra/db/orm';
import { loadServiceCatalog } from '../infra/services/catalog';

export interface PoolProbe {
  recordCaseProgress: 'ok' | 'deadlocks';
  submitCase: 'ok' | 'deadlocks';
}

class StartReached extends Error {}

/** True when `work` got through; false when it could not get a second connection (knex's acquire timeout) or hung. */
async function finishes(work: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = work().then(
    () => true,
    (err: unknown) => err instanceof StartReached || !/Timeout acquiring a connection/i.test(String((err as Error)?.message)),
  );
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// One pooled connection, and a short acquire timeout so that a waiting statement fails fast (and frees the pool).
const ONE_CONNECTION = { pool: { min: 0, max: 1 }, driverOptions: { acquireConnectionTimeout: 1500 } };

export async function probePoolDeadlock(databaseUrl: string): Promise<PoolProbe> {
  const caseNo = `PROBE-${randomUUID().slice(0, 8)}`;
  const orm1 = await openOrm(databaseUrl, ONE_CONNECTION);
  let record: boolean;
  try {
    const acts = createCaseRecordActivities({ orm: orm1 });
    record = await finishes(
      () =>
        new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR', () => undefined) }).run(acts.recordCaseProgress, {
          caseNo,
          seq: 1,
          type: 'probe',
          actor: null,
          payload: {},
          atMs: Date.now(),
          snapshot: { status: 'in_review' as const, pendingDepartments: [], deadlineMs: Date.now(), deadlineProvisional: false, overdue: false, pausedWorkingDays: 0, completedAtMs: null, reasons: [] },
        }),
      10_000,
    );
  } finally {
    await orm1.close(true).catch(() => undefined);
  }

  const orm2 = await openOrm(databaseUrl, ONE_CONNECTION);
  let submit: boolean;
  try {
    const cfg = loadConfig();
    const def = loadServiceCatalog().get('FREIGHTCO')!;
    const { serviceCode: _code, ...body } = freightCompanyExample();
    // A stand-in Temporal client: reaching workflow.start means the transaction went through.
    const client = { workflow: { start: () => Promise.reject(new StartReached('probe')) } } as unknown as Client;
    submit = await finishes(
      () =>
        submitCase(
          { orm: orm2, client, taskQueue: 'probe', calendar: loadWorkingDayCalendar(cfg.calendarDir) },
          def,
          { ...body, idempotencyKey: `probe-${randomUUID()}`, form: body.form as never },
        ),
      10_000,
    );
  } finally {
    await orm2.close(true).catch(() => undefined);
  }

  // Leave nothing behind.
  const orm = await openOrm(databaseUrl);
  try {
    await orm.em.fork().getConnection().execute('delete from case_event where case_no = ?', [caseNo]);
  } finally {
    await orm.close();
  }
  return { recordCaseProgress: record ? 'ok' : 'deadlocks', submitCase: submit ? 'ok' : 'deadlocks' };
}
