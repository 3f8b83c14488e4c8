/**
 * The API client's half of one-trace-per-case. Placed before Temporal's OpenTelemetry client interceptor: starting a
 * case workflow opens the case's root span (deterministic ids, infra/tracing/index.ts) and the start happens inside
 * it; a signal to a case (a decision, a supplement, a withdrawal, an ops retry) happens inside a `case.signal` span
 * under that root. Temporal's interceptor then puts the context in the headers, so the workflow run, its activities
 * and the signal handlers land in the same trace. Both spans link to the HTTP request's span.
 */
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Next, WorkflowClientInterceptor, WorkflowSignalInput, WorkflowStartInput, WorkflowStartOutput } from '@temporalio/client';
import { CASE_NO_PATTERN } from '../logging';
import { caseRootContext, linkToActiveSpan, TRACER_NAME, withCaseRootIds } from './index';

async function inSpan<T>(span: Span, run: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(context.active(), span), run);
  } catch (err) {
    // The class of the failure only: its message may quote what was sent.
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.name ?? 'error' });
    throw err;
  } finally {
    span.end();
  }
}

export class CaseTraceClientInterceptor implements WorkflowClientInterceptor {
  private readonly tracer = trace.getTracer(TRACER_NAME);

  async startWithDetails(input: WorkflowStartInput, next: Next<WorkflowClientInterceptor, 'startWithDetails'>): Promise<WorkflowStartOutput> {
    const caseNo = input.options.workflowId;
    if (!CASE_NO_PATTERN.test(caseNo)) return next(input);
    const root = withCaseRootIds(caseNo, () =>
      this.tracer.startSpan(`case ${caseNo}`, {
        root: true,
        kind: SpanKind.INTERNAL,
        links: linkToActiveSpan(),
        attributes: { 'onestop.case_no': caseNo, 'onestop.workflow_type': input.workflowType },
      }),
    );
    return inSpan(root, async () => {
      const out = await next(input);
      root.setAttribute('temporalRunId', out.runId);
      return out;
    });
  }

  async signal(input: WorkflowSignalInput, next: Next<WorkflowClientInterceptor, 'signal'>): Promise<void> {
    const caseNo = input.workflowExecution.workflowId;
    if (!CASE_NO_PATTERN.test(caseNo)) return next(input);
    const span = this.tracer.startSpan(
      `case.signal ${input.signalName}`,
      { kind: SpanKind.INTERNAL, links: linkToActiveSpan(), attributes: { 'onestop.case_no': caseNo, 'onestop.signal': input.signalName } },
      caseRootContext(caseNo),
    );
    return inSpan(span, () => next(input));
  }
}
