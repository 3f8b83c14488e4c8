/**
 * The activity error classifier: deterministic database and data errors become non-retryable typed failures; transient
 * ones stay retryable; no failure message carries SQL, parameters or values.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DeadlockException, DriverException, NotNullConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { classified, classifyError, isDatabaseError } from '../../activities/errors';
import { createCalendarActivities } from '../../activities/calendar';
import { unevaluable } from '../../activities/checks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PERSONAL = '张三';
const SQL = `insert into case_event (case_no, seq, payload) values ('JN-X', 3, '{"comment":"${PERSONAL} 370802199001011234"}') - invalid byte sequence`;

/** What pg + MikroORM throw: the SQL with its parameters in the message, PostgreSQL's fields copied onto the error. */
function driverError<T extends typeof DriverException>(Kind: T, fields: Record<string, unknown>): InstanceType<T> {
  const pgError = Object.assign(new Error(SQL), { detail: `Key (name)=(${PERSONAL}) already exists.`, ...fields });
  return new Kind(pgError) as InstanceType<T>;
}

describe('classifyError', () => {
  it.each([
    ['22021 invalid byte sequence (NUL)', '22021', 'InvalidData'],
    ['22P05 unsupported Unicode escape (\\u0000 in jsonb)', '22P05', 'InvalidData'],
    ['22003 numeric value out of range', '22003', 'InvalidData'],
    ['22001 string too long for varchar(n)', '22001', 'InvalidData'],
    ['42703 undefined column (migration missing)', '42703', 'SchemaMismatch'],
  ])('%s is deterministic: %s', (_what, code, type) => {
    const c = classifyError(driverError(DriverException, { code }), 'recordCaseProgress');
    expect(c).toMatchObject({ type, retryable: false, sqlState: code });
  });

  it('a constraint violation is deterministic and names the constraint, never the values', () => {
    const err = driverError(UniqueConstraintViolationException, { code: '23505', constraint: 'certificate_pkey' });
    const c = classifyError(err, 'issueCertificates');
    expect(c).toMatchObject({ type: 'ConstraintViolation', retryable: false, sqlState: '23505', constraint: 'certificate_pkey' });
    expect(c.message).toBe('a database constraint refused the write in issueCertificates (SQLSTATE 23505, constraint certificate_pkey)');
    const notNull = classifyError(driverError(NotNullConstraintViolationException, { code: '23502' }), 'x');
    expect(notNull).toMatchObject({ type: 'ConstraintViolation', retryable: false });
  });

  it.each([
    ['40001 serialization failure', '40001'],
    ['40P01 deadlock', '40P01'],
    ['57P01 admin shutdown (PostgreSQL restarting)', '57P01'],
    ['57P03 cannot connect now (starting up)', '57P03'],
    ['08006 connection failure', '08006'],
    ['53300 too many connections', '53300'],
    ['55P03 lock not available', '55P03'],
  ])('%s is transient', (_what, code) => {
    expect(classifyError(driverError(DeadlockException, { code }), 'recordCaseProgress')).toMatchObject({ type: 'DatabaseUnavailable', retryable: true });
  });

  it('a refused connection is transient', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(classifyError(refused, 'recordCaseProgress')).toMatchObject({ type: 'DatabaseUnavailable', retryable: true });
    expect(isDatabaseError(refused)).toBe(true);
    const pool = Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' });
    expect(classifyError(pool, 'x')).toMatchObject({ retryable: true });
  });

  it('data the domain refuses (RangeError) and bugs on this data (TypeError) are deterministic', () => {
    expect(classifyError(new RangeError('Invalid date'), 'issueCertificates')).toMatchObject({ type: 'InvalidData', retryable: false });
    expect(classifyError(new TypeError("Cannot read properties of null (reading 'plate')"), 'issueCertificates')).toMatchObject({ type: 'ActivityBug', retryable: false });
    expect(isDatabaseError(new RangeError('x'))).toBe(false);
  });

  it('no message carries the SQL, its parameters or PostgreSQL detail', () => {
    for (const code of ['22021', '23505', '42703', '40001', 'XX000', '28P01']) {
      const c = classifyError(driverError(DriverException, { code, constraint: "x'; drop" }), 'recordCaseProgress');
      expect(c.message).not.toMatch(/insert|case_event|JN-X|张三|3708|Key \(/);
      expect(c.constraint).toBeUndefined(); // not a plain identifier: dropped
    }
  });
});

describe('classified activities', () => {
  const env = new MockActivityEnvironment();

  it('throw a non-retryable typed ApplicationFailure for a deterministic error, with a safe message', async () => {
    const act = classified('recordCaseProgress', async () => {
      throw driverError(DriverException, { code: '22021' });
    });
    const err = await env.run(act).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidData', nonRetryable: true });
    expect((err as Error).message).toBe('PostgreSQL refused the data in recordCaseProgress (SQLSTATE 22021)');
  });

  it('throw a retryable typed failure for a transient error', async () => {
    const act = classified('recordCaseProgress', async () => {
      throw driverError(DeadlockException, { code: '40001' });
    });
    expect(await env.run(act).catch((e: unknown) => e)).toMatchObject({ type: 'DatabaseUnavailable', nonRetryable: false });
  });

  it('pass an ApplicationFailure through, and leave the activity\'s own plain errors (retryable) alone', async () => {
    const typed = ApplicationFailure.nonRetryable('case JN-1 not found', 'CaseNotFound');
    expect(await env.run(classified('a', async () => Promise.reject(typed))).catch((e: unknown) => e)).toBe(typed);
    const own = new Error('webhook delivery failed: HTTP 503');
    expect(await env.run(classified('a', async () => Promise.reject(own))).catch((e: unknown) => e)).toBe(own);
  });

  it('return what the activity returns', async () => {
    expect(await env.run(classified('a', async (x: number) => x + 1), 1)).toBe(2);
  });
});

describe('calendar and checks', () => {
  const env = new MockActivityEnvironment();

  it('a calendar file that does not parse is a non-retryable InvalidCalendar', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-bad-calendar-'));
    fs.writeFileSync(path.join(dir, '2030.json'), '{"year": 2030, "holidays": [');
    const { loadCalendar } = createCalendarActivities({ calendarDir: dir });
    const err = await env.run(loadCalendar).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'InvalidCalendar', nonRetryable: true });
    expect((err as Error).message).toMatch(/^the working-day calendar cannot be loaded: SyntaxError/);
  });

  it('a check that cannot evaluate the data yields a needs_review verdict naming only the error class', () => {
    const v = unevaluable(new RangeError(`Invalid date '${PERSONAL}'`));
    expect(v).toMatchObject({ verdict: 'needs_review', hardRefusal: false });
    expect(JSON.stringify(v)).not.toContain(PERSONAL);
    expect(v.reasons[0]).toContain('RangeError');
  });
});
