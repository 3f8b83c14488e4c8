/**
 * The printable certificate (issue 12 item 3): `/certificates/<no>/print`, an A4 sheet (print.css: @page size A4)
 * with the certificate's name, number, holder, issuing authority, signed fields, validity, signature algorithm and a
 * QR code (the `qrcode` package, drawn in the browser to a data URL: no outside service) that opens this origin's
 * public verification page for the certificate, `/verify/<verification code>`; the same URL is printed as text.
 *
 * Who may open it, with the API's own authorisation:
 * - someone signed in (reviewer, ops, a portal) who may read the certificate: GET /certificates/{no} (fields in clear,
 *   and the verification code), plus the public verification for its status and bilingual names;
 * - the applicant from the tracking page: the tracking session of this tab (case number + access code) gives the
 *   certificate's verification path (GET /track/{caseNo}); the sheet then shows the publicly verified certificate
 *   (GET /certificates/verify/{code}: from the signed payload, personal names masked).
 */
import { Alert, Button, Space, Spin, Tag } from 'antd';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiFailure, unwrap, type Schemas } from '../../api/client';
import { formSchemaOf, serviceOfCertificate, useCatalogueStatus } from '../../catalogue';
import { ErrorAlert, usePageTitle } from '../../components/Feedback';
import { TONE } from '../../components/tones';
import { formatInstant } from '../../format';
import { useI18n, type MessageKey } from '../../i18n';
import { useSession } from '../../session';
import { fetchTracking } from '../track/TrackPage';
import { codeOfVerifyPath, readTrackingSession } from '../track/tracking-session';
import { fieldLabel, fieldText, orderedFields, orderedPaths } from './field-labels';
import './print.css';

type Status = Schemas['CertificateVerification']['status'];
type Bilingual = Schemas['Bilingual'];

interface Sheet {
  no: string;
  type: string;
  name: Bilingual | null;
  holder: string;
  authority: Bilingual | string;
  fields: Record<string, unknown>;
  withheld: string[];
  validFrom: string;
  validUntil: string;
  issuedAt: string | null;
  signatureAlgorithm: string;
  keyId: string;
  status: Status | null;
  code: string;
}

export const STATUS_TONE: Record<Status, string> = { valid: TONE.green, revoked: TONE.red, expired: TONE.orange, tampered: TONE.red, unknown: TONE.gray };

/** The public verification page of a code, on this origin (what the QR code opens). */
export const verifyUrl = (code: string) => `${window.location.origin}/verify/${encodeURIComponent(code)}`;

async function publicVerification(code: string) {
  const v = await unwrap(api.GET('/api/v1/certificates/verify/{code}', { params: { path: { code } } }));
  return { status: v.status, certificate: v.certificate as Schemas['PublicCertificate'] | null };
}

/** The certificate as a signed-in caller may read it; null when this caller may not (404/403). */
async function asSignedIn(no: string): Promise<Sheet | null> {
  let c: Schemas['Certificate'];
  try {
    c = await unwrap(api.GET('/api/v1/certificates/{no}', { params: { path: { no } } }));
  } catch (err) {
    if (err instanceof ApiFailure && (err.status === 404 || err.status === 403 || err.status === 401)) return null;
    throw err;
  }
  const pub = await publicVerification(c.verificationCode).catch(() => null);
  return {
    no: c.no,
    type: c.type,
    name: pub?.certificate?.name ?? null,
    holder: c.holder.name,
    authority: pub?.certificate?.authority ?? c.authority,
    fields: c.fields,
    withheld: [],
    validFrom: c.validFrom,
    validUntil: c.validUntil,
    issuedAt: pub?.certificate?.issuedAt ?? null,
    signatureAlgorithm: c.signatureAlgorithm,
    keyId: c.keyId,
    status: pub?.status ?? (c.revoked ? 'revoked' : null),
    code: c.verificationCode,
  };
}

/** The certificate through this tab's tracking session; null when the session has no such certificate. */
async function asApplicant(no: string): Promise<Sheet | null> {
  const session = readTrackingSession();
  if (!session) return null;
  const view = await fetchTracking(session).catch((err: unknown) => {
    if (err instanceof ApiFailure && err.status === 404) return null;
    throw err;
  });
  const ref = view?.certificates.find((c) => c.no === no);
  const code = ref ? codeOfVerifyPath(ref.verifyPath) : null;
  if (!code) return null;
  const pub = await publicVerification(code);
  const c = pub.certificate;
  if (!c) return null;
  return {
    no: c.no,
    type: c.type,
    name: c.name,
    holder: c.holder.name,
    authority: c.authority,
    fields: c.fields,
    withheld: c.withheldFields,
    validFrom: c.validFrom,
    validUntil: c.validUntil,
    issuedAt: c.issuedAt,
    signatureAlgorithm: c.signatureAlgorithm,
    keyId: c.keyId,
    status: pub.status,
    code,
  };
}

