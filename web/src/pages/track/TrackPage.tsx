/** Placeholder: the page is built by the applicant/verification/ops work (issue 12 items 2-5). */
import { Typography } from 'antd';
import { usePageTitle } from '../../components/Feedback';
import { useT } from '../../i18n';

export default function TrackPage() {
  const t = useT();
  usePageTitle(t('nav.track'));
  return (
    <>
      <Typography.Title level={1}>{t('nav.track')}</Typography.Title>
      <Typography.Paragraph>{t('page.comingSoon')}</Typography.Paragraph>
    </>
  );
}
