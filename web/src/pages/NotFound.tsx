import { Result } from 'antd';
import { Link } from 'react-router';
import { usePageTitle } from '../components/Feedback';
import { useT } from '../i18n';

export function NotFoundPage() {
  const t = useT();
  usePageTitle(t('page.notFound'));
  return <Result status="404" title={<h1 style={{ fontSize: 24 }}>{t('page.notFound')}</h1>} extra={<Link to="/workbench">{t('nav.workbench')}</Link>} />;
}
