/**
 * The applicant's tracking page (issue 12 item 2): `/track` asks for the case number and the access code from the
 * submission receipt; `/track/<caseNo>` shows the case (GET /api/v1/track/{caseNo} with the X-Access-Code header).
 * The code lives in sessionStorage only (tracking-session.ts), never in the URL.
 *
 * Shown: status, progress across departments (each step with its department, status and deadline), the deadline and
 * paused time, what is missing while a supplement is requested with a field per item to supply it (POST
 * /track/{caseNo}/supplements), the written reasons of a refusal and its written decision (printable on its own), and
 * the certificates with their print view and public verification. Larger-text mode (LargeText.tsx) for the age-friendly rules.
 */
import { Alert, Button, Card, Descriptions, Form, Grid, Input, List, Space, Steps, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiFailure, unwrap, type Schemas } from '../../api/client';
import { departmentLabel, useCatalogue } from '../../catalogue';
import { ErrorAlert, Loading, usePageTitle } from '../../components/Feedback';
import { TONE } from '../../components/tones';
import { formatInstant } from '../../format';
import { useBilingual, useI18n, type MessageKey } from '../../i18n';
import { LargeTextScope } from './LargeText';
import {
  ACCESS_CODE,
  CASE_NO,
  clearTrackingSession,
  codeOfVerifyPath,
  normaliseAccessCode,
  readTrackingSession,
  saveTrackingSession,
  type TrackingSession,
} from './tracking-session';

type TrackingView = Schemas['TrackingView'];
type Step = Schemas['CaseStep'];
type Department = Schemas['Department'];
/** The document's nullable references (`X | null`) come out of openapi-typescript as `X | unknown`. */
const bilingualOrNull = (v: unknown) => v as Schemas['Bilingual'] | null;

/** The reference forms the API accepts for a supplied material (workflows/messages.ts materialRefSchema). */
const REFERENCE = /^(upload:[A-Za-z0-9._-]{1,128}|cert:[A-Za-z0-9-]{1,64})$/;

export const CASE_TONE: Record<string, string> = {
  in_review: TONE.blue,
  awaiting_supplement: TONE.orange,
  issuing: TONE.blue,
  completed: TONE.green,
  rejected: TONE.red,
  withdrawn: TONE.gray,
  not_accepted: TONE.red,
};

const STEP_STATE: Record<string, 'wait' | 'process' | 'finish' | 'error'> = {
  waiting: 'wait',
  checking: 'process',
  open: 'process',
  supplement_requested: 'process',
  approved: 'finish',
  rejected: 'error',
  skipped: 'finish',
  cancelled: 'wait',
};

export function fetchTracking(s: TrackingSession): Promise<TrackingView> {
  return unwrap(api.GET('/api/v1/track/{caseNo}', { params: { path: { caseNo: s.caseNo }, header: { 'x-access-code': s.accessCode } } }));
}

function Section({ id, title, children, testId }: { id: string; title: string; children: ReactNode; testId?: string }) {
  return (
    <section aria-labelledby={id} data-testid={testId} style={{ marginBottom: 16 }}>
      <Card title={<h2 id={id}>{title}</h2>}>{children}</Card>
    </section>
  );
}

export default function TrackPage() {
  const params = useParams();
  const navigate = useNavigate();
  const urlCaseNo = (params['*'] ?? '').split('/')[0] ?? '';
  const [session, setSession] = useState<TrackingSession | null>(readTrackingSession);
  const active = session && (!urlCaseNo || urlCaseNo === session.caseNo) ? session : null;

  // A session for this tab and a bare /track: show that case (its number in the URL, the code not).
  useEffect(() => {
    if (active && !urlCaseNo) void navigate(`/track/${encodeURIComponent(active.caseNo)}`, { replace: true });
  }, [active, urlCaseNo, navigate]);

  const signOut = useCallback(() => {
    clearTrackingSession();
    setSession(null);
    void navigate('/track');
  }, [navigate]);

  return (
    <LargeTextScope>
      {active ? (
        <TrackedCase key={active.caseNo} session={active} onSignOut={signOut} />
      ) : (
        <TrackSignIn
          initialCaseNo={urlCaseNo}
          onSignedIn={(s) => {
            saveTrackingSession(s);
            setSession(s);
            void navigate(`/track/${encodeURIComponent(s.caseNo)}`);
          }}
        />
      )}
    </LargeTextScope>
  );
}

