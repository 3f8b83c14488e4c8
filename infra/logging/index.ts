/**
 * Structured logs (pino): one JSON object per line on stdout, which is what `npm start` writes to logs/<name>.log and
 * what a container runtime collects. Human-readable output (pino-pretty) only when stdout is an interactive terminal,
 * or when LOG_FORMAT=pretty says so; LOG_FORMAT=json forces JSON on a terminal. LOG_LEVEL sets the level (info).
 *
 * Every line written while a request or a case is being handled carries its context (request id, caller's role and
 * client id, case number, workflow id, run id) from an AsyncLocalStorage scope, so one case's lines can be found by
 * its number in the API's and the worker's logs alike. Personal-data fields are redacted by path as a second line of
 * defence: the first is that code never logs them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/** A case number (and so a case workflow's id): JN-SCHOOLBUS-20261126-000042. */
export const CASE_NO_PATTERN = /^[A-Z]{2}-[A-Z0-9]+-\d{8}-\d{6}$/;

/** What a log line says about the request or the case it is part of. Never the applicant's identity. */
export interface LogContext {
  requestId?: string;
  role?: string;
  /** The calling system or user id (a portal client's id, a reviewer's or ops account): never the applicant. */
  clientId?: string;
  department?: string;
  caseNo?: string;
  workflowId?: string;
  runId?: string;
}

/**
 * Field names that hold personal data somewhere in the platform (forms, decisions, signals, tokens). Redacted at the
 * top level of a line and one level down (`{ input: { form } }`); `form` is redacted whole, whatever it contains.
 */
export const PERSONAL_DATA_KEYS = [
  'form',
  'applicant',
  'driver',
  'drivers',
  'driverIdCard',
  'idCard',
  'idNumber',
  'names',
  'phone',
  'contactPhone',
  'mobile',
  'email',
  'address',
  'legalRepresentative',
  'escortStaff',
  'creditCode',
  'plate',
  'plates',
  'vehicle',
  'vehicles',
  'route',
  'stops',
  'comment',
  'reason',
  'authorization',
  'cookie',
  'subjectKey',
] as const;

/**
 * pino redaction paths. `name` is redacted at the top level and inside the objects that name a person; not as `*.name`,
 * which would also hide an error's class name (`err.name`), the one thing an error line must say.
 */
export const REDACT_PATHS: string[] = [
  ...PERSONAL_DATA_KEYS.flatMap((k) => [k, `*.${k}`]),
  'name',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'input.form',
  'args[*].form',
];

const als = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with a log context: every line logged inside it (however deep, across awaits) carries these fields. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return als.run(context, fn);
}

/** Adds fields to the current log context (the caller once authenticated, the case once known); no-op outside one. */
export function annotateLogContext(fields: LogContext): void {
  const store = als.getStore();
  if (!store) return;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) (store as Record<string, unknown>)[k] = v;
}

export function currentLogContext(): LogContext | undefined {
  return als.getStore();
}

/** Extra fields for every line (the tracing module adds the active trace and span ids). */
const mixins: (() => Record<string, unknown>)[] = [];
export function addLogMixin(mixin: () => Record<string, unknown>): void {
  mixins.push(mixin);
}

export interface CreateLoggerOptions {
  /** `api`, `worker`, `build`...: the `service` field of every line. */
  service: string;
  env?: Record<string, string | undefined>;
  /** Tests: write here instead of stdout (always JSON). */
  destination?: DestinationStream;
}

/** The process's logger. JSON lines unless stdout is a terminal (or LOG_FORMAT says otherwise). */
export function createLogger(o: CreateLoggerOptions): Logger {
  const env = o.env ?? process.env;
  const format = env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') throw new Error(`LOG_FORMAT must be json or pretty, got "${format}"`);
  const options: LoggerOptions = {
    level: env.LOG_LEVEL ?? 'info',
    base: { service: o.service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names, not numbers: what log pipelines (Loki, Elasticsearch, Cloud Logging) and people search for.
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin: () => {
      const out: Record<string, unknown> = { ...als.getStore() };
      for (const m of mixins) Object.assign(out, m());
      return out;
    },
  };
  if (o.destination) return pino(options, o.destination);
  // Synchronous writes: a line logged just before process.exit (a fatal start-up error) is never lost.
  if (format === 'pretty') return pino(options, pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  return pino(options, pino.destination({ dest: 1, sync: true }));
}

/**
 * What may be logged of an error: its class name, its code (a PostgreSQL SQLSTATE, a Node or gRPC code), the violated
 * constraint, and where it was thrown. Never its message: a MikroORM DriverException's message is the SQL statement
 * with its parameters, i.e. the personal data being written.
 */
export function errorSummary(err: unknown): Record<string, unknown> {
  if (err === null || typeof err !== 'object') return { type: typeof err };
  const e = err as { name?: unknown; code?: unknown; sqlState?: unknown; constraint?: unknown; stack?: unknown; cause?: unknown };
  const out: Record<string, unknown> = { name: typeof e.name === 'string' ? e.name : (err as object).constructor?.name };
  const code = e.sqlState ?? e.code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (typeof e.constraint === 'string') out.constraint = e.constraint;
  // The frames only: the first line of a stack is "Name: message".
  if (typeof e.stack === 'string') out.frames = e.stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 8).map((l) => l.trim());
  if (e.cause !== undefined && e.cause !== err && typeof e.cause === 'object' && e.cause !== null) {
    const cause = e.cause as { name?: unknown; code?: unknown; constraint?: unknown };
    out.cause = { name: cause.name, ...(cause.code !== undefined ? { code: cause.code } : {}), ...(cause.constraint !== undefined ? { constraint: cause.constraint } : {}) };
  }
  return out;
}
