/**
 * The retention purge on the real Temporal server and PostgreSQL: old rows are created, the schedule is created
 * idempotently (twice: created, then updated) and triggered, and its run purges expired personal data of ended cases
 * and expired archived applications while keeping the audit log, certificates, open cases and anything recent.
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createRetentionActivities, PURGED_FORM_KEY } from '../../activities/retention';
import { creditCodeWithCheck, idCardWithCheck } from '../../domain/identifiers';
import { ensureRetentionSchedule } from '../../worker/schedules';
import { retentionPurgeWorkflow, type RetentionPurgeResult } from '../../workflows/retention';
import { connectTestEnv, makeWorker, openTestOrm, uniqueQueue, waitFor } from '../helpers/harness';

let env: TestWorkflowEnvironment;
let orm: MikroORM;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueQueue('retention');
const scheduleId = `retention-test-${randomUUID().slice(0, 8)}`;
const tag = randomUUID().slice(0, 8).toUpperCase();
const COMPANY = creditCodeWithCheck('91370800MA3C00070');
const PERSON = idCardWithCheck('37080219800101002');
const DAY = 86_400_000;
const OLD = new Date(Date.now() - 800 * DAY); // beyond the 365-day case retention, within the 1095-day archive one
const ANCIENT = new Date(Date.now() - 1200 * DAY); // beyond both
const RECENT = new Date(Date.now() - 10 * DAY);
const RETENTION = { caseDays: 365, archiveDays: 1095 };

const sql = <T = Record<string, unknown>>(q: string, p: unknown[] = []) => orm.em.fork().getConnection().execute<T[]>(q, p);
const no = (name: string) => `RT-${tag}-${name}`;

async function insertCase(name: string, o: { status: string; acceptedAt: Date; completedAt: Date | null; applicantKey?: string }) {
  const form = { applicant: { creditCode: o.applicantKey ?? COMPANY, name: '济宁留存测试有限公司', legalRepresentative: '赵六', contactPhone: '13800001111' } };
  await sql(
    `insert into one_stop_case (case_no, service_code, definition_version, idempotency_key, request_hash, applicant_key, applicant_name,
       applicant_subject, channel, status, form, accepted_at, completed_at, webhook_url, evaluation_stars, evaluation_comment, updated_at)
     values (?, 'FREIGHTCO', 1, ?, 'h', ?, '济宁留存测试有限公司', ?, 'online', ?, ?, ?, ?, 'https://portal.example.cn/hook', 5, '办事员很耐心 赵六', ?)`,
    [no(name), `rt-${tag}-${name}`, o.applicantKey ?? COMPANY, o.applicantKey ?? COMPANY, o.status, JSON.stringify(form), o.acceptedAt, o.completedAt, o.acceptedAt],
  );
  await sql(`insert into case_event (case_no, seq, type, actor, payload, at) values (?, 1, 'case_accepted', 'portal', '{}', ?)`, [no(name), o.acceptedAt]);
}

async function insertArchive(name: string, archivedAt: Date) {
  await sql(`insert into archived_application (applicant_key, service_code, case_no, data, archived_at) values (?, 'FREIGHTCO', ?, ?, ?)`, [
    COMPANY,
    no(name),
    JSON.stringify({ applicant: { name: '济宁留存测试有限公司', contactPhone: '13800001111' } }),
    archivedAt,
  ]);
}

beforeAll(async () => {
  env = await connectTestEnv();
  orm = await openTestOrm();
  worker = await makeWorker(env, orm, taskQueue);
  running = worker.run();
  await insertCase('completed-old', { status: 'completed', acceptedAt: OLD, completedAt: OLD });
  await insertCase('rejected-old', { status: 'rejected', acceptedAt: OLD, completedAt: OLD });
  await insertCase('withdrawn-old', { status: 'withdrawn', acceptedAt: OLD, completedAt: OLD });
  await insertCase('person-old', { status: 'completed', acceptedAt: ANCIENT, completedAt: ANCIENT, applicantKey: PERSON });
  await insertCase('completed-recent', { status: 'completed', acceptedAt: RECENT, completedAt: RECENT });
  await insertCase('open-old', { status: 'in_review', acceptedAt: OLD, completedAt: null });
  await insertArchive('completed-old', OLD);
  await insertArchive('person-old', ANCIENT);
  await insertArchive('withdrawn-old', ANCIENT);
  await insertArchive('completed-recent', RECENT);
  await sql(
    `insert into certificate (no, case_no, type, subject_key, holder_key, holder_name, authority, fields, valid_from, valid_until, issued_at,
       payload, signature, key_id, verification_code) values (?, ?, 'road-transport-operating-permit', 'case', ?, '济宁留存测试有限公司', '济宁市交通运输局',
       '{}', ?, ?, ?, '{}', 'sig', 'test-key', ?)`,
    [`${no('completed-old')}-C1`, no('completed-old'), COMPANY, OLD, new Date(OLD.getTime() + 1400 * DAY), OLD, `RT${tag}${'A'.repeat(14)}`],
  );
});

afterAll(async () => {
  await env?.client.schedule.getHandle(scheduleId).delete().catch(() => undefined);
  worker?.shutdown();
  await running;
  await orm?.close();
  await env?.teardown();
});

const caseRow = async (name: string) =>
  (await sql<{ form: Record<string, unknown>; applicant_name: string; applicant_key: string; applicant_subject: string | null; webhook_url: string | null; evaluation_comment: string | null; evaluation_stars: number; status: string }>(
    'select form, applicant_name, applicant_key, applicant_subject, webhook_url, evaluation_comment, evaluation_stars, status from one_stop_case where case_no = ?',
    [no(name)],
  ))[0]!;
const archives = async () => (await sql<{ case_no: string }>('select case_no from archived_application where case_no like ? order by case_no', [`RT-${tag}-%`])).map((r) => r.case_no);

describe('retention purge', () => {
  it('the schedule is created once and updated on the next start, with the configured retention', async () => {
    const opts = { taskQueue, retention: RETENTION, scheduleId, batchSize: 2 };
    expect(await ensureRetentionSchedule(env.client, opts)).toBe('created');
    expect(await ensureRetentionSchedule(env.client, opts)).toBe('updated');
    const desc = await env.client.schedule.getHandle(scheduleId).describe();
    expect(desc.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionPurgeWorkflow', taskQueue });
    expect(desc.action.args).toEqual([{ caseRetentionDays: 365, archiveRetentionDays: 1095, batchSize: 2 }]);
    expect(desc.spec.timezone).toBe('Asia/Shanghai');
  });

  it('a triggered run purges expired personal data and keeps records, open cases and recent data', async () => {
    const handle = env.client.schedule.getHandle(scheduleId);
    await handle.trigger();
    const workflowId = await waitFor('the scheduled run', async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId);
    const result: RetentionPurgeResult = await env.client.workflow.getHandle(workflowId).result();
    expect(result.casesPurged).toBeGreaterThanOrEqual(4);
    expect(result.archivedDeleted).toBeGreaterThanOrEqual(2);
    expect(result.batches).toBeGreaterThanOrEqual(3); // batches of 2
    expect(result.capped).toBe(false);

    for (const name of ['completed-old', 'rejected-old', 'withdrawn-old', 'person-old']) {
      const row = await caseRow(name);
      expect(Object.keys(row.form)).toEqual([PURGED_FORM_KEY]);
      expect(row).toMatchObject({ applicant_name: '', applicant_subject: null, webhook_url: null, evaluation_comment: null });
      expect(row.evaluation_stars).toBe(5); // statistics stay
      expect(JSON.stringify(row)).not.toMatch(/赵六|13800001111|留存测试|portal\.example/);
    }
    // An organisation's credit code is public record and stays; a person's ID number is masked.
    expect((await caseRow('completed-old')).applicant_key).toBe(COMPANY);
    expect((await caseRow('person-old')).applicant_key).toBe(`${PERSON.slice(0, 4)}**********${PERSON.slice(-4)}`);

    // Kept: a case that ended recently, a case still open, archives within their retention, the audit log, certificates.
    for (const name of ['completed-recent', 'open-old']) expect((await caseRow(name)).form).toHaveProperty('applicant.legalRepresentative', '赵六');
    expect(await archives()).toEqual([no('completed-old'), no('completed-recent')]);
    expect(await sql('select seq from case_event where case_no like ?', [`RT-${tag}-%`])).toHaveLength(6);
    expect(await sql('select holder_name from certificate where case_no = ?', [no('completed-old')])).toEqual([{ holder_name: '济宁留存测试有限公司' }]);
  });

  it('a second run (the workflow started directly) purges nothing again and changes no purged row', async () => {
    const before = await caseRow('completed-old');
    await env.client.workflow.execute(retentionPurgeWorkflow, {
      workflowId: `retention-direct-${tag}`,
      taskQueue,
      args: [{ caseRetentionDays: 365, archiveRetentionDays: 1095, batchSize: 2 }],
    });
    expect(await caseRow('completed-old')).toEqual(before);
    expect(await archives()).toEqual([no('completed-old'), no('completed-recent')]);
  });

  it('a retention of zero days is refused, not applied (it would wipe cases that just ended)', async () => {
    const acts = createRetentionActivities({ orm });
    await expect(new MockActivityEnvironment().run(acts.purgeExpiredPersonalData, { caseRetentionDays: 0, archiveRetentionDays: 1095, batchSize: 10 })).rejects.toMatchObject({
      type: 'InvalidRetentionConfig',
      nonRetryable: true,
    });
    expect((await caseRow('completed-recent')).form).toHaveProperty('applicant.name');
  });
});