export default function CertificatePrintPage() {
  const { no = '' } = useParams();
  const { t, lang } = useI18n();
  const { token } = useSession();
  const navigate = useNavigate();
  usePageTitle(t('cert.title', { no }));
  const [sheet, setSheet] = useState<Sheet | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'denied' | 'error'>('loading');
  const [error, setError] = useState<unknown>(null);
  const [qr, setQr] = useState<string | null>(null);
  // Field titles, values and order from the issuing service's form schema (the public catalogue); the sheet waits for
  // it (or its failure: then keys in words) so a printed sheet never shows field keys.
  const catalogue = useCatalogueStatus();
  const schema = sheet ? formSchemaOf(serviceOfCertificate(catalogue.services, sheet.type)) : null;

  useEffect(() => {
    let live = true;
    setState('loading');
    (async () => {
      const found = (token ? await asSignedIn(no) : null) ?? (await asApplicant(no));
      if (!live) return;
      setSheet(found);
      setState(found ? 'ready' : 'denied');
    })().catch((err: unknown) => {
      if (!live) return;
      setError(err);
      setState('error');
    });
    return () => {
      live = false;
    };
  }, [no, token]);

  useEffect(() => {
    if (!sheet) return;
    let live = true;
    QRCode.toDataURL(verifyUrl(sheet.code), { errorCorrectionLevel: 'M', margin: 1, width: 240 }).then(
      (url) => live && setQr(url),
      () => live && setQr(null),
    );
    return () => {
      live = false;
    };
  }, [sheet]);

  const text = (b: Bilingual | string | null, fallback: string) => (b == null ? fallback : typeof b === 'string' ? b : b[lang] || b.zh);
  const back = (
    <Button onClick={() => (window.history.length > 1 ? void navigate(-1) : void navigate('/track'))} data-testid="certificate-back">
      {t('cert.back')}
    </Button>
  );

  return (
    <main id="main" className="cert-page" data-testid="certificate-print">
      <div className="cert-toolbar no-print">
        <Space wrap>
          {back}
          {sheet && (
            <Button type="primary" onClick={() => window.print()} data-testid="certificate-print-button">
              {t('cert.print')}
            </Button>
          )}
        </Space>
      </div>
      {(state === 'loading' || (state === 'ready' && !catalogue.settled)) && (
        <div role="status" style={{ padding: 48, textAlign: 'center' }}>
          <Spin aria-hidden /> <span>{t('cert.title', { no })}…</span>
        </div>
      )}
      {state === 'error' && (
        <div className="cert-message">
          <h1 className="cert-message-title">{t('cert.title', { no })}</h1>
          <ErrorAlert error={error} />
        </div>
      )}
      {state === 'denied' && (
        <div className="cert-message">
          <h1 className="cert-message-title">{t('cert.title', { no })}</h1>
          <Alert type="warning" role="alert" showIcon message={t('cert.noAccess')} data-testid="certificate-denied" />
          <p>
            <Link to="/track">{t('cert.trackLink')}</Link>
          </p>
        </div>
      )}
      {sheet && state === 'ready' && catalogue.settled && (
        <article className="cert-sheet" aria-labelledby="cert-name" data-testid="certificate-sheet" data-certificate-no={sheet.no}>
          <header className="cert-head">
            <p className="cert-state">{lang === 'zh' ? '中华人民共和国' : "People's Republic of China"}</p>
            <h1 id="cert-name" className="cert-name">
              {text(sheet.name, sheet.type)}
            </h1>
            <p className="cert-no">
              {t('cert.no')}：<span data-testid="certificate-no">{sheet.no}</span>
            </p>
            {sheet.status && (
              <p>
                {t('cert.statusLabel')}：
                <Tag color={STATUS_TONE[sheet.status]} data-testid="certificate-status" data-status={sheet.status}>
                  {t(`verify.status.${sheet.status}` as MessageKey)}
                </Tag>
              </p>
            )}
          </header>
          {sheet.status === 'revoked' && <p className="cert-revoked">{t('cert.revoked')}</p>}
          <table className="cert-table">
            <caption className="visually-hidden">{t('cert.fields')}</caption>
            <tbody>
              <tr>
                <th scope="row">{t('cert.holder')}</th>
                <td data-testid="certificate-holder">{sheet.holder}</td>
              </tr>
              {orderedFields(sheet.fields, schema)
                .filter(([k]) => k !== 'applicant.name')
                .map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{fieldLabel(k, lang, schema)}</th>
                    <td>{fieldText(v, lang, schema, k)}</td>
                  </tr>
                ))}
              <tr>
                <th scope="row">{t('cert.validity')}</th>
                <td data-testid="certificate-validity">{t('cert.validityRange', { from: sheet.validFrom, to: sheet.validUntil })}</td>
              </tr>
              <tr>
                <th scope="row">{t('cert.authority')}</th>
                <td data-testid="certificate-authority">{text(sheet.authority, '')}</td>
              </tr>
              {sheet.issuedAt && (
                <tr>
                  <th scope="row">{t('cert.issuedAt')}</th>
                  <td>{formatInstant(sheet.issuedAt)}</td>
                </tr>
              )}
              <tr>
                <th scope="row">{t('cert.signature')}</th>
                <td>
                  {sheet.signatureAlgorithm} · {t('verify.keyId')} {sheet.keyId}
                </td>
              </tr>
            </tbody>
          </table>
          {sheet.withheld.length > 0 && <p className="cert-note">{t('cert.withheld', { fields: orderedPaths(sheet.withheld, schema).map((f) => fieldLabel(f, lang, schema)).join(lang === 'zh' ? '、' : ', ') })}</p>}
          <footer className="cert-foot">
            <figure className="cert-qr" data-testid="certificate-qr">
              {qr ? <img src={qr} width={160} height={160} alt={t('cert.qrAlt', { url: verifyUrl(sheet.code) })} data-testid="certificate-qr-image" /> : <Spin aria-hidden />}
              <figcaption>{t('cert.qr')}</figcaption>
            </figure>
            <div className="cert-foot-text">
              <p>
                {t('cert.verifyLink')}：
                <br />
                <a href={verifyUrl(sheet.code)} data-testid="qr-target-link" className="cert-url">
                  {verifyUrl(sheet.code)}
                </a>
              </p>
              <p className="cert-seal">{text(sheet.authority, '')}</p>
            </div>
          </footer>
        </article>
      )}
    </main>
  );
}
