/**
 * Prometheus text format, without a client library: request counts and a latency histogram per route. Served on a
 * listener of its own (METRICS_HOST:METRICS_PORT, loopback by default), never on the public API port: route names,
 * volumes and case counts are operational detail an outsider has no use for.
 */
import express, { type Express, type RequestHandler } from 'express';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5];

export class HttpMetrics {
  private readonly counts = new Map<string, number>();
  private readonly histograms = new Map<string, { buckets: number[]; sum: number; count: number }>();

  middleware(): RequestHandler {
    return (req, res, next) => {
      const start = process.hrtime.bigint();
      res.on('finish', () => {
        // The matched route pattern, not the raw URL: bounded label values.
        const route = (req.route?.path as string | undefined) ?? 'unmatched';
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        const key = `method="${req.method}",route="${route}",status="${res.statusCode}"`;
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
        const hkey = `method="${req.method}",route="${route}"`;
        const h = this.histograms.get(hkey) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
        BUCKETS.forEach((b, i) => {
          if (seconds <= b) h.buckets[i]! += 1;
        });
        h.sum += seconds;
        h.count += 1;
        this.histograms.set(hkey, h);
      });
      next();
    };
  }

  render(casesByStatus: { service: string; status: string; count: number }[]): string {
    const lines = ['# HELP onestop_http_requests_total HTTP requests by route and status', '# TYPE onestop_http_requests_total counter'];
    for (const [k, v] of this.counts) lines.push(`onestop_http_requests_total{${k}} ${v}`);
    lines.push('# HELP onestop_http_request_duration_seconds HTTP request latency', '# TYPE onestop_http_request_duration_seconds histogram');
    for (const [k, h] of this.histograms) {
      BUCKETS.forEach((b, i) => lines.push(`onestop_http_request_duration_seconds_bucket{${k},le="${b}"} ${h.buckets[i]}`));
      lines.push(`onestop_http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      lines.push(`onestop_http_request_duration_seconds_sum{${k}} ${h.sum}`);
      lines.push(`onestop_http_request_duration_seconds_count{${k}} ${h.count}`);
    }
    lines.push('# HELP onestop_cases Cases by service and status', '# TYPE onestop_cases gauge');
    for (const c of casesByStatus) lines.push(`onestop_cases{service="${c.service}",status="${c.status}"} ${c.count}`);
    return `${lines.join('\n')}\n`;
  }
}

/** The internal metrics listener's app: GET /metrics only. */
export function createMetricsApp(render: () => Promise<string>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    res.type('text/plain; version=0.0.4').send(await render());
  });
  app.use((_req, res) => void res.status(404).type('text/plain').send('not found: the metrics listener serves GET /metrics only\n'));
  return app;
}
