/**
 * One case as the deciding reviewer sees it (GET /api/v1/cases/{caseNo}: the form in clear for a department that
 * decides on it): the summary, the department's task with the decision controls, then the form, the materials
 * (referenced certificates open their print view), the automatic reports, every department's steps and decisions,
 * and the timeline; a link opens the case's workflow in the Temporal UI. Once issued, the case's certificates are
 * listed after the summary, each opening its print view and its public verification.
 */
import { Alert, Button, Card, Col, Descriptions, Grid, List, Row, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorAlert, Loading, usePageTitle } from '../../components/Feedback';
import { departmentLabel, formSchemaOf, useCatalogue } from '../../catalogue';
import { formatInstant } from '../../format';
import { hasMessage, useBilingual, useI18n, type MessageKey } from '../../i18n';
import { useSession } from '../../session';
import { TONE } from '../../components/tones';
import { temporalWorkflowUrl, useUiConfig } from '../../ui-config';
import { AutomaticReport } from './AutomaticReport';
import { DecisionPanel } from './DecisionPanel';
import { Tree, type Json } from './FormTree';
import { DaysLeft, Flags } from './QueuePage';

type CaseView = Schemas['CaseView'];
type Step = Schemas['CaseStep'];
type Task = Schemas['ReviewTask'];

const STATUS_COLOR: Record<string, string> = {
  in_review: TONE.blue,
  awaiting_supplement: TONE.orange,
  issuing: TONE.blue,
  completed: TONE.green,
  rejected: TONE.red,
  withdrawn: TONE.gray,
  open: TONE.blue,
  checking: TONE.blue,
  supplement_requested: TONE.orange,
  approved: TONE.green,
  skipped: TONE.gray,
  cancelled: TONE.gray,
  waiting: TONE.gray,
};

function Section({ id, title, children, testId }: { id: string; title: string; children: ReactNode; testId?: string }) {
  return (
    <section aria-labelledby={id} data-testid={testId} style={{ marginBottom: 16 }}>
      <Card
        title={
          <h2 id={id} style={{ fontSize: 18, margin: 0 }}>
            {title}
          </h2>
        }
      >
        {children}
      </Card>
    </section>
  );
}

