/**
 * The alert rules and the Grafana dashboard in infra/monitoring/ (issue 14): both load, every PromQL expression in them
 * parses (Prometheus' own grammar, @prometheus-io/lezer-promql), and every metric they read is one the code exports:
 * the onestop_* names of api/http/metrics.ts and worker/metrics.ts (METRIC_NAMES) and the Temporal SDK names the worker
 * serves (SDK_METRIC_NAMES). A renamed metric, a typo or an invented SDK name fails here instead of an alert that can
 * never fire. Each alert's runbook_url leads to a section of docs/operations.md that exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as LezerPromql from '@prometheus-io/lezer-promql' with { 'resolution-mode': 'import' };
import { parse as parseYaml } from 'yaml';
import { METRIC_NAMES as API_METRIC_NAMES } from '../../api/http/metrics';
import { METRIC_NAMES as WORKER_METRIC_NAMES, SDK_METRIC_NAMES } from '../../worker/metrics';

// The grammar ships CommonJS too (its `require` export), which is what jest loads; its types are declared as ESM only.
const { parser } = require('@prometheus-io/lezer-promql') as typeof LezerPromql;

const root = path.resolve(__dirname, '../..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parseYaml(read('infra/monitoring/alerts.yaml')) as { groups: { name: string; rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules);

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown; definition?: string }[] };
}
const dashboard = JSON.parse(read('infra/monitoring/grafana-dashboard.json')) as Dashboard;

/** Families the code exports; a histogram is read through its `_bucket`, `_sum` and `_count` series. */
const EXPORTED = new Set([...API_METRIC_NAMES, ...WORKER_METRIC_NAMES, ...SDK_METRIC_NAMES]);
const family = (series: string) => (EXPORTED.has(series) ? series : series.replace(/_(bucket|sum|count)$/, ''));

/** Grafana's variables are not PromQL: a range variable becomes a duration, the others a label value. */
const withoutGrafanaVariables = (expr: string) => expr.replace(/\$__(rate_interval|interval|range)/g, '5m').replace(/\$\{?\w+\}?/g, 'x');

/** The metric names an expression reads (vector selectors), or the reason it does not parse. */
function metricsOf(expr: string): { metrics: string[]; error?: string } {
  const tree = parser.parse(expr);
  const metrics: string[] = [];
  let error: string | undefined;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) error ??= `syntax error at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 20), node.from + 20))}`;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(node.from, node.to));
    },
  });
  return { metrics, error };
}

const alertExprs = rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }));
const panelExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: withoutGrafanaVariables(t.expr) })));

describe('the metric names the code exports', () => {
  it('are the contract names (onestop_* from the API and the worker, temporal_* from the SDK)', () => {
    expect(API_METRIC_NAMES).toEqual(expect.arrayContaining(['onestop_http_requests_total', 'onestop_http_request_duration_seconds', 'onestop_cases_overdue', 'onestop_cases_needing_attention', 'onestop_webhook_delivery_failures_total']));
    expect(WORKER_METRIC_NAMES).toEqual(expect.arrayContaining(['onestop_activity_retries_over_threshold_total', 'onestop_activity_attempts_total']));
    expect(SDK_METRIC_NAMES).toEqual(expect.arrayContaining(['temporal_num_pollers', 'temporal_workflow_task_schedule_to_start_latency_seconds']));
    expect([...API_METRIC_NAMES, ...WORKER_METRIC_NAMES].every((n) => n.startsWith('onestop_'))).toBe(true);
    expect(SDK_METRIC_NAMES.every((n) => n.startsWith('temporal_'))).toBe(true);
  });
});

