/**
 * Traces (OpenTelemetry). One trace per case: its root span `case <caseNo>` is made when the API starts the case's
 * workflow, and its trace and span ids are derived from the case number, so every later request about the case (each
 * decision, supplement, withdrawal) can join the same trace without looking anything up. Under the root: the workflow
 * start, the workflow run (Temporal's interceptors carry the context in headers), every activity, every signal. Each
 * HTTP request keeps a span of its own (continuing the caller's `traceparent`), linked from the case's spans.
 *
 * Export is OTLP (http/protobuf), configured by the standard variables: OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (on), OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_TRACES_SAMPLER(_ARG), OTEL_SDK_DISABLED. None set: no provider is registered, every span is the API's no-op
 * span and nothing is exported.
 */
import { createHash } from 'node:crypto';
import { context, trace, TraceFlags, type Context, type Link, type SpanContext } from '@opentelemetry/api';
import { Resource, detectResourcesSync, envDetectorSync } from '@opentelemetry/resources';
import { BatchSpanProcessor, RandomIdGenerator, type IdGenerator, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { addLogMixin } from '../logging';
import type * as OtlpExporterModule from '@opentelemetry/exporter-trace-otlp-proto';

type Env = Record<string, string | undefined>;

export const TRACER_NAME = 'onestop';

/** OTLP export is on when an endpoint is configured (or an exporter named), and OTEL_SDK_DISABLED is not true. */
export function tracingConfigured(env: Env = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER !== undefined && env.OTEL_TRACES_EXPORTER !== '') return env.OTEL_TRACES_EXPORTER !== 'none';
  return !!(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** The case's trace id (32 hex) and its root span's id (16 hex): a hash of the case number, nothing readable. */
export function caseTraceIds(caseNo: string): { traceId: string; spanId: string } {
  const h = createHash('sha256').update(`onestop-case-trace:${caseNo}`).digest('hex');
  return { traceId: h.slice(0, 32), spanId: h.slice(32, 48) };
}

/** The case's root span as a remote parent: requests after the submission hang their spans under it. */
export function caseRootContext(caseNo: string, base: Context = context.active()): Context {
  const { traceId, spanId } = caseTraceIds(caseNo);
  const sc: SpanContext = { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
  return trace.setSpanContext(base, sc);
}

/**
 * Random ids, except for the one span the case intake asks for by case number (its root): `withCaseRootIds` sets the
 * ids for the synchronous startSpan call it wraps.
 */
class CaseIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  forced: { traceId: string; spanId: string } | undefined;
  generateTraceId(): string {
    return this.forced?.traceId ?? this.random.generateTraceId();
  }
  generateSpanId(): string {
    return this.forced?.spanId ?? this.random.generateSpanId();
  }
}

const idGenerator = new CaseIdGenerator();

/** Runs `start` (one synchronous startSpan of a root span) with the case's deterministic ids. */
export function withCaseRootIds<T>(caseNo: string, start: () => T): T {
  idGenerator.forced = caseTraceIds(caseNo);
  try {
    return start();
  } finally {
    idGenerator.forced = undefined;
  }
}

/** A link to the span active now (the HTTP request's), for a case span that lives in the case's trace instead. */
export function linkToActiveSpan(): Link[] {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && trace.isSpanContextValid(sc) ? [{ context: sc }] : [];
}

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  provider: NodeTracerProvider;
  shutdown: () => Promise<void>;
}

export interface StartTracingOptions {
  /** service.name unless OTEL_SERVICE_NAME says otherwise: `onestop-api`, `onestop-worker`. */
  service: string;
  env?: Env;
  /** Tests: a processor of their own (an in-memory exporter); tracing is then on whatever the environment says. */
  spanProcessor?: SpanProcessor;
}

/**
 * Registers the process's tracer provider (W3C trace context and baggage propagation, AsyncLocalStorage context) when
 * tracing is configured; undefined (nothing registered, no cost) otherwise. Log lines then carry trace_id and span_id.
 */
export function startTracing(o: StartTracingOptions): Tracing | undefined {
  const env = o.env ?? process.env;
  if (!o.spanProcessor && !tracingConfigured(env)) return undefined;
  const resource = new Resource({ 'service.name': o.service }).merge(detectResourcesSync({ detectors: [envDetectorSync] }));
  let spanProcessor = o.spanProcessor;
  if (!spanProcessor) {
    // Loaded only when export is on: the OTLP exporter and its protobuf code cost nothing otherwise.
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpExporterModule;
    spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  }
  const provider = new NodeTracerProvider({ resource, idGenerator, spanProcessors: [spanProcessor] });
  provider.register();
  addLogMixin(() => {
    const sc = trace.getActiveSpan()?.spanContext();
    return sc && trace.isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId } : {};
  });
  return { resource, spanProcessor, provider, shutdown: () => provider.shutdown() };
}