function TrackSignIn({ initialCaseNo, onSignedIn }: { initialCaseNo: string; onSignedIn: (s: TrackingSession) => void }) {
  const { t } = useI18n();
  usePageTitle(t('track.title'));
  const [form] = Form.useForm<{ caseNo: string; accessCode: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (v: { caseNo: string; accessCode: string }) => {
    const s = { caseNo: v.caseNo.trim().toUpperCase(), accessCode: normaliseAccessCode(v.accessCode) };
    setBusy(true);
    setError(null);
    try {
      await fetchTracking(s);
      onSignedIn(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Typography.Title level={1}>{t('track.title')}</Typography.Title>
      <Card>
        <Typography.Paragraph>{t('track.intro')}</Typography.Paragraph>
        <Form
          form={form}
          layout="vertical"
          requiredMark="optional"
          initialValues={{ caseNo: initialCaseNo, accessCode: '' }}
          onFinish={(v) => void submit(v)}
          data-testid="track-sign-in"
          style={{ maxWidth: 520 }}
        >
          <Form.Item
            name="caseNo"
            label={t('track.caseNo')}
            extra={t('track.caseNoHelp')}
            rules={[
              { required: true, whitespace: true, message: t('track.caseNoRequired') },
              { validator: async (_r, value: string) => (value && !CASE_NO.test(value.trim().toUpperCase()) ? Promise.reject(new Error(t('track.caseNoHelp'))) : undefined) },
            ]}
          >
            <Input autoComplete="off" spellCheck={false} data-testid="track-case-no" />
          </Form.Item>
          <Form.Item
            name="accessCode"
            label={t('track.accessCode')}
            extra={t('track.accessCodeHelp')}
            rules={[
              { required: true, whitespace: true, message: t('track.accessCodeRequired') },
              { validator: async (_r, value: string) => (value && !ACCESS_CODE.test(normaliseAccessCode(value)) ? Promise.reject(new Error(t('track.accessCodeInvalid'))) : undefined) },
            ]}
          >
            <Input.Password autoComplete="off" spellCheck={false} data-testid="track-access-code" />
          </Form.Item>
          {error != null &&
            (error instanceof ApiFailure && error.status === 404 ? (
              <Alert type="error" role="alert" showIcon message={t('track.notFound')} style={{ marginBottom: 16 }} data-testid="track-not-found" />
            ) : (
              <div style={{ marginBottom: 16 }}>
                <ErrorAlert error={error} />
              </div>
            ))}
          <Button type="primary" htmlType="submit" loading={busy} data-testid="track-submit">
            {t('track.submit')}
          </Button>
        </Form>
      </Card>
    </>
  );
}

function TrackedCase({ session, onSignOut }: { session: TrackingSession; onSignOut: () => void }) {
  const { t, lang } = useI18n();
  const name = useBilingual();
  // Department names as the city's catalogue names them (public), so a department added with the city file has its name.
  const catalogue = useCatalogue();
  const dept = (d: string) => name(departmentLabel(catalogue, d), d);
  usePageTitle(t('track.caseHeading', { caseNo: session.caseNo }));
  const [view, setView] = useState<TrackingView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Phones: labels above values, so neither is squeezed to two characters a line (larger-text mode especially).
  const narrow = !Grid.useBreakpoint().sm;

  const load = useCallback(async () => {
    setError(null);
    try {
      const v = await fetchTracking(session);
      setView(v);
      return v;
    } catch (err) {
      // The code no longer opens the case (or never did): back to the sign-in.
      if (err instanceof ApiFailure && err.status === 404) onSignOut();
      else setError(err);
      return null;
    }
  }, [session, onSignOut]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!view) return error ? <ErrorAlert error={error} onRetry={() => void load()} /> : <Loading />;

  const caseStatus = t(`pub.caseStatus.${view.status}` as MessageKey);
  return (
    <>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1} style={{ marginBottom: 0 }}>
          {t('track.caseHeading', { caseNo: view.caseNo })}
        </Typography.Title>
        <Space wrap>
          <Button onClick={() => void load()} data-testid="track-refresh">
            {t('track.refresh')}
          </Button>
          <Button onClick={onSignOut} data-testid="track-sign-out">
            {t('track.signOut')}
          </Button>
        </Space>
      </Space>
      {error != null && <ErrorAlert error={error} onRetry={() => void load()} />}
      {notice && <Alert type="success" role="status" showIcon message={notice} style={{ margin: '12px 0' }} data-testid="supplement-sent" />}

      <Section id="track-summary" title={t('track.status')} testId="track-summary">
        <Descriptions column={{ xs: 1, sm: 1, md: 2 }} bordered size="small" layout={narrow ? 'vertical' : 'horizontal'}>
          <Descriptions.Item label={t('track.service')}>{name(bilingualOrNull(view.service.name), view.service.code)}</Descriptions.Item>
          <Descriptions.Item label={t('track.status')}>
            <Tag color={CASE_TONE[view.status]} data-testid="track-status" data-status={view.status}>
              {caseStatus}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('track.acceptedAt')}>{formatInstant(view.acceptedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('track.deadline')}>
            <span data-testid="track-deadline">{formatInstant(view.deadline)}</span>
            {view.deadlineProvisional && t('track.provisional')}
            {view.overdue && (
              <Tag color={TONE.red} style={{ marginLeft: 8 }}>
                {t('track.overdue')}
              </Tag>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('track.pausedLabel')}>
            <span data-testid="track-paused">
              {view.pausedSince
                ? t('track.pausedSince', { at: formatInstant(view.pausedSince) })
                : view.pausedWorkingDays > 0
                  ? t('track.paused', { n: view.pausedWorkingDays })
                  : t('track.notPaused')}
              {view.pausedSince && view.pausedWorkingDays > 0 && `；${t('track.paused', { n: view.pausedWorkingDays })}`}
            </span>
          </Descriptions.Item>
          {view.pendingDepartments.length > 0 && (
            <Descriptions.Item label={t('track.pending')}>{view.pendingDepartments.map(dept).join(lang === 'zh' ? '、' : ', ')}</Descriptions.Item>
          )}
        </Descriptions>
        {view.status === 'completed' && <Alert type="success" showIcon message={t('track.completed')} style={{ marginTop: 12 }} />}
        {view.status === 'withdrawn' && <Alert type="info" showIcon message={t('track.withdrawn')} style={{ marginTop: 12 }} />}
      </Section>

      {view.status === 'awaiting_supplement' && view.outstandingSupplement.length > 0 && (
        <SupplementForm
          session={session}
          view={view}
          onSent={() => {
            setNotice(t('track.supplement.sent'));
            void pollUntilResumed(load);
          }}
        />
      )}

      {view.status === 'rejected' && <Refusal view={view} />}
      {view.decision ? <WrittenDecision decision={view.decision as Schemas['WrittenDecision']} /> : null}

      <Section id="track-progress" title={t('track.progress')} testId="track-progress">
        <Steps direction="vertical" size="small" current={-1} items={view.steps.map((s) => stepItem(s, t, name, dept))} />
      </Section>

      <Section id="track-certificates" title={t('track.certificates')} testId="track-certificates">
        {view.certificates.length === 0 ? (
          <Typography.Paragraph style={{ margin: 0 }}>{t('track.certificates.none')}</Typography.Paragraph>
        ) : (
          <List
            dataSource={view.certificates}
            renderItem={(c) => {
              const label = name(bilingualOrNull(c.name), c.type);
              const code = codeOfVerifyPath(c.verifyPath);
              return (
                <List.Item data-testid="track-certificate" data-certificate-no={c.no}>
                  <Space direction="vertical" size={4}>
                    <span style={{ fontWeight: 600 }}>
                      {label} · {c.no}
                    </span>
                    <span>
                      {t('track.certificates.validUntil', { day: c.validUntil })}
                      {c.revoked && (
                        <Tag color={TONE.red} style={{ marginLeft: 8 }}>
                          {t('track.certificates.revoked')}
                        </Tag>
                      )}
                    </span>
                    <Space wrap>
                      <Link to={`/certificates/${encodeURIComponent(c.no)}/print`} data-testid="certificate-print-link">
                        {t('track.certificates.print', { name: label })}
                      </Link>
                      {code && (
                        <Link to={`/verify/${code}`} data-testid="certificate-verify-link">
                          {t('track.certificates.verify', { no: c.no })}
                        </Link>
                      )}
                    </Space>
                  </Space>
                </List.Item>
              );
            }}
          />
        )}
      </Section>
    </>
  );
}

/** After a supplement the workflow resumes asynchronously: re-read a few times until the case leaves the waiting state. */
async function pollUntilResumed(load: () => Promise<TrackingView | null>): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const v = await load();
    if (!v || v.status !== 'awaiting_supplement') return;
  }
}

function stepItem(s: Step, t: ReturnType<typeof useI18n>['t'], name: ReturnType<typeof useBilingual>, dept: (code: string) => string) {
  const department = s.department as Department | null;
  const last = [...s.decisions].reverse().find((d) => d.decision !== 'automatic' || s.status === 'rejected');
  return {
    key: s.id,
    status: STEP_STATE[s.status] ?? 'wait',
    title: <span data-testid="track-step" data-step={s.id} data-status={s.status}>{name(s.name, s.id)}</span>,
    description: (
      <Space direction="vertical" size={0}>
        <span>
          {department ? `${dept(department)} · ` : ''}
          <strong>{t(`pub.stepStatus.${s.status}` as MessageKey)}</strong>
          {s.deadline && (s.status === 'open' || s.status === 'supplement_requested') ? ` · ${t('track.stepDeadline', { at: formatInstant(s.deadline) })}` : ''}
        </span>
        {last && last.comment && (s.status === 'rejected' || s.status === 'supplement_requested') && <span>{last.comment}</span>}
      </Space>
    ),
  };
}

function Refusal({ view }: { view: TrackingView }) {
  const { t } = useI18n();
  const comments = view.steps.filter((s) => s.status === 'rejected').flatMap((s) => s.decisions.filter((d) => d.decision === 'reject' || d.decision === 'automatic').map((d) => d.comment));
  const reasons = view.reasons.length > 0 ? view.reasons : comments.filter(Boolean);
  return (
    <Section id="track-refusal" title={t('track.refused.title')} testId="track-refusal">
      <Typography.Paragraph>{t('track.refused.intro')}</Typography.Paragraph>
      {reasons.length > 0 ? (
        <ol data-testid="refusal-reasons">
          {reasons.map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ol>
      ) : (
        <Typography.Paragraph>{t('track.refused.none')}</Typography.Paragraph>
      )}
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t('track.refused.rights')}
      </Typography.Paragraph>
    </Section>
  );
}

/**
 * The written decision of a refusal (不予受理 or 不予许可) as the authority issues it: its Chinese text, printable on its
 * own. Printing marks the body for the print stylesheet (public.css), which shows only the decision on paper.
 */
function WrittenDecision({ decision }: { decision: Schemas['WrittenDecision'] }) {
  const { t } = useI18n();
  const print = () => {
    document.body.classList.add('print-decision');
    window.addEventListener('afterprint', () => document.body.classList.remove('print-decision'), { once: true });
    window.print();
  };
  const note = t('track.decision.language');
  return (
    <Section id="track-decision" title={t('track.decision.title')} testId="track-decision">
      {note && <Typography.Paragraph type="secondary">{note}</Typography.Paragraph>}
      <div className="decision-document" lang="zh-CN" data-testid="decision-document" data-decision-no={decision.decisionNo} data-kind={decision.kind}>
        {decision.text}
      </div>
      <Button className="no-print" onClick={print} style={{ marginTop: 12 }} data-testid="decision-print-button">
        {t('track.decision.print')}
      </Button>
    </Section>
  );
}

function SupplementForm({ session, view, onSent }: { session: TrackingSession; view: TrackingView; onSent: () => void }) {
  const { t } = useI18n();
  const name = useBilingual();
  const [form] = Form.useForm<Record<string, string>>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // One key per supplement request: a double click or a resend after a lost answer is the same message to the API.
  const idempotencyKey = useRef(`track-${crypto.randomUUID()}`);
  const narrow = !Grid.useBreakpoint().sm;

  const submit = async (values: Record<string, string>) => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/track/{caseNo}/supplements', {
          params: { path: { caseNo: session.caseNo }, header: { 'x-access-code': session.accessCode } },
          headers: { 'Idempotency-Key': idempotencyKey.current },
          body: {
            materials: view.outstandingSupplement.map((m, i) => ({ material: m.material, reference: (values[`ref${i}`] ?? '').trim() })),
            ...(values.comment?.trim() ? { comment: values.comment.trim() } : {}),
          },
        }),
      );
      onSent();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section id="track-supplement" title={t('track.supplement.title')} testId="supplement-section">
      <Typography.Paragraph>{t('track.supplement.intro')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} data-testid="supplement-form">
        {view.outstandingSupplement.map((m, i) => {
          // Names, never codes: the applicant reads 承运人责任保险凭证 and 教育局, not `insurance` and `education`.
          const material = name(bilingualOrNull(m.materialName), m.material);
          const asker = bilingualOrNull(m.departmentName);
          return (
            <div className="supplement-row" key={`${m.material}-${i}`} data-testid="supplement-item" data-material={m.material}>
              <Descriptions column={1} size="small" bordered layout={narrow ? 'vertical' : 'horizontal'} style={{ marginBottom: 12 }}>
                <Descriptions.Item label={t('track.supplement.material')}>
                  <span data-testid="supplement-material">{material}</span>
                </Descriptions.Item>
                {asker && (
                  <Descriptions.Item label={t('track.supplement.department')}>
                    <span data-testid="supplement-department">{name(asker)}</span>
                  </Descriptions.Item>
                )}
                <Descriptions.Item label={t('track.supplement.reason')}>
                  <span data-testid="supplement-reason">{m.reason}</span>
                </Descriptions.Item>
              </Descriptions>
              <Form.Item
                name={`ref${i}`}
                label={t('track.supplement.reference', { material })}
                extra={t('track.supplement.referenceHelp')}
                rules={[
                  { required: true, whitespace: true, message: t('track.supplement.referenceRequired') },
                  { pattern: REFERENCE, message: t('track.supplement.referenceInvalid') },
                ]}
              >
                <Input autoComplete="off" spellCheck={false} placeholder="upload:… / cert:…" data-testid={`supplement-reference-${i}`} />
              </Form.Item>
            </div>
          );
        })}
        <Form.Item name="comment" label={t('track.supplement.comment')}>
          <Input.TextArea rows={2} maxLength={2000} data-testid="supplement-comment" />
        </Form.Item>
        {error != null && (
          <div style={{ marginBottom: 16 }}>
            <ErrorAlert error={error} />
          </div>
        )}
        <Button type="primary" htmlType="submit" loading={busy} data-testid="supplement-submit">
          {t('track.supplement.submit')}
        </Button>
      </Form>
    </Section>
  );
}
