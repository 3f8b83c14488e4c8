/**
 * A server span per API request (OpenTelemetry HTTP semantic conventions): continues the caller's `traceparent`,
 * named by method and matched route pattern once the route is known; never the raw URL or its query string (which
 * can hold an ID number). A no-op span when tracing is off.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { TRACER_NAME } from './index';

export function httpTracing(): RequestHandler {
  const tracer = trace.getTracer(TRACER_NAME);
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    if (!span.isRecording()) return void context.with(trace.setSpan(parent, span), next);
    res.once('finish', () => {
      const route = req.route?.path === undefined ? undefined : `${req.baseUrl}${String(req.route.path)}`;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
