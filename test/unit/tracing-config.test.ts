/**
 * Tracing's switch and the case trace ids (infra/tracing): OTLP export only when the standard OTEL_* variables ask for
 * it, nothing registered otherwise; a case's trace id is a stable function of its case number.
 */
import { trace } from '@opentelemetry/api';
import { caseTraceIds, startTracing, tracingConfigured } from '../../infra/tracing';

it('is off unless an OTLP endpoint (or an exporter) is configured, and OTEL_SDK_DISABLED wins', () => {
  expect(tracingConfigured({})).toBe(false);
  expect(tracingConfigured({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
  expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
  expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
  expect(tracingConfigured({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
  expect(tracingConfigured({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
  expect(tracingConfigured({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
});

it('off: nothing is registered and spans are no-ops; on: an OTLP provider with the service name', async () => {
  expect(startTracing({ service: 'onestop-test', env: {} })).toBeUndefined();
  expect(trace.getTracer('t').startSpan('x').isRecording()).toBe(false);
  const on = startTracing({ service: 'onestop-test', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } });
  expect(on).toBeDefined();
  expect(on!.resource.attributes['service.name']).toBe('onestop-test');
  expect(trace.getTracer('t').startSpan('x').isRecording()).toBe(true);
  await on!.shutdown();
});

it("a case's trace id and root span id come from its case number: stable, distinct, valid W3C ids", () => {
  const a = caseTraceIds('JN-SCHOOLBUS-20261126-000001');
  expect(a).toEqual(caseTraceIds('JN-SCHOOLBUS-20261126-000001'));
  expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(a.spanId).toMatch(/^[0-9a-f]{16}$/);
  expect(caseTraceIds('JN-SCHOOLBUS-20261126-000002').traceId).not.toBe(a.traceId);
});
