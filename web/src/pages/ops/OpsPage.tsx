/**
 * The ops dashboard (issue 12 item 5), for an ops token: in development the sign-in mints one (POST /dev/token), in
 * production it is pasted from the city's identity system. Figures come from GET /stats (totals per service: on-time
 * rate, working days to completion, overdue now, evaluations, online share) and GET /stats/daily (cases received,
 * completed, refused and not accepted per day, the distribution of working days to completion, cases needing
 * attention). Each chart links to the matching list of workflows in the Temporal UI (its base from GET /ui-config),
 * filtered with the platform's search attributes (OneStopService, CaseStatus, Overdue, NeedsAttention).
 */
import { Alert, Button, Card, Col, Form, Input, Row, Segmented, Space, Statistic, Table, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { useCatalogue } from '../../catalogue';
import { ErrorAlert, Loading, usePageTitle } from '../../components/Feedback';
import { useBilingual, useI18n } from '../../i18n';
import { useSession } from '../../session';
import { useUiConfig } from '../../ui-config';
import { EChart, type ChartOption } from './EChart';
import './ops.css';

type Stats = Schemas['ServiceStats'];
type Daily = Schemas['DailyStatistics'];
type UiConfig = Schemas['UiConfig'];

/** Series colours with at least 3:1 contrast against white (WCAG 1.4.11, graphical objects). */
const COLORS = { received: '#0958d9', completed: '#237804', rejected: '#a8071a', notAccepted: '#ad4e00', attention: '#722ed1' };

/** A Temporal UI list of the namespace's workflows matching a visibility query, or null when the UI is unknown. */
export function temporalQueryUrl(config: UiConfig | null, query: string): string | null {
  if (!config?.temporalUiUrl) return null;
  return `${config.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

const pct = (x: number | null | undefined) => (x == null ? '—' : `${Math.round(x * 1000) / 10}%`);
const num = (x: number | null | undefined, digits = 1) => (x == null ? '—' : String(Math.round(x * 10 ** digits) / 10 ** digits));

export default function OpsPage() {
  const { t } = useI18n();
  usePageTitle(t('ops.title'));
  const { claims } = useSession();
  return claims?.role === 'ops' ? <Dashboard /> : <OpsSignIn />;
}

function OpsSignIn() {
  const { t } = useI18n();
  const { signIn, signOut } = useSession();
  const { config, loading } = useUiConfig();
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);

  const devSignIn = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await unwrap(api.POST('/api/v1/dev/token', { body: { role: 'ops' } }));
      signIn(r.token);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Typography.Title level={1}>{t('ops.signIn.title')}</Typography.Title>
      {loading ? (
        <Loading />
      ) : (
        <Space direction="vertical" size="large" style={{ width: '100%', maxWidth: 640 }}>
          {config?.devSignIn && (
            <Card>
              <Typography.Paragraph>{t('ops.signIn.devIntro')}</Typography.Paragraph>
              <Button type="primary" loading={busy} onClick={() => void devSignIn()} data-testid="ops-dev-sign-in">
                {t('ops.signIn.dev')}
              </Button>
            </Card>
          )}
          <Card>
            <Typography.Paragraph>{t('ops.signIn.tokenIntro')}</Typography.Paragraph>
            <Form
              layout="vertical"
              onFinish={(v: { token: string }) => {
                const c = signIn(v.token);
                if (c?.role !== 'ops') {
                  if (c) signOut();
                  setInvalid(true);
                }
              }}
            >
              <Form.Item name="token" label={t('ops.signIn.token')} rules={[{ required: true, whitespace: true, message: t('ops.signIn.token') }]}>
                <Input.Password autoComplete="off" data-testid="ops-token" />
              </Form.Item>
              {invalid && <Alert type="error" role="alert" showIcon message={t('ops.signIn.tokenInvalid')} style={{ marginBottom: 16 }} />}
              <Button htmlType="submit" data-testid="ops-token-submit">
                {t('ops.signIn.tokenSubmit')}
              </Button>
            </Form>
          </Card>
          {error != null && <ErrorAlert error={error} />}
        </Space>
      )}
    </>
  );
}

function ChartCard({ id, title, links, summary, children }: { id: string; title: string; links: { label: string; href: string | null }[]; summary: string; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby={`${id}-title`} data-testid={id} style={{ height: '100%' }}>
      <Card
        style={{ height: '100%' }}
        title={
          <h2 id={`${id}-title`} style={{ fontSize: 16, margin: 0, whiteSpace: 'normal' }}>
            {title}
          </h2>
        }
      >
        {children}
        <p className="visually-hidden">{summary}</p>
        <Space wrap size={[12, 0]}>
          {links.map((l) =>
            l.href ? (
              <a key={l.label} href={l.href} target="_blank" rel="noreferrer" data-testid={`${id}-temporal`}>
                {l.label}
              </a>
            ) : (
              <Typography.Text key={l.label} type="secondary">
                {t('ops.chart.noTemporal')}
              </Typography.Text>
            ),
          )}
        </Space>
      </Card>
    </section>
  );
}

function Dashboard() {
  const { t, lang } = useI18n();
  const name = useBilingual();
  const catalogue = useCatalogue();
  const { config } = useUiConfig();
  const [days, setDays] = useState(30);
  const [stats, setStats] = useState<Stats[] | null>(null);
  const [daily, setDaily] = useState<Daily | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(() => {
    setError(null);
    Promise.all([unwrap(api.GET('/api/v1/stats')), unwrap(api.GET('/api/v1/stats/daily', { params: { query: { days } } }))]).then(
      ([s, d]) => {
        setStats(s.services);
        setDaily(d);
      },
      (err: unknown) => setError(err),
    );
  }, [days]);
  useEffect(load, [load]);

  const serviceName = useCallback((code: string) => name(catalogue.get(code)?.name, code), [catalogue, name]);
  const services = useMemo(() => [...new Set([...(stats ?? []).map((s) => s.service), ...(daily?.services ?? []).map((s) => s.service)])], [stats, daily]);
  const attention = useMemo(() => new Map((daily?.services ?? []).map((s) => [s.service, s.needingAttention])), [daily]);
  const q = (query: string) => temporalQueryUrl(config, query);
  const allServices = `OneStopService IN (${services.map((s) => `"${s}"`).join(', ')})`;

  const charts = useMemo(() => {
    if (!stats || !daily) return null;
    const names = services.map(serviceName);
    const axisLabel = { interval: 0, overflow: 'break' as const, width: 90 };
    // A service without a figure (no completed case yet) has no bar, not a bar at zero: ECharts' '-' is a missing value.
    const bar = (values: (number | null)[], color: string, formatter?: (v: number) => string): ChartOption => ({
      color: [color],
      grid: { left: 48, right: 16, top: 24, bottom: 48, containLabel: false },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: names, axisLabel },
      yAxis: { type: 'value', minInterval: 1, axisLabel: formatter ? { formatter } : undefined },
      series: [{ type: 'bar', data: values.map((v) => v ?? '-'), barMaxWidth: 40, label: { show: true, position: 'top', formatter: formatter ? (p: { value: number }) => formatter(p.value) : undefined } }],
    });
    const byService = new Map(stats.map((s) => [s.service, s]));
    const maxDays = Math.max(0, ...daily.services.flatMap((s) => s.completionWorkingDays.map((b) => b.workingDays)));
    const dayBuckets = Array.from({ length: maxDays + 1 }, (_, i) => i);
    return {
      daily: daily.services.map((s) => ({
        service: s.service,
        totals: s.days.reduce((acc, d) => ({ received: acc.received + d.received, completed: acc.completed + d.completed, rejected: acc.rejected + d.rejected, notAccepted: acc.notAccepted + d.notAccepted }), {
          received: 0,
          completed: 0,
          rejected: 0,
          notAccepted: 0,
        }),
        option: {
          color: [COLORS.received, COLORS.completed, COLORS.rejected, COLORS.notAccepted],
          grid: { left: 40, right: 16, top: 48, bottom: 32 },
          legend: { top: 0, textStyle: { color: '#262626' } },
          tooltip: { trigger: 'axis' },
          xAxis: { type: 'category', data: s.days.map((d) => d.day.slice(5)) },
          yAxis: { type: 'value', minInterval: 1 },
          series: (['received', 'completed', 'rejected', 'notAccepted'] as const).map((k) => ({
            name: t(`ops.series.${k}`),
            type: k === 'received' ? 'line' : 'bar',
            stack: k === 'received' ? undefined : 'ended',
            data: s.days.map((d) => d[k]),
            barMaxWidth: 16,
          })),
        } satisfies ChartOption,
      })),
      onTime: bar(
        services.map((s) => {
          const r = byService.get(s)?.onTimeRate;
          return r == null ? null : Math.round(r * 1000) / 10;
        }),
        COLORS.completed,
        (v) => `${v}%`,
      ),
      completionDays: {
        color: [COLORS.received, COLORS.completed, COLORS.notAccepted, COLORS.attention],
        grid: { left: 40, right: 16, top: 48, bottom: 40 },
        legend: { top: 0, textStyle: { color: '#262626' } },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', name: lang === 'zh' ? '工作日' : 'working days', nameLocation: 'middle', nameGap: 26, data: dayBuckets.map(String) },
        yAxis: { type: 'value', minInterval: 1, name: t('ops.chart.cases') },
        series: daily.services.map((s) => ({
          name: serviceName(s.service),
          type: 'bar',
          data: dayBuckets.map((d) => s.completionWorkingDays.find((b) => b.workingDays === d)?.cases ?? 0),
          barMaxWidth: 24,
        })),
      } satisfies ChartOption,
      overdue: {
        color: [COLORS.rejected, COLORS.attention],
        grid: { left: 40, right: 16, top: 48, bottom: 48 },
        legend: { top: 0, textStyle: { color: '#262626' } },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: names, axisLabel },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          { name: t('ops.kpi.overdue'), type: 'bar', data: services.map((s) => byService.get(s)?.overdueNow ?? 0), barMaxWidth: 32, label: { show: true, position: 'top' } },
          { name: t('ops.kpi.attention'), type: 'bar', data: services.map((s) => attention.get(s) ?? 0), barMaxWidth: 32, label: { show: true, position: 'top' } },
        ],
      } satisfies ChartOption,
      evaluation: { ...bar(services.map((s) => (byService.get(s)?.meanEvaluation == null ? null : Math.round(byService.get(s)!.meanEvaluation! * 10) / 10)), COLORS.attention), yAxis: { type: 'value', min: 0, max: 5 } } satisfies ChartOption,
      online: bar(
        services.map((s) => {
          const r = byService.get(s)?.onlineShare;
          return r == null ? null : Math.round(r * 1000) / 10;
        }),
        COLORS.received,
        (v) => `${v}%`,
      ),
    };
  }, [stats, daily, services, serviceName, attention, t, lang]);

  if (error) return <ErrorAlert error={error} onRetry={load} />;
  if (!stats || !daily || !charts) return <Loading />;

  const sum = (f: (s: Stats) => number) => stats.reduce((n, s) => n + f(s), 0);
  const completed = sum((s) => s.completed);
  const received = sum((s) => s.received);
  const onTime = completed ? sum((s) => (s.onTimeRate ?? 0) * s.completed) / completed : null;
  const online = received ? sum((s) => (s.onlineShare ?? 0) * s.received) / received : null;
  const attentionTotal = [...attention.values()].reduce((a, b) => a + b, 0);
  const list = (xs: string[]) => xs.join(lang === 'zh' ? '；' : '; ');
  const byService = (f: (s: Stats) => string) => list(stats.map((s) => `${serviceName(s.service)} ${f(s)}`));

  const kpis: { key: string; title: string; value: string | number }[] = [
    { key: 'received', title: t('ops.kpi.received'), value: received },
    { key: 'completed', title: t('ops.kpi.completed'), value: completed },
    { key: 'rejected', title: t('ops.kpi.rejected'), value: sum((s) => s.rejected) },
    { key: 'in-progress', title: t('ops.kpi.inProgress'), value: sum((s) => s.inProgress) },
    { key: 'on-time', title: t('ops.kpi.onTime'), value: pct(onTime) },
    { key: 'overdue', title: t('ops.kpi.overdue'), value: sum((s) => s.overdueNow) },
    { key: 'attention', title: t('ops.kpi.attention'), value: attentionTotal },
    { key: 'online', title: t('ops.kpi.online'), value: pct(online) },
  ];

  return (
    <div data-testid="ops-dashboard">
      <Space wrap style={{ justifyContent: 'space-between', width: '100%', marginBottom: 8 }}>
        <Typography.Title level={1} style={{ margin: 0 }}>
          {t('ops.title')}
        </Typography.Title>
        <Space wrap>
          <Segmented
            aria-label={t('ops.window', { days, from: daily.from, to: daily.to })}
            value={days}
            onChange={(v) => setDays(Number(v))}
            options={[7, 30, 90].map((d) => ({ value: d, label: lang === 'zh' ? `${d} 天` : `${d} days` }))}
            data-testid="ops-days"
          />
          <Button onClick={load} data-testid="ops-refresh">
            {t('ops.refresh')}
          </Button>
        </Space>
      </Space>
      <Typography.Paragraph>{t('ops.window', { days, from: daily.from, to: daily.to })}</Typography.Paragraph>

      <section aria-label={t('ops.kpis')}>
        <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
          {kpis.map((k) => (
            <Col key={k.key} xs={12} sm={8} md={6} lg={3}>
              <Card size="small" data-testid={`kpi-${k.key}`}>
                <Statistic title={<span style={{ color: 'rgba(0,0,0,0.75)' }}>{k.title}</span>} value={k.value} />
              </Card>
            </Col>
          ))}
        </Row>
      </section>

      <Row gutter={[12, 12]}>
        {charts.daily.map((c) => (
          <Col key={c.service} xs={24} lg={12}>
            <ChartCard
              id={`chart-daily-${c.service}`}
              title={t('ops.chart.daily', { service: serviceName(c.service) })}
              links={[{ label: t('ops.chart.temporal'), href: q(`OneStopService="${c.service}"`) }]}
              summary={t('ops.chart.summary.daily', { days, ...c.totals })}
            >
              <EChart option={c.option} label={`${t('ops.chart.daily', { service: serviceName(c.service) })}: ${t('ops.chart.summary.daily', { days, ...c.totals })}`} />
            </ChartCard>
          </Col>
        ))}
        <Col xs={24} lg={12}>
          <ChartCard id="chart-on-time" title={t('ops.chart.onTime')} links={[{ label: t('ops.chart.temporal'), href: q('CaseStatus="completed"') }]} summary={byService((s) => pct(s.onTimeRate))}>
            <EChart option={charts.onTime} label={`${t('ops.chart.onTime')}: ${byService((s) => pct(s.onTimeRate))}`} />
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard
            id="chart-completion-days"
            title={t('ops.chart.completionDays')}
            links={[{ label: t('ops.chart.temporal'), href: q('CaseStatus="completed"') }]}
            summary={list(daily.services.map((s) => `${serviceName(s.service)}: ${s.completionWorkingDays.map((b) => `${t('ops.chart.workingDays', { n: b.workingDays })} × ${b.cases}`).join(', ') || t('ops.noData')}`))}
          >
            <EChart
              option={charts.completionDays}
              label={`${t('ops.chart.completionDays')}: ${byService((s) => `${t('ops.table.median')} ${num(s.medianWorkingDaysToCompletion)}, p90 ${num(s.p90WorkingDaysToCompletion)}`)}`}
            />
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard
            id="chart-overdue-attention"
            title={t('ops.chart.overdue')}
            links={[
              { label: `${t('ops.kpi.overdue')} · ${t('ops.chart.temporal')}`, href: q('Overdue=true') },
              { label: `${t('ops.kpi.attention')} · ${t('ops.chart.temporal')}`, href: q('NeedsAttention=true') },
            ]}
            summary={byService((s) => `${t('ops.kpi.overdue')} ${s.overdueNow}, ${t('ops.kpi.attention')} ${attention.get(s.service) ?? 0}`)}
          >
            <EChart option={charts.overdue} label={`${t('ops.chart.overdue')}: ${byService((s) => `${s.overdueNow} / ${attention.get(s.service) ?? 0}`)}`} />
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard id="chart-evaluation" title={t('ops.chart.evaluation')} links={[{ label: t('ops.chart.temporal'), href: q('CaseStatus="completed"') }]} summary={byService((s) => num(s.meanEvaluation))}>
            <EChart option={charts.evaluation} label={`${t('ops.chart.evaluation')}: ${byService((s) => num(s.meanEvaluation))}`} />
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard id="chart-online-share" title={t('ops.chart.online')} links={[{ label: t('ops.chart.temporal'), href: q(allServices) }]} summary={byService((s) => pct(s.onlineShare))}>
            <EChart option={charts.online} label={`${t('ops.chart.online')}: ${byService((s) => pct(s.onlineShare))}`} />
          </ChartCard>
        </Col>
      </Row>

      <section aria-labelledby="ops-table-title" style={{ marginTop: 16 }}>
        <Card title={<h2 id="ops-table-title" style={{ fontSize: 16, margin: 0 }}>{t('ops.table.caption')}</h2>}>
          <Table
            data-testid="ops-table"
            rowKey="service"
            size="small"
            pagination={false}
            scroll={{ x: 'max-content' }}
            dataSource={stats}
            columns={[
              { title: t('ops.table.service'), dataIndex: 'service', render: (s: string) => serviceName(s) },
              { title: t('ops.kpi.received'), dataIndex: 'received' },
              { title: t('ops.kpi.completed'), dataIndex: 'completed' },
              { title: t('ops.kpi.rejected'), dataIndex: 'rejected' },
              { title: t('ops.kpi.inProgress'), dataIndex: 'inProgress' },
              { title: t('ops.kpi.onTime'), dataIndex: 'onTimeRate', render: (v: number | null) => pct(v) },
              { title: t('ops.table.median'), dataIndex: 'medianWorkingDaysToCompletion', render: (v: number | null) => num(v) },
              { title: 'p90', dataIndex: 'p90WorkingDaysToCompletion', render: (v: number | null) => num(v) },
              { title: t('ops.kpi.overdue'), dataIndex: 'overdueNow' },
              { title: t('ops.kpi.attention'), key: 'attention', render: (_: unknown, s: Stats) => attention.get(s.service) ?? 0 },
              { title: t('ops.kpi.evaluation'), dataIndex: 'meanEvaluation', render: (v: number | null) => num(v) },
              { title: t('ops.kpi.online'), dataIndex: 'onlineShare', render: (v: number | null) => pct(v) },
            ]}
          />
        </Card>
      </section>
    </div>
  );
}
