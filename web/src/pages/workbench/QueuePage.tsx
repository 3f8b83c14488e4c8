/**
 * The department's queue (GET /api/v1/reviews), by deadline: overdue rows in red, rows past their reminder in amber,
 * the working days left as the API counts them on the official calendar. Claim and release in place; open a case to
 * read it and decide. Wide screens get a table, phones a list of cards (no sideways scrolling).
 */
import { Badge, Button, Card, Empty, Grid, List, Segmented, Space, Table, Tag, Typography, App as AntApp } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorAlert, usePageTitle } from '../../components/Feedback';
import { departmentLabel, useCatalogue } from '../../catalogue';
import { formatInstant } from '../../format';
import { useBilingual, useT, type Translate } from '../../i18n';
import { useSession } from '../../session';
import { TONE } from '../../components/tones';

type Task = Schemas['ReviewTask'];
type Status = 'open' | 'closed' | 'cancelled';

/** Earliest deadline first; tasks without one last (the API orders the same way; kept here for the merged view). */
const byDeadline = (a: Task, b: Task) => (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999');

export function DaysLeft({ task, t }: { task: Task; t: Translate }) {
  const n = task.workingDaysLeft;
  if (n === null) return <span>—</span>;
  const color = TONE[task.overdue || n < 0 ? 'red' : task.reminder || n <= 1 ? 'orange' : 'green'];
  const text = n < 0 ? t('queue.daysOverdue', { n: -n }) : n === 0 ? t('queue.dueToday') : t('queue.daysLeftValue', { n });
  return (
    <Tag color={color} data-testid="days-left">
      {text}
    </Tag>
  );
}

export function Flags({ task, t }: { task: Task; t: Translate }) {
  return (
    <Space size={4} wrap>
      {task.overdue && (
        <Tag color={TONE.red} data-testid="flag-overdue">
          {t('queue.overdue')}
        </Tag>
      )}
      {task.reminder && !task.overdue && (
        <Tag color={TONE.orange} data-testid="flag-reminder">
          {t('queue.reminder')}
        </Tag>
      )}
    </Space>
  );
}

export function QueuePage() {
  const t = useT();
  const name = useBilingual();
  const { claims } = useSession();
  const { message } = AntApp.useApp();
  const screens = Grid.useBreakpoint();
  const catalogue = useCatalogue();
  const department = claims!.department!;
  const title = t('queue.title', { department: name(departmentLabel(catalogue, department)) });
  usePageTitle(title);

  const [status, setStatus] = useState<Status>('open');
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    unwrap(api.GET('/api/v1/reviews', { params: { query: { status, limit: 200 } } })).then(
      (q) => setTasks([...q.tasks].sort(byDeadline)),
      setError,
    );
  }, [status]);
  useEffect(load, [load]);
  // New tasks arrive as cases move on: read the queue again every 30 s while the page is open and visible.
  useEffect(() => {
    const timer = window.setInterval(() => document.visibilityState === 'visible' && load(), 30_000);
    return () => window.clearInterval(timer);
  }, [load]);

  const act = async (task: Task, action: 'claim' | 'release') => {
    setBusy(task.taskId);
    try {
      const path = action === 'claim' ? '/api/v1/reviews/{taskId}/claim' : '/api/v1/reviews/{taskId}/release';
      const res = await unwrap(api.POST(path, { params: { path: { taskId: task.taskId } } }));
      setTasks((list) => list?.map((x) => (x.taskId === task.taskId ? { ...x, claimedBy: res.claimedBy } : x)) ?? null);
      void message.success(t(action === 'claim' ? 'queue.claimed' : 'queue.released', { task: task.caseNo }));
    } catch (err) {
      setError(err);
      load();
    } finally {
      setBusy(null);
    }
  };

  const serviceName = (code: string) => name(catalogue.get(code)?.name, code);
  const stepName = (task: Task) => name(catalogue.get(task.service)?.reviewPlan.find((s) => s.id === task.stepId)?.name, task.stepId);
  const caseLink = (task: Task) => `/workbench/cases/${encodeURIComponent(task.caseNo)}`;

  const actions = (task: Task) =>
    task.status !== 'open' ? null : (
      <Space wrap size={4}>
        {task.claimedBy === null ? (
          <Button size="small" type="primary" loading={busy === task.taskId} onClick={() => void act(task, 'claim')} aria-label={`${t('queue.claim')} ${task.caseNo} ${stepName(task)}`}>
            {t('queue.claim')}
          </Button>
        ) : task.claimedBy === claims!.sub ? (
          <Button size="small" loading={busy === task.taskId} onClick={() => void act(task, 'release')} aria-label={`${t('queue.release')} ${task.caseNo} ${stepName(task)}`}>
            {t('queue.release')}
          </Button>
        ) : null}
        <Link to={caseLink(task)} aria-label={`${t('queue.open')} ${task.caseNo} ${stepName(task)}`}>
          {t('queue.open')}
        </Link>
      </Space>
    );

  const columns: ColumnsType<Task> = [
    {
      title: t('queue.caseNo'),
      dataIndex: 'caseNo',
      render: (_: unknown, task) => (
        <Link to={caseLink(task)} data-testid="queue-case-link">
          {task.caseNo}
        </Link>
      ),
    },
    { title: t('queue.service'), dataIndex: 'service', render: (code: string) => serviceName(code) },
    {
      title: t('queue.step'),
      dataIndex: 'stepId',
      render: (_: unknown, task) => (
        <>
          {stepName(task)}
          {task.round > 1 && <Typography.Text type="secondary"> · {t('queue.round', { n: task.round })}</Typography.Text>}
        </>
      ),
    },
    { title: t('queue.deadline'), dataIndex: 'deadline', render: (d: string | null) => formatInstant(d) },
    { title: t('queue.daysLeft'), key: 'daysLeft', render: (_: unknown, task) => <DaysLeft task={task} t={t} /> },
    { title: t('queue.flags'), key: 'flags', render: (_: unknown, task) => <Flags task={task} t={t} /> },
    { title: t('queue.claimedBy'), dataIndex: 'claimedBy', render: (who: string | null) => who ?? <Typography.Text type="secondary">{t('queue.unclaimed')}</Typography.Text> },
    { title: t('queue.actions'), key: 'actions', render: (_: unknown, task) => actions(task) },
  ];

  const overdue = tasks?.filter((x) => x.overdue).length ?? 0;
  const reminder = tasks?.filter((x) => x.reminder && !x.overdue).length ?? 0;

  return (
    <>
      <Space align="center" wrap style={{ justifyContent: 'space-between', width: '100%', marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {title}
        </Typography.Title>
        <Space wrap>
          <Segmented<Status>
            aria-label={t('queue.status')}
            value={status}
            onChange={(s) => {
              setTasks(null);
              setStatus(s);
            }}
            options={(['open', 'closed', 'cancelled'] as const).map((s) => ({ value: s, label: t(`queue.status.${s}`) }))}
          />
          <Button onClick={load}>{t('action.refresh')}</Button>
        </Space>
      </Space>
      {error !== null && <ErrorAlert error={error} onRetry={load} />}
      {tasks && (
        <Typography.Paragraph role="status" data-testid="queue-summary">
          <Badge status={overdue ? 'error' : 'success'} /> {t('queue.summary', { total: tasks.length, overdue, reminder })}
        </Typography.Paragraph>
      )}
      {screens.md === false ? (
        <List
          loading={tasks === null && error === null}
          dataSource={tasks ?? []}
          locale={{ emptyText: <Empty description={t('queue.empty')} /> }}
          data-testid="queue-list"
          renderItem={(task) => (
            <List.Item style={{ padding: '4px 0' }}>
              <Card
                size="small"
                style={{ width: '100%', borderLeft: `4px solid ${task.overdue ? '#cf1322' : task.reminder ? '#d48806' : '#d9d9d9'}` }}
                title={<Link to={caseLink(task)}>{task.caseNo}</Link>}
              >
                <div>
                  {serviceName(task.service)} · {stepName(task)}
                </div>
                <div>
                  {t('queue.deadline')}: {formatInstant(task.deadline)} <DaysLeft task={task} t={t} /> <Flags task={task} t={t} />
                </div>
                <div>
                  {t('queue.claimedBy')}: {task.claimedBy ?? t('queue.unclaimed')}
                </div>
                <div style={{ marginTop: 8 }}>{actions(task)}</div>
              </Card>
            </List.Item>
          )}
        />
      ) : (
        <Table<Task>
          rowKey="taskId"
          columns={columns}
          dataSource={tasks ?? []}
          loading={tasks === null && error === null}
          pagination={false}
          locale={{ emptyText: <Empty description={t('queue.empty')} /> }}
          rowClassName={(task) => (task.overdue ? 'row-overdue' : task.reminder ? 'row-reminder' : '')}
          data-testid="queue-table"
          aria-label={title}
        />
      )}
    </>
  );
}