describe('infra/monitoring/alerts.yaml', () => {
  it('has the alerts issue 14 asks for, each with a severity, a summary, a description and a runbook', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        'OneStopActivityRetrying',
        'OneStopCaseNeedsAttention',
        'OneStopOverdueCasesRising',
        'OneStopWebhookDeliveriesFailing',
        'OneStopNoWorkerPolling',
        'OneStopApiErrorRate',
        'OneStopDecisionLatencyHigh',
        'OneStopSubmitLatencyHigh',
      ].sort(),
    );
    for (const r of rules) {
      expect({ alert: r.alert, severity: r.labels?.severity }).toEqual({ alert: r.alert, severity: expect.stringMatching(/^(warning|critical)$/) });
      expect({ alert: r.alert, for: r.for }).toEqual({ alert: r.alert, for: expect.stringMatching(/^\d+[smh]$/) });
      for (const key of ['summary', 'description', 'runbook_url']) expect({ alert: r.alert, key, set: !!r.annotations?.[key] }).toEqual({ alert: r.alert, key, set: true });
    }
  });

  it.each(alertExprs)('$where parses and reads only exported metrics', ({ where, expr }) => {
    const { metrics, error } = metricsOf(expr);
    expect({ where, error }).toEqual({ where, error: undefined });
    expect(metrics.length).toBeGreaterThan(0);
    expect({ where, unknown: metrics.filter((m) => !EXPORTED.has(family(m))) }).toEqual({ where, unknown: [] });
  });

  it('holds the latency targets of issue 13 on the decision and submit routes', () => {
    const byName = new Map(rules.map((r) => [r.alert, r.expr.replace(/\s+/g, ' ')]));
    expect(byName.get('OneStopDecisionLatencyHigh')).toMatch(/histogram_quantile\(0\.99, .*route="\/cases\/:caseNo\/steps\/:stepId\/decision".*\) > 0\.05$/);
    expect(byName.get('OneStopSubmitLatencyHigh')).toMatch(/histogram_quantile\(0\.99, .*method="POST", route="\/cases"\}.*\) > 0\.15$/);
  });

  it("links every alert to its section of docs/operations.md, and every section there to an alert", () => {
    const doc = read('docs/operations.md');
    // GitHub's heading anchors: lower case, punctuation dropped, each space a hyphen.
    const anchors = new Set([...doc.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-')));
    for (const r of rules) {
      const m = /\/docs\/operations\.md#([\w-]+)$/.exec(r.annotations!.runbook_url!);
      expect({ alert: r.alert, anchor: m?.[1], exists: !!m && anchors.has(m[1]!) }).toEqual({ alert: r.alert, anchor: m?.[1], exists: true });
      expect(m![1]).toContain(r.alert.toLowerCase());
    }
    const alertSections = [...doc.matchAll(/^### Alert: (.+)$/gm)].flatMap((m) => m[1]!.split(' / ').map((s) => s.trim()));
    expect(alertSections.sort()).toEqual(rules.map((r) => r.alert).sort());
  });
});

describe('infra/monitoring/grafana-dashboard.json', () => {
  it('has rows for the cases, the API and the worker, and a panel for each alert signal', () => {
    expect(dashboard.uid).toBe('onestop-overview');
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual(['Cases', 'API', 'Worker (Temporal SDK)']);
    const read = new Set(panelExprs.flatMap((p) => metricsOf(p.expr).metrics.map(family)));
    for (const r of rules) for (const m of metricsOf(r.expr).metrics) expect({ alert: r.alert, metric: family(m), shown: read.has(family(m)) }).toEqual({ alert: r.alert, metric: family(m), shown: true });
  });

  it.each(panelExprs)('$where parses and reads only exported metrics', ({ where, expr }) => {
    const { metrics, error } = metricsOf(expr);
    expect({ where, error }).toEqual({ where, error: undefined });
    expect(metrics.length).toBeGreaterThan(0);
    expect({ where, unknown: metrics.filter((m) => !EXPORTED.has(family(m))) }).toEqual({ where, unknown: [] });
  });

  it('takes its variables from exported metrics too', () => {
    const queries = dashboard.templating.list.filter((v) => v.type === 'query').map((v) => v.definition ?? '');
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      const m = /^label_values\((\w+), *\w+\)$/.exec(q);
      expect({ q, metric: m && EXPORTED.has(m[1]!) }).toEqual({ q, metric: true });
    }
  });
});

it('the checks above catch a metric the code does not export and a broken expression', () => {
  expect(metricsOf('sum(rate(onestop_http_requests_totl[5m]))').metrics.filter((m) => !EXPORTED.has(family(m)))).toEqual(['onestop_http_requests_totl']);
  expect(metricsOf('temporal_sticky_cache_miss_total').metrics.filter((m) => !EXPORTED.has(family(m)))).toEqual(['temporal_sticky_cache_miss_total']);
  expect(metricsOf('sum(rate(onestop_http_requests_total[5m]) > ').error).toBeDefined();
  expect(metricsOf('histogram_quantile(0.99, rate(onestop_http_request_duration_seconds_bucket[5m]))').metrics.map(family)).toEqual(['onestop_http_request_duration_seconds']);
});
