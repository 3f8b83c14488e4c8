/**
 * Public certificate verification (issue 12 item 4), no sign-in: `/verify` to type, `/verify/<code or number>` from a
 * certificate's QR code or a link.
 * - A verification code (16-32 letters and digits: what the QR code carries) asks GET /certificates/verify/{code}:
 *   the status, the signature check and the certificate from its signed payload, holder and plates masked by the API.
 * - A certificate number (guessable) asks GET /certificates/{no}/verify: the status and the signature check only.
 *   A code that is unknown is tried as a number too, so a typed number without hyphens still answers.
 * Status: valid, revoked, expired, tampered or unknown. Larger-text mode as on the tracking page.
 */
import { Button, Card, Descriptions, Form, Grid, Input, Result, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { formSchemaOf, serviceOfCertificate, useCatalogue } from '../../catalogue';
import { ErrorAlert, Loading, usePageTitle } from '../../components/Feedback';
import { formatInstant } from '../../format';
import { useI18n, type MessageKey } from '../../i18n';
import { fieldLabel, fieldText, orderedFields, orderedPaths } from '../certificates/field-labels';
import { LargeTextScope } from '../track/LargeText';

type Status = Schemas['CertificateVerification']['status'];
type PublicCertificate = Schemas['PublicCertificate'];

interface Outcome {
  query: string;
  by: 'code' | 'number';
  status: Status;
  signatureValid: boolean | null;
  revokedAt: string | null;
  certificate: PublicCertificate | null;
}

const CODE = /^[A-Za-z0-9]{16,32}$/;
const NUMBER = /^[A-Za-z0-9-]{1,64}$/;
const RESULT_ICON: Record<Status, 'success' | 'error' | 'warning' | 'info'> = { valid: 'success', revoked: 'error', expired: 'warning', tampered: 'error', unknown: 'info' };

async function verify(query: string): Promise<Outcome> {
  if (CODE.test(query)) {
    const r = await unwrap(api.GET('/api/v1/certificates/verify/{code}', { params: { path: { code: query } } }));
    if (r.status !== 'unknown' || !NUMBER.test(query)) {
      return { query, by: 'code', status: r.status, signatureValid: r.signatureValid, revokedAt: r.revokedAt, certificate: (r.certificate as PublicCertificate | null) ?? null };
    }
  }
  const r = await unwrap(api.GET('/api/v1/certificates/{no}/verify', { params: { path: { no: query } } }));
  return { query, by: 'number', status: r.status, signatureValid: r.signatureValid, revokedAt: null, certificate: null };
}

export default function VerifyPage() {
  const params = useParams();
  const navigate = useNavigate();
  const { t } = useI18n();
  usePageTitle(t('verify.title'));
  const query = decodeURIComponent((params['*'] ?? '').split('/')[0] ?? '').trim();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [form] = Form.useForm<{ query: string }>();

  useEffect(() => {
    form.setFieldsValue({ query });
    setOutcome(null);
    setError(null);
    if (!query || !NUMBER.test(query)) return;
    let live = true;
    verify(query).then(
      (o) => live && setOutcome(o),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [query, form]);

  return (
    <LargeTextScope>
      <Typography.Title level={1}>{t('verify.title')}</Typography.Title>
      <Card>
        <Typography.Paragraph>{t('verify.intro')}</Typography.Paragraph>
        <Form
          form={form}
          layout="vertical"
          initialValues={{ query }}
          onFinish={(v) => void navigate(`/verify/${encodeURIComponent(v.query.trim())}`)}
          data-testid="verify-form"
          style={{ maxWidth: 560 }}
        >
          <Form.Item
            name="query"
            label={t('verify.input')}
            rules={[
              { required: true, whitespace: true, message: t('verify.inputRequired') },
              { pattern: /^\s*[A-Za-z0-9-]{1,64}\s*$/, message: t('verify.inputInvalid') },
            ]}
          >
            <Input autoComplete="off" spellCheck={false} data-testid="verify-input" />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="verify-submit">
            {t('verify.submit')}
          </Button>
        </Form>
      </Card>
      {query && (
        <section aria-labelledby="verify-result" style={{ marginTop: 16 }} aria-live="polite">
          <Card title={<h2 id="verify-result">{t('verify.result')}</h2>}>
            {error != null ? <ErrorAlert error={error} /> : !outcome ? NUMBER.test(query) ? <Loading /> : <ErrorAlert error={new Error(t('verify.inputInvalid'))} /> : <VerifyResult o={outcome} />}
          </Card>
        </section>
      )}
    </LargeTextScope>
  );
}

function VerifyResult({ o }: { o: Outcome }) {
  const { t, lang } = useI18n();
  const c = o.certificate;
  const narrow = !Grid.useBreakpoint().sm;
  // Field titles, values and order from the issuing service's form schema (the catalogue is public).
  const catalogue = useCatalogue();
  const schema = c ? formSchemaOf(serviceOfCertificate(catalogue, c.type)) : null;
  const text = (b: { zh: string; en: string }) => b[lang] || b.zh;
  return (
    <div data-testid="verify-result" data-status={o.status}>
      <Result
        status={RESULT_ICON[o.status]}
        title={
          <span data-testid="verify-status" data-status={o.status} style={{ fontSize: '1.4em', fontWeight: 700 }}>
            {t(`verify.status.${o.status}` as MessageKey)}
          </span>
        }
        subTitle={<span style={{ color: 'rgba(0,0,0,0.75)' }}>{t(`verify.explain.${o.status}` as MessageKey)}</span>}
        style={{ padding: '16px 0' }}
      />
      <Descriptions column={1} bordered size="small" layout={narrow ? 'vertical' : 'horizontal'}>
        <Descriptions.Item label={t('verify.signature')}>
          <span data-testid="verify-signature" data-valid={String(o.signatureValid)}>
            {t(`verify.signature.${String(o.signatureValid)}` as MessageKey)}
          </span>
        </Descriptions.Item>
        {o.revokedAt && <Descriptions.Item label={t('verify.revokedAt')}>{formatInstant(o.revokedAt)}</Descriptions.Item>}
        {o.by === 'number' && <Descriptions.Item label={t('cert.no')}>{o.query}</Descriptions.Item>}
        {c && (
          <>
            <Descriptions.Item label={t('track.certificates')}>{text(c.name)}</Descriptions.Item>
            <Descriptions.Item label={t('cert.no')}>
              <span data-testid="verify-certificate-no">{c.no}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('cert.holder')}>
              <span data-testid="verify-holder">{c.holder.name}</span> ({t(`verify.holderKind.${c.holder.kind}` as MessageKey)})
            </Descriptions.Item>
            <Descriptions.Item label={t('cert.authority')}>{text(c.authority)}</Descriptions.Item>
            <Descriptions.Item label={t('cert.validity')}>{t('cert.validityRange', { from: c.validFrom, to: c.validUntil })}</Descriptions.Item>
            <Descriptions.Item label={t('cert.issuedAt')}>{formatInstant(c.issuedAt)}</Descriptions.Item>
            {orderedFields(c.fields, schema)
              .filter(([k]) => k !== 'applicant.name')
              .map(([k, v]) => (
                <Descriptions.Item key={k} label={fieldLabel(k, lang, schema)}>
                  {fieldText(v, lang, schema, k)}
                </Descriptions.Item>
              ))}
            <Descriptions.Item label={t('verify.algorithm')}>
              <Space wrap>
                {c.signatureAlgorithm}
                <span>
                  {t('verify.keyId')} {c.keyId}
                </span>
              </Space>
            </Descriptions.Item>
          </>
        )}
      </Descriptions>
      {c && c.withheldFields.length > 0 && (
        <Typography.Paragraph style={{ marginTop: 12 }}>{t('cert.withheld', { fields: orderedPaths(c.withheldFields, schema).map((f) => fieldLabel(f, lang, schema)).join(lang === 'zh' ? '、' : ', ') })}</Typography.Paragraph>
      )}
      {o.by === 'number' && <Typography.Paragraph style={{ marginTop: 12 }}>{t('verify.byNumber')}</Typography.Paragraph>}
    </div>
  );
}
