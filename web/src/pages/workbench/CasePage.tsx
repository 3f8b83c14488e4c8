import { Typography } from 'antd';
import { useParams } from 'react-router';

export function CasePage() {
  const { caseNo = '' } = useParams();
  return <Typography.Title level={1}>{caseNo}</Typography.Title>;
}
