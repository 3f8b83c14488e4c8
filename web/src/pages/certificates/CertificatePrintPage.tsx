/** Placeholder: the printable certificate (A4, QR code to /verify/<no>) is built with issue 12 item 3. */
import { Typography } from 'antd';
import { useParams } from 'react-router';
import { usePageTitle } from '../../components/Feedback';

export default function CertificatePrintPage() {
  const { no = '' } = useParams();
  usePageTitle(no);
  return (
    <main id="main" style={{ padding: 24 }}>
      <Typography.Title level={1}>{no}</Typography.Title>
    </main>
  );
}
