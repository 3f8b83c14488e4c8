/**
 * Reviewer sign-in. Development: pick a department and one of the seeded reviewers (GET /dev/reviewers), and the API
 * mints the same dev token as `npm run token` (POST /dev/token). Production (the API has no dev routes): paste the
 * bearer token from the city's identity system (docs/frontend.md). Either way the token stays in this tab.
 */
import { Alert, Button, Card, Form, Input, Select, Tabs, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorAlert, Loading, usePageTitle } from '../../components/Feedback';
import { useBilingual, useT } from '../../i18n';
import { useSession, type Department } from '../../session';
import { useUiConfig } from '../../ui-config';

export function SignInPage() {
  const t = useT();
  const { expired } = useSession();
  usePageTitle(t('signIn.title'));
  const ui = useUiConfig();

  return (
    <div style={{ maxWidth: 520, margin: '24px auto' }}>
      <Card>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          {t('signIn.title')}
        </Typography.Title>
        {expired && <Alert type="warning" role="alert" showIcon message={t('signIn.expired')} style={{ marginBottom: 16 }} />}
        {ui.loading ? (
          <Loading />
        ) : ui.config?.devSignIn ? (
          <Tabs
            items={[
              { key: 'dev', label: t('signIn.devTab'), children: <DevSignIn /> },
              { key: 'token', label: t('signIn.tokenTab'), children: <TokenSignIn /> },
            ]}
          />
        ) : (
          <TokenSignIn />
        )}
      </Card>
    </div>
  );
}

/**
 * After signing in: back where the user was sent from when the session expired (or before anyone signed in), else the
 * queue. After an explicit sign-out never back: the page the last reviewer left open is theirs, not the next person's
 * (RequireReviewer already leaves `from` out then; this also covers a `from` left in the history entry's state).
 */
function useAfterSignIn(): () => void {
  const navigate = useNavigate();
  const location = useLocation();
  const { ended } = useSession();
  const from = ended === 'signed_out' ? undefined : (location.state as { from?: string } | null)?.from;
  return () => void navigate(from && from.startsWith('/workbench') ? from : '/workbench', { replace: true });
}

function DevSignIn() {
  const t = useT();
  const name = useBilingual();
  const { signIn } = useSession();
  const done = useAfterSignIn();
  const [data, setData] = useState<Schemas['DevReviewers'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [department, setDepartment] = useState<Department | undefined>();
  const [reviewer, setReviewer] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const load = () => {
    setError(null);
    unwrap(api.GET('/api/v1/dev/reviewers')).then(setData, setError);
  };
  useEffect(load, []);

  const reviewers = useMemo(() => (data?.reviewers ?? []).filter((r) => r.department === department), [data, department]);

  const submit = async () => {
    if (!department) return;
    setBusy(true);
    setError(null);
    try {
      const res = await unwrap(api.POST('/api/v1/dev/token', { body: { role: 'reviewer', department, ...(reviewer ? { sub: reviewer } : {}) } }));
      if (signIn(res.token)) done();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (!data && !error) return <Loading />;
  return (
    <Form layout="vertical" onFinish={() => void submit()} data-testid="dev-sign-in">
      <Typography.Paragraph>{t('signIn.devIntro')}</Typography.Paragraph>
      {error !== null && <ErrorAlert error={error} onRetry={load} />}
      <Form.Item label={t('signIn.department')} htmlFor="signin-department" required>
        <Select
          id="signin-department"
          value={department}
          onChange={(d: Department) => {
            setDepartment(d);
            setReviewer(data?.reviewers.find((r) => r.department === d)?.id);
          }}
          options={(data?.departments ?? []).map((d) => ({ value: d.code, label: name(d.name) }))}
        />
      </Form.Item>
      <Form.Item label={t('signIn.reviewer')} htmlFor="signin-reviewer">
        <Select
          id="signin-reviewer"
          value={reviewer}
          onChange={setReviewer}
          disabled={!department}
          options={reviewers.map((r) => ({ value: r.id, label: `${r.name} (${r.id})` }))}
        />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} disabled={!department} block>
        {t('signIn.submit')}
      </Button>
    </Form>
  );
}

function TokenSignIn() {
  const t = useT();
  const { signIn } = useSession();
  const done = useAfterSignIn();
  const [problem, setProblem] = useState<string | null>(null);
  const [token, setToken] = useState('');

  const submit = () => {
    const claims = signIn(token);
    if (!claims) return setProblem(t('signIn.tokenInvalid'));
    if (claims.role !== 'reviewer') return setProblem(t('signIn.notReviewer', { role: claims.role }));
    setToken('');
    done();
  };

  return (
    <Form layout="vertical" onFinish={submit} data-testid="token-sign-in">
      <Typography.Paragraph>{t('signIn.tokenIntro')}</Typography.Paragraph>
      {problem && <Alert type="error" role="alert" showIcon message={problem} style={{ marginBottom: 16 }} />}
      <Form.Item label={t('signIn.token')} htmlFor="signin-token" required>
        <Input.Password id="signin-token" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" spellCheck={false} />
      </Form.Item>
      <Button type="primary" htmlType="submit" disabled={!token.trim()} block>
        {t('signIn.tokenSubmit')}
      </Button>
    </Form>
  );
}
