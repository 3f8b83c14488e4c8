/**
 * The sandbox's side of tracing (OpenTelemetry, issue 14): a span for the workflow run and each signal and query it
 * handles, the trace context carried into every activity it schedules. Loaded as a workflow interceptor module
 * (worker/create-worker.ts WORKFLOW_INTERCEPTOR_MODULES, and bundled by scripts/build.ts); the spans leave the
 * sandbox through the worker's `exporter` sink. Headers and spans only: no command changes, so histories replay.
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { WorkflowInterceptors } from '@temporalio/workflow';

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