export function CasePage() {
  const { caseNo = '' } = useParams();
  const { t, lang } = useI18n();
  const name = useBilingual();
  const { claims } = useSession();
  const ui = useUiConfig();
  const catalogue = useCatalogue();
  const screens = Grid.useBreakpoint();
  usePageTitle(t('case.title', { caseNo }));

  const [view, setView] = useState<CaseView | null>(null);
  const [tasks, setTasks] = useState<Task[]>([]);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(() => {
    setError(null);
    Promise.all([
      unwrap(api.GET('/api/v1/cases/{caseNo}', { params: { path: { caseNo } } })),
      unwrap(api.GET('/api/v1/reviews', { params: { query: { status: 'open', limit: 500 } } })),
    ]).then(([v, q]) => {
      setView(v);
      setTasks(q.tasks.filter((x) => x.caseNo === caseNo));
    }, setError);
  }, [caseNo]);
  useEffect(load, [load]);

  // A decision reaches the case through its workflow: read again shortly after, once more a little later. The later
  // read is cancelled when the page goes (a sign-out right after a decision would otherwise send it without a token).
  const reread = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(reread.current), []);
  const afterChange = useCallback(() => {
    load();
    window.clearTimeout(reread.current);
    reread.current = window.setTimeout(load, 1500);
  }, [load]);

  if (!view) {
    return (
      <>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t('case.title', { caseNo })}
        </Typography.Title>
        {error !== null ? <ErrorAlert error={error} onRetry={load} /> : <Loading />}
        <Link to="/workbench">← {t('case.backToQueue')}</Link>
      </>
    );
  }

  const service = catalogue.get(view.service);
  const stepName = (s: Step) => name(s.name, s.id);
  const temporalUrl = temporalWorkflowUrl(ui.config, view.caseNo);
  const form = view.form as ({ [key: string]: Json } & { scenarioAnswers?: Record<string, string>; materials?: { material: string; reference: string }[] }) | undefined;
  const checks = view.steps.filter((s) => s.check);
  // Event types the app knows get a label; a new one shows as its code rather than nothing.
  const eventLabel = (type: string) => (hasMessage(`event.${type}`) ? t(`event.${type}` as MessageKey) : type);

  return (
    <>
      <Space wrap align="center" style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }}>
        <Space wrap align="center">
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0, overflowWrap: 'anywhere' }}>
            {t('case.title', { caseNo: view.caseNo })}
          </Typography.Title>
          <Tag color={STATUS_COLOR[view.status]} data-testid="case-status">
            {t(`caseStatus.${view.status}`)}
          </Tag>
        </Space>
        <Space wrap>
          <Link to="/workbench">← {t('case.backToQueue')}</Link>
          {temporalUrl && (
            <a href={temporalUrl} target="_blank" rel="noopener noreferrer" data-testid="temporal-link">
              {t('case.temporal')} ↗
            </a>
          )}
          <Button onClick={load}>{t('action.refresh')}</Button>
        </Space>
      </Space>
      {error !== null && <ErrorAlert error={error} onRetry={load} />}

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Section id="case-summary" title={name(service?.name, view.service)}>
            <Descriptions size="small" column={screens.md ? 2 : 1} bordered>
              <Descriptions.Item label={t('case.applicant')}>
                {view.applicant.name} ({view.applicant.key})
              </Descriptions.Item>
              <Descriptions.Item label={t('case.channel')}>{t(`case.channel.${view.channel}`)}</Descriptions.Item>
              <Descriptions.Item label={t('case.acceptedAt')}>{formatInstant(view.acceptedAt)}</Descriptions.Item>
              <Descriptions.Item label={t('case.deadline')}>
                {formatInstant(view.deadline)}
                {view.deadlineProvisional && t('case.provisional')} {view.overdue && <Tag color={TONE.red}>{t('queue.overdue')}</Tag>}
              </Descriptions.Item>
              {view.pausedWorkingDays > 0 && <Descriptions.Item label={t('case.status')}>{t('case.paused', { n: view.pausedWorkingDays })}</Descriptions.Item>}
              {view.pendingDepartments.length > 0 && (
                <Descriptions.Item label={t('case.pending')}>{view.pendingDepartments.map((d) => name(departmentLabel(catalogue, d))).join(lang === 'zh' ? '、' : ', ')}</Descriptions.Item>
              )}
            </Descriptions>
            {view.pausedSince && <Alert style={{ marginTop: 12 }} type="warning" showIcon message={t('case.pausedSince', { at: formatInstant(view.pausedSince) })} />}
            {view.outstandingSupplement.length > 0 && (
              <Alert
                style={{ marginTop: 12 }}
                type="warning"
                showIcon
                message={t('decide.missing')}
                description={
                  <ul style={{ margin: 0 }}>
                    {view.outstandingSupplement.map((m, i) => (
                      <li key={i}>
                        {name(service?.materials.find((x) => x.id === m.material)?.name, m.material)}: {m.reason}
                      </li>
                    ))}
                  </ul>
                }
              />
            )}
            {view.reasons.length > 0 && (
              <Alert
                style={{ marginTop: 12 }}
                type={view.status === 'rejected' ? 'error' : 'info'}
                showIcon
                message={t('case.report.reasons')}
                description={
                  <ul style={{ margin: 0 }}>
                    {view.reasons.map((r, i) => (
                      <li key={i}>{r}</li>
                    ))}
                  </ul>
                }
              />
            )}
          </Section>
        </Col>
        <Col xs={24} lg={8}>
          <Section id="case-task" title={t('case.yourTask')} testId="your-task">
            {tasks.length === 0 ? (
              <Typography.Paragraph style={{ margin: 0 }}>{t('case.noTask')}</Typography.Paragraph>
            ) : (
              tasks.map((task) => (
                <div key={task.taskId} data-testid="task-panel">
                  <Typography.Paragraph>
                    <strong>{name(service?.reviewPlan.find((s) => s.id === task.stepId)?.name, task.stepId)}</strong>
                    <br />
                    {t('queue.deadline')}: {formatInstant(task.deadline)} <DaysLeft task={task} t={t} /> <Flags task={task} t={t} />
                    <br />
                    {t('queue.claimedBy')}: {task.claimedBy ?? t('queue.unclaimed')}
                  </Typography.Paragraph>
                  <DecisionPanel task={task} me={claims!.sub} service={service} onChanged={afterChange} />
                </div>
              ))
            )}
          </Section>
        </Col>
      </Row>

      <Section id="case-certificates" title={t('case.certificates')} testId="case-certificates">
        <CertificateList certificates={view.certificates} service={service} />
      </Section>

      <Section id="case-form" title={t('case.tab.form')} testId="case-form">
        {!form ? (
          <Typography.Text>{t('case.formHidden')}</Typography.Text>
        ) : 'personalDataPurgedAt' in form ? (
          <Typography.Text>{t('case.formPurged', { at: formatInstant(String(form.personalDataPurgedAt)) })}</Typography.Text>
        ) : (
          <>
            <Tree value={form} exclude={['scenarioAnswers', 'materials']} schema={formSchemaOf(service)} />
            {form.scenarioAnswers && Object.keys(form.scenarioAnswers).length > 0 && (
              <>
                <Typography.Title level={3} style={{ fontSize: 16, marginTop: 16 }}>
                  {t('case.scenario')}
                </Typography.Title>
                <ul>
                  {Object.entries(form.scenarioAnswers).map(([q, a]) => {
                    const scenario = service?.scenarios.find((s) => s.id === q);
                    const option = scenario?.options.find((o) => o.value === a);
                    return (
                      <li key={q}>
                        {name(scenario?.question, q)}: {name(option?.label, a)}
                      </li>
                    );
                  })}
                </ul>
              </>
            )}
          </>
        )}
      </Section>

      <Section id="case-materials" title={t('case.tab.materials')} testId="case-materials">
        <List
          size="small"
          dataSource={form?.materials ?? []}
          locale={{ emptyText: t('case.materials.none') }}
          renderItem={(m) => {
            const cert = /^cert:(.+)$/.exec(m.reference)?.[1];
            const upload = /^upload:(.+)$/.exec(m.reference)?.[1];
            return (
              <List.Item>
                <span>
                  <strong>{name(service?.materials.find((x) => x.id === m.material)?.name, m.material)}</strong>
                  {': '}
                  {cert ? (
                    <a href={`/certificates/${encodeURIComponent(cert)}/print`} target="_blank" rel="noopener" aria-label={t('case.materials.openCertificate', { no: cert })} data-testid="material-certificate">
                      {t('case.materials.certificate', { no: cert })} ↗
                    </a>
                  ) : upload ? (
                    t('case.materials.upload', { id: upload })
                  ) : (
                    m.reference
                  )}
                </span>
              </List.Item>
            );
          }}
        />
      </Section>

      <Section id="case-report" title={t('case.tab.report')} testId="case-report">
        {checks.length === 0 ? (
          <Typography.Text>{t('case.report.none')}</Typography.Text>
        ) : (
          checks.map((s) => (
            <div key={`${s.id}-${s.round}`} style={{ marginBottom: 16 }}>
              <Typography.Title level={3} style={{ fontSize: 16 }}>
                {stepName(s)}
              </Typography.Title>
              <AutomaticReport check={s.check!} />
            </div>
          ))
        )}
      </Section>

      <Section id="case-steps" title={t('case.tab.steps')} testId="case-steps">
        <StepsList steps={view.steps} service={service} catalogue={catalogue} />
      </Section>

      <Section id="case-timeline" title={t('case.tab.timeline')} testId="case-timeline">
        <Timeline
          items={view.timeline.map((e) => ({
            key: e.seq,
            children: (
              <>
                <Typography.Text type="secondary">{formatInstant(e.at)}</Typography.Text> <strong>{eventLabel(e.type)}</strong>
                {e.actor && <> · {e.actor}</>}
                {e.detail && <div>{e.detail}</div>}
              </>
            ),
          }))}
        />
      </Section>
    </>
  );
}

