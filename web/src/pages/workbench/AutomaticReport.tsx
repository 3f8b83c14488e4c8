/**
 * A step's automatic check as the reviewer decides with it: the oversize pre-review's 21 checks (category, verdict,
 * explanation, legal source) with the category and disposition, or the findings of the licence and school-bus checks.
 */
import { Alert, Card, Grid, List, Space, Table, Tag, Typography } from 'antd';
import type { Schemas } from '../../api/client';
import { useI18n, type Translate } from '../../i18n';
import { TONE } from '../../components/tones';

type StepCheck = Schemas['StepCheck'];
type OversizeReport = Schemas['OversizeReport'];
type FindingsReport = Schemas['FindingsReport'];
type Check = OversizeReport['results'][number];

const VERDICT_COLOR = { pass: TONE.green, fail: TONE.red, needs_review: TONE.orange } as const;

export function VerdictTag({ verdict, t }: { verdict: keyof typeof VERDICT_COLOR; t: Translate }) {
  return <Tag color={VERDICT_COLOR[verdict]}>{t(`verdict.${verdict}`)}</Tag>;
}

const isOversize = (r: OversizeReport | FindingsReport): r is OversizeReport => 'results' in r;

export function AutomaticReport({ check }: { check: StepCheck }) {
  const { t, lang } = useI18n();
  const screens = Grid.useBreakpoint();
  const report = check.report;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <div>
        {t('case.report.verdict')}: <VerdictTag verdict={check.verdict} t={t} />
        {check.hardRefusal && <Tag color={TONE.red}>{t('case.report.hardRefusal')}</Tag>}
      </div>
      {check.reasons && check.reasons.length > 0 && (
        <div>
          <Typography.Text strong>{t('case.report.reasons')}</Typography.Text>
          <ul style={{ margin: 0 }}>
            {check.reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {report && isOversize(report) && (
        <>
          <Typography.Paragraph data-testid="oversize-summary" style={{ margin: 0 }}>
            {t('case.report.oversizeSummary', {
              category: report.category,
              pass: report.counts.pass,
              fail: report.counts.fail,
              review: report.counts.needs_review,
              disposition: t(`disposition.${report.disposition}`),
            })}
          </Typography.Paragraph>
          {report.categoryReasons.length > 0 && (
            <Typography.Paragraph style={{ margin: 0 }}>
              {t('case.report.categoryReasons')}: {report.categoryReasons.join(lang === 'zh' ? '；' : '; ')}
            </Typography.Paragraph>
          )}
          {report.requiredDocuments.length > 0 && (
            <Typography.Paragraph style={{ margin: 0 }}>
              {t('case.report.requiredDocuments')}: {report.requiredDocuments.join(lang === 'zh' ? '、' : ', ')}
            </Typography.Paragraph>
          )}
          {screens.md === false ? (
            <List
              dataSource={report.results}
              data-testid="oversize-checks"
              renderItem={(c: Check) => (
                <List.Item>
                  <Card size="small" style={{ width: '100%' }} title={`${c.id} ${lang === 'zh' ? c.titleZh : c.title}`} extra={<VerdictTag verdict={c.verdict} t={t} />}>
                    <div>{c.explanation}</div>
                    <Typography.Text type="secondary">
                      {t(`category.${c.category}`)} · {c.source}
                    </Typography.Text>
                  </Card>
                </List.Item>
              )}
            />
          ) : (
            <Table<Check>
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={report.results}
              data-testid="oversize-checks"
              rowClassName={(c) => (c.verdict === 'fail' ? 'row-overdue' : c.verdict === 'needs_review' ? 'row-reminder' : '')}
              columns={[
                { title: 'ID', dataIndex: 'id', width: 56 },
                { title: t('case.report.category'), dataIndex: 'category', width: 80, render: (c: Check['category']) => t(`category.${c}`) },
                { title: t('case.report.check'), key: 'title', width: 200, render: (_: unknown, c) => (lang === 'zh' ? c.titleZh : c.title) },
                { title: t('case.report.verdict'), dataIndex: 'verdict', width: 110, render: (v: Check['verdict']) => <VerdictTag verdict={v} t={t} /> },
                {
                  title: t('case.report.explanation'),
                  key: 'explanation',
                  render: (_: unknown, c) => (
                    <>
                      <div>{c.explanation}</div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('case.report.source')}: {c.source}
                      </Typography.Text>
                    </>
                  ),
                },
              ]}
            />
          )}
        </>
      )}
      {report && !isOversize(report) && (
        <>
          <Typography.Text type="secondary">{t('case.report.findingsSource', { source: report.source })}</Typography.Text>
          {report.error && <Alert type="warning" showIcon message={t('case.report.error', { error: report.error })} />}
          <ul style={{ margin: 0, paddingLeft: 20 }} data-testid="findings">
            {report.findings.map((f, i) => (
              <li key={i}>
                <VerdictTag verdict={f.ok ? 'pass' : 'fail'} t={t} /> <strong>{lang === 'zh' && f.checkZh ? f.checkZh : f.check}</strong>: {f.detail}
              </li>
            ))}
          </ul>
        </>
      )}
    </Space>
  );
}
