/**
 * The frame of every page but the print view: a skip link, the header (brand, navigation, language switch, who is
 * signed in) and the main landmark. After each navigation the focus moves to <main>, so a keyboard or screen-reader
 * user starts at the new page's content rather than at the link they used.
 */
import { Button, Space } from 'antd';
import { useEffect, useRef } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useI18n } from '../i18n';
import { useSession } from '../session';

export function AppShell() {
  const { t, lang, setLang } = useI18n();
  const { claims, signOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="app-header">
        <Link to="/workbench" className="app-brand">
          {t('app.title')}
          <small>{t('app.subtitle')}</small>
        </Link>
        <nav aria-label={lang === 'zh' ? '主导航' : 'Main'}>
          <Space wrap size="small">
            <Link to="/workbench">{t('nav.workbench')}</Link>
            <Link to="/track">{t('nav.track')}</Link>
            <Link to="/verify">{t('nav.verify')}</Link>
            <Link to="/ops">{t('nav.ops')}</Link>
          </Space>
        </nav>
        <Space wrap size="small">
          <Button
            type="link"
            lang={lang === 'zh' ? 'en' : 'zh-CN'}
            aria-label={t('lang.switchLabel')}
            data-testid="language-switch"
            onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
          >
            {t('lang.switch')}
          </Button>
          {claims && (
            <>
              <span data-testid="signed-in-as">{t('session.signedInAs', { who: claims.sub })}</span>
              <Button
                type="link"
                onClick={() => {
                  // No `from`: the next sign-in (maybe another department's reviewer) starts at the queue.
                  signOut();
                  void navigate('/workbench/sign-in');
                }}
              >
                {t('session.signOut')}
              </Button>
            </>
          )}
        </Space>
      </header>
      <main id="main" className="app-main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
