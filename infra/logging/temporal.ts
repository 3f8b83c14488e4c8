/**
 * Temporal and the process logger. The worker's Runtime logger (workflow and activity `log.*` calls, the SDK's own
 * lines and the forwarded core lines) writes through pino; a client interceptor tells the API's request log which
 * case, workflow and run a request touched.
 */
import type { Next, WorkflowClientInterceptor, WorkflowSignalInput, WorkflowStartInput, WorkflowStartOutput } from '@temporalio/client';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { annotateLogContext, CASE_NO_PATTERN, type Logger } from './index';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The SDK's log metadata as log fields: the activity's `workflowRunId` becomes `runId` (the workflow's name for it),
 * a case workflow's id is also its `caseNo`, the opaque task token is dropped, and an `error` goes through pino's
 * error serializer (`err`).
 */
export function temporalLogFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const { taskToken: _taskToken, workflowRunId, error, ...fields } = (meta ?? {}) as Record<string, unknown>;
  if (fields.runId === undefined && workflowRunId !== undefined) fields.runId = workflowRunId;
  if (fields.caseNo === undefined && typeof fields.workflowId === 'string' && CASE_NO_PATTERN.test(fields.workflowId)) fields.caseNo = fields.workflowId;
  if (error !== undefined) fields.err = error;
  return fields;
}

/** A Temporal `Logger` (Runtime.install's `logger`) that writes to pino. */
export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[LEVELS[level] ?? 'info'](temporalLogFields(meta), message);
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}

function caseFields(workflowId: string, runId?: string) {
  return { workflowId, ...(runId ? { runId } : {}), ...(CASE_NO_PATTERN.test(workflowId) ? { caseNo: workflowId } : {}) };
}

/**
 * Records the case, workflow id and run id a request starts or signals in its log context (api/app.ts opens one per
 * request), so the request's lines can be found by case number. Outside a request it does nothing.
 */
export class LogContextClientInterceptor implements WorkflowClientInterceptor {
  async startWithDetails(input: WorkflowStartInput, next: Next<WorkflowClientInterceptor, 'startWithDetails'>): Promise<WorkflowStartOutput> {
    annotateLogContext(caseFields(input.options.workflowId));
    const out = await next(input);
    annotateLogContext(caseFields(input.options.workflowId, out.runId));
    return out;
  }

  async signal(input: WorkflowSignalInput, next: Next<WorkflowClientInterceptor, 'signal'>): Promise<void> {
    annotateLogContext(caseFields(input.workflowExecution.workflowId, input.workflowExecution.runId));
    return next(input);
  }
}
