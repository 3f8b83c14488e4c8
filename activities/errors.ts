/**
 * One place that decides whether an activity's error can go away by retrying. Deterministic errors (data PostgreSQL
 * refuses, a constraint that is not an idempotency hit, a schema the code does not match, a calendar file that does not
 * parse, a bug on this data) become `ApplicationFailure.nonRetryable` with an explicit type: the workflow flags the case
 * `needs_attention` and waits for ops instead of retrying for ever. Transient errors (PostgreSQL down or restarting,
 * serialization failures, lock timeouts) stay retryable.
 *
 * Messages: MikroORM's DriverException message carries the SQL statement with its parameters, and PostgreSQL's
 * `detail` repeats the offending values (personal data). None of it leaves here: failures and log lines carry only the
 * activity, the SQLSTATE, the constraint name and the error class.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { FailureTypes } from '../workflows/definitions';

/** Node socket errors of a database that is down, restarting or unreachable: retry. */
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * SQLSTATE classes (first two characters) that come and go: 08 connection, 40 transaction rollback (serialization
 * failure, deadlock), 53 insufficient resources (too many connections, disk full), 55 object not in prerequisite state
 * (lock not available), 57 operator intervention (admin shutdown 57P01, crash shutdown, cannot connect now), 58 system
 * error (I/O), XX internal error.
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '55', '57', '58', 'XX']);

interface DbErrorFields {
  code?: unknown;
  constraint?: unknown;
  name?: unknown;
}

function sqlStateOf(err: unknown): string | undefined {
  const code = (err as DbErrorFields | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Constraint names are schema, not data: safe to show. Anything else is dropped. */
function constraintOf(err: unknown): string | undefined {
  const c = (err as DbErrorFields | null)?.constraint;
  return typeof c === 'string' && /^[A-Za-z0-9_]{1,63}$/.test(c) ? c : undefined;
}

const nameOf = (err: unknown): string => (err instanceof Error ? err.name : typeof err);

export interface Classification {
  /** Failure type; one of `FailureTypes` when deterministic. */
  type: string;
  retryable: boolean;
  /** Safe for logs and Temporal failure records: no SQL, no parameters, no values. */
  message: string;
  sqlState?: string;
  constraint?: string;
}

/** Decides what an error thrown inside `activity` is, without reading its message. */
export function classifyError(err: unknown, activity: string): Classification {
  const sqlState = sqlStateOf(err);
  if (sqlState) {
    const cls = sqlState.slice(0, 2);
    const constraint = constraintOf(err);
    const where = `in ${activity} (SQLSTATE ${sqlState}${constraint ? `, constraint ${constraint}` : ''})`;
    if (cls === '22') return { type: FailureTypes.InvalidData, retryable: false, message: `PostgreSQL refused the data ${where}`, sqlState };
    if (cls === '23') {
      return { type: FailureTypes.ConstraintViolation, retryable: false, message: `a database constraint refused the write ${where}`, sqlState, ...(constraint ? { constraint } : {}) };
    }
    // 42: undefined column or table, syntax: the code does not match the schema (a migration not applied yet). Fixed
    // by a deployment, not by the next attempt.
    if (cls === '42') return { type: FailureTypes.SchemaMismatch, retryable: false, message: `the database schema does not match the code ${where}`, sqlState };
    if (TRANSIENT_SQLSTATE_CLASSES.has(cls)) return { type: FailureTypes.DatabaseUnavailable, retryable: true, message: `PostgreSQL is unavailable ${where}`, sqlState };
    // Anything else (privileges, configuration): retry, so that a fix on the server side is picked up.
    return { type: FailureTypes.DatabaseError, retryable: true, message: `PostgreSQL error ${where}`, sqlState };
  }
  const code = (err as DbErrorFields | null)?.code;
  const name = nameOf(err);
  if ((typeof code === 'string' && TRANSIENT_NODE_CODES.has(code)) || name === 'KnexTimeoutError' || name === 'ConnectionException') {
    return { type: FailureTypes.DatabaseUnavailable, retryable: true, message: `PostgreSQL is unreachable in ${activity} (${typeof code === 'string' ? code : name})` };
  }
  // Our domain code throws RangeError on data it cannot accept; TypeError/ReferenceError on this data are bugs that
  // the next attempt would hit again.
  if (err instanceof RangeError) return { type: FailureTypes.InvalidData, retryable: false, message: `invalid data in ${activity} (RangeError)` };
  if (err instanceof TypeError || err instanceof ReferenceError || err instanceof SyntaxError) {
    return { type: FailureTypes.ActivityBug, retryable: false, message: `${name} in ${activity}` };
  }
  return { type: FailureTypes.Unexpected, retryable: true, message: `${name} in ${activity}` };
}

/**
 * Turns an error into what the activity should throw: an `ApplicationFailure` someone already typed passes through;
 * database errors and deterministic errors become typed failures with a safe message (retryable or not as
 * classified), logged in one line with the safe fields only.
 */
export function toActivityFailure(err: unknown, activity: string): unknown {
  if (err instanceof ApplicationFailure) return err;
  const c = classifyError(err, activity);
  // Neither the database nor a deterministic error class: the activity's own error (a webhook's HTTP status, say),
  // whose message the activity wrote itself. It keeps its message and stays retryable.
  if (c.type === FailureTypes.Unexpected) return err;
  log.warn(c.retryable ? 'activity failed, will retry' : 'activity failed deterministically, not retrying', {
    activity,
    type: c.type,
    ...(c.sqlState ? { sqlState: c.sqlState } : {}),
    ...(c.constraint ? { constraint: c.constraint } : {}),
  });
  return c.retryable ? ApplicationFailure.retryable(c.message, c.type) : ApplicationFailure.nonRetryable(c.message, c.type);
}

/** Wraps an activity function so that whatever it throws is classified (see `toActivityFailure`). */
export function classified<A extends unknown[], R>(activity: string, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toActivityFailure(err, activity);
    }
  };
}

/** Applies `classified` to every function of an activity object, keeping its names and types. */
export function classifyAll<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [name, classified(name, fn as (...args: unknown[]) => Promise<unknown>)]),
  ) as unknown as T;
}

/** Whether `err` came from PostgreSQL or its connection (as opposed to the activity's own processing of data). */
export function isDatabaseError(err: unknown): boolean {
  if (sqlStateOf(err)) return true;
  const name = nameOf(err);
  const code = (err as DbErrorFields | null)?.code;
  return name.endsWith('Exception') || name === 'KnexTimeoutError' || (typeof code === 'string' && TRANSIENT_NODE_CODES.has(code));
}