/**
 * The certificates the case issued (the case view's `certificates`), each with its print view and the public
 * verification by number (the status, as anyone may see it). Names come from the service definition.
 */
function CertificateList({ certificates, service }: { certificates: CaseView['certificates']; service: Schemas['Service'] | undefined }) {
  const { t } = useI18n();
  const name = useBilingual();
  if (certificates.length === 0) return <Typography.Paragraph style={{ margin: 0 }}>{t('case.certificates.none')}</Typography.Paragraph>;
  return (
    <List
      size="small"
      dataSource={certificates}
      renderItem={(c) => {
        const label = name(service?.certificates.find((x) => x.type === c.type)?.name, c.type);
        return (
          <List.Item data-testid="case-certificate" data-certificate-no={c.no}>
            <Space wrap size={[12, 4]}>
              <strong>{label}</strong>
              <span style={{ overflowWrap: 'anywhere' }}>{c.no}</span>
              <span>{t('case.certificates.validUntil', { day: c.validUntil })}</span>
              {c.revoked && <Tag color={TONE.red}>{t('case.certificates.revoked')}</Tag>}
              <Link to={`/certificates/${encodeURIComponent(c.no)}/print`} aria-label={t('case.certificates.printLabel', { name: label, no: c.no })} data-testid="case-certificate-print">
                {t('case.certificates.print')}
              </Link>
              <Link to={`/verify/${encodeURIComponent(c.no)}`} aria-label={t('case.certificates.verifyLabel', { no: c.no })} data-testid="case-certificate-verify">
                {t('case.certificates.verify')}
              </Link>
            </Space>
          </List.Item>
        );
      }}
    />
  );
}

