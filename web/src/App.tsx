/**
 * The web app's routes. One build serves every audience; the API answers each path below with index.html
 * (api/app.ts WEB_ROUTES), so a new top-level path needs an entry there too.
 *
 *   /workbench/**          reviewers (this file's workbench section)
 *   /track/**              the applicant's tracking page
 *   /verify, /verify/:no   public certificate verification
 *   /ops                   the ops dashboard
 *   /certificates/:no/print  the printable certificate (what a referenced material opens)
 *
 * Pages outside the workbench are loaded on demand (React.lazy), so each audience downloads only its own code.
 */
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AppShell } from './components/AppShell';
import { Loading } from './components/Feedback';
import { I18nProvider, useI18n } from './i18n';
import { NotFoundPage } from './pages/NotFound';
import { CasePage } from './pages/workbench/CasePage';
import { QueuePage } from './pages/workbench/QueuePage';
import { SignInPage } from './pages/workbench/SignInPage';
import { RequireReviewer } from './pages/workbench/RequireReviewer';
import { SessionProvider } from './session';

const TrackPage = lazy(() => import('./pages/track/TrackPage'));
const VerifyPage = lazy(() => import('./pages/verify/VerifyPage'));
const OpsPage = lazy(() => import('./pages/ops/OpsPage'));
const CertificatePrintPage = lazy(() => import('./pages/certificates/CertificatePrintPage'));

function Themed() {
  const { lang } = useI18n();
  return (
    <ConfigProvider
      locale={lang === 'zh' ? zhCN : enUS}
      // No space inserted between two Chinese characters: a button's accessible name is its text as written.
      button={{ autoInsertSpace: false }}
      // Government red as the brand; antd's defaults keep AA contrast for text and focus rings.
      theme={{ token: { colorPrimary: '#b5121b', colorLink: '#0958d9', colorError: '#c41d1d', colorTextSecondary: 'rgba(0, 0, 0, 0.65)', colorTextDescription: 'rgba(0, 0, 0, 0.65)', borderRadius: 4 } }}
    >
      <AntApp>
        <BrowserRouter>
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route element={<AppShell />}>
                <Route path="/" element={<Navigate to="/workbench" replace />} />
                {/* ---- reviewer workbench ---- */}
                <Route path="/workbench/sign-in" element={<SignInPage />} />
                <Route element={<RequireReviewer />}>
                  <Route path="/workbench" element={<QueuePage />} />
                  <Route path="/workbench/cases/:caseNo" element={<CasePage />} />
                </Route>
                {/* ---- applicant, public and ops pages ---- */}
                <Route path="/track/*" element={<TrackPage />} />
                <Route path="/verify/*" element={<VerifyPage />} />
                <Route path="/ops/*" element={<OpsPage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Route>
              {/* Printable: no header or navigation. */}
              <Route path="/certificates/:no/print" element={<CertificatePrintPage />} />
            </Routes>
          </Suspense>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Themed />
      </SessionProvider>
    </I18nProvider>
  );
}
