/**
 * The API's request scope for logs: a request id (the caller's X-Request-Id when it is a safe short token, else a new
 * one; returned in the response either way), a log context that every line of the request carries, and one line per
 * finished request. That line names the matched route pattern, never the raw URL: query strings can carry ID numbers
 * (`/prefill?idCard=`).
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { CASE_NO_PATTERN, annotateLogContext, withLogContext, type LogContext, type Logger } from './index';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Letters, digits and `._:-`, at most 64: a gateway's or a portal's id survives; anything else is replaced. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Probes answer every few seconds: their lines only at debug level. */
const PROBES = new Set(['/healthz', '/readyz']);

export interface RequestLoggingOptions {
  /** Without one (tests), request ids and the context are kept, and no request line is written. */
  logger?: Logger;
}

export function requestLogging(o: RequestLoggingOptions = {}): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const context: LogContext = { requestId: requestIdFrom(req.headers['x-request-id']) };
    res.setHeader(REQUEST_ID_HEADER, context.requestId!);
    if (o.logger) {
      const logger = o.logger;
      res.once('finish', () => {
        const status = res.statusCode;
        const route = req.route?.path === undefined ? undefined : `${req.baseUrl}${String(req.route.path)}`;
        const fields = {
          ...context, // the mixin cannot see it here: 'finish' runs outside the request's async scope
          method: req.method,
          httpRoute: route ?? 'unmatched', // not `route`: that name is redacted (an oversize transport's route)
          status,
          durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        };
        if (status >= 500) logger.error(fields, 'request failed');
        else if (PROBES.has(req.path)) logger.debug(fields, 'request');
        else logger.info(fields, 'request');
      });
    }
    withLogContext(context, next);
  };
}

/** Records an authenticated caller in the request's log context: its role and client (or account) id, no applicant. */
export function logCaller(principal: { role: string; sub: string; clientId?: string; department?: string }): void {
  annotateLogContext({ role: principal.role, clientId: principal.clientId ?? principal.sub, ...(principal.department ? { department: principal.department } : {}) });
}

/**
 * A route's `:caseNo` parameter, or the case part of a `:taskId` (`<caseNo>:<step>:<round>`): recorded when it is a
 * well-formed case number (anything else could be anything, personal data included).
 */
export function logCaseParam(value: unknown): void {
  const caseNo = typeof value === 'string' ? value.split(':')[0]! : undefined;
  if (caseNo !== undefined && CASE_NO_PATTERN.test(caseNo)) annotateLogContext({ caseNo, workflowId: caseNo });
}