function Decisions({ step, service }: { step: Step; service: Schemas['Service'] | undefined }) {
  const { t } = useI18n();
  const name = useBilingual();
  if (step.decisions.length === 0) return <>—</>;
  return (
    <ul style={{ margin: 0, paddingLeft: 16 }}>
      {step.decisions.map((d, i) => (
        <li key={i}>
          <strong>{t(`decisionKind.${d.decision}`)}</strong> · {d.reviewer === 'system' ? t('steps.system') : d.reviewer} · {formatInstant(d.at)}
          {d.comment && <div>{d.comment}</div>}
          {d.missing && d.missing.length > 0 && (
            <ul>
              {d.missing.map((m, j) => (
                <li key={j}>
                  {name(service?.materials.find((x) => x.id === m.material)?.name, m.material)}: {m.reason}
                </li>
              ))}
            </ul>
          )}
          {d.ignoredReason && <Typography.Text type="secondary"> ({d.ignoredReason})</Typography.Text>}
        </li>
      ))}
    </ul>
  );
}

function StepsList({ steps, service, catalogue }: { steps: Step[]; service: Schemas['Service'] | undefined; catalogue: Map<string, Schemas['Service']> }) {
  const { t } = useI18n();
  const name = useBilingual();
  const screens = Grid.useBreakpoint();
  // The document types a nullable reference loosely (`Department | unknown`): narrow it to a known department.
  const dept = (s: Step) => (typeof s.department === 'string' ? name(departmentLabel(catalogue, s.department)) : '—');
  const status = (s: Step) => (
    <Tag color={STATUS_COLOR[s.status]} data-testid={`step-status-${s.id}`}>
      {t(`stepStatus.${s.status}`)}
    </Tag>
  );
  if (screens.md === false) {
    return (
      <List
        dataSource={steps}
        renderItem={(s) => (
          <List.Item>
            <div style={{ width: '100%' }}>
              <strong>{name(s.name, s.id)}</strong> {status(s)}
              <div>
                {dept(s)} · {formatInstant(s.deadline)}
              </div>
              <Decisions step={s} service={service} />
            </div>
          </List.Item>
        )}
      />
    );
  }
  return (
    <Table<Step>
      size="small"
      rowKey={(s) => `${s.id}-${s.round}`}
      pagination={false}
      dataSource={steps}
      columns={[
        { title: t('steps.step'), key: 'name', render: (_: unknown, s) => name(s.name, s.id) },
        { title: t('steps.department'), key: 'department', render: (_: unknown, s) => dept(s) },
        { title: t('steps.status'), key: 'status', render: (_: unknown, s) => status(s) },
        { title: t('steps.deadline'), key: 'deadline', render: (_: unknown, s) => formatInstant(s.deadline) },
        { title: t('steps.decisions'), key: 'decisions', render: (_: unknown, s) => <Decisions step={s} service={service} /> },
      ]}
    />
  );
}
