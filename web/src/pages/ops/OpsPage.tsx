/** Placeholder: the page is built by the applicant/verification/ops work (issue 12 items 2-5). */
import { Typography } from 'antd';
import { usePageTitle } from '../../components/Feedback';
import { useT } from '../../i18n';

export default function OpsPage() {
  const t = useT();
  usePageTitle(t('nav.ops'));
  return (
    <>
      <Typography.Title level={1}>{t('nav.ops')}</Typography.Title>
      <Typography.Paragraph>{t('page.comingSoon')}</Typography.Paragraph>
    </>
  );
}
