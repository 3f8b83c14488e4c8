/**
 * The API's closed set of errors and the one JSON error handler, registered last. Clients always get
 * `{ error: { code, message, details? } }`; never a stack trace or a raw exception message.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';
import { errorSummary } from '../../infra/logging';

export type ErrorCode =
  | 'validation'
  | 'malformed_json'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'business_rule'
  | 'rate_limited'
  | 'dependency_unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  validation: 400,
  malformed_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  business_rule: 422,
  rate_limited: 429,
  dependency_unavailable: 503,
  internal: 500,
};

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);

/** Every failing field, with its path (`form.vehicles.0.plate`), in one response. */
export function fromZod(error: ZodError, prefix?: string): ApiError {
  const details: FieldIssue[] = error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== '').join('.') || '(root)',
    message: i.message,
  }));
  return new ApiError('validation', `invalid request: ${details.length} problem(s)`, details);
}

export function validationError(details: FieldIssue[]): ApiError {
  return new ApiError('validation', `invalid request: ${details.length} problem(s)`, details);
}

/** Is this a dependency (PostgreSQL, Temporal) being unreachable, rather than a bug? */
export function isDependencyDown(err: unknown): boolean {
  const e = err as { code?: string | number; name?: string; message?: string; cause?: unknown };
  if (!e) return false;
  const code = String(e.code ?? '');
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08000', '08001', '08003', '08006'].includes(code)) return true;
  if (e.name === 'ConnectionException' || e.name === 'ServiceError' && /UNAVAILABLE|DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED/.test(e.message ?? '')) return true;
  if (code === '14' || code === '4' || code === '8') return true; // gRPC UNAVAILABLE / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED
  if (/Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(e.message ?? '')) return true;
  return e.cause !== undefined && e.cause !== err ? isDependencyDown(e.cause) : false;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => next(new ApiError('not_found', `no route ${req.method} ${req.path}`));

/** Where the error handler writes (a pino logger fits): the request's context is added by the logger itself. */
export interface ErrorLog {
  error(fields: Record<string, unknown>, msg: string): void;
}

/**
 * `log` gets an unexpected error's name, SQLSTATE/code and constraint (errorSummary), never its message: a MikroORM
 * DriverException's message is the SQL with its parameters, i.e. the personal data being written.
 */
export function errorHandler(log: ErrorLog): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    let apiError: ApiError;
    if (err instanceof ApiError) apiError = err;
    else if ((err as { type?: string }).type === 'entity.parse.failed') apiError = new ApiError('malformed_json', 'the request body is not valid JSON');
    else if ((err as { type?: string }).type === 'entity.too.large') apiError = new ApiError('payload_too_large', 'the request body is larger than the limit');
    else if (err instanceof URIError) {
      // The router could not percent-decode a path parameter (e.g. an encoded lone surrogate): not valid UTF-8.
      apiError = validationError([{ path: 'params', message: 'a path parameter is not valid percent-encoded UTF-8' }]);
    }
    else if ((err as { type?: string; status?: number }).status && (err as { status: number }).status < 500) {
      apiError = new ApiError('validation', 'the request could not be read');
    } else if (isDependencyDown(err)) {
      apiError = new ApiError('dependency_unavailable', 'a service the platform depends on is unavailable; retry later');
    } else {
      log.error({ error: errorSummary(err) }, 'unhandled error');
      apiError = new ApiError('internal', 'internal error');
    }
    if (apiError.code === 'dependency_unavailable') res.setHeader('Retry-After', '5');
    res.status(apiError.status).json({
      error: { code: apiError.code, message: apiError.message, ...(apiError.details !== undefined ? { details: apiError.details } : {}) },
    });
  };
}
