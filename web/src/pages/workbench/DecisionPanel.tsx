/**
 * The decision on the department's task: approve; reject with reasons; or request a supplement listing every missing
 * material with its reason (一次告知: all at once). Only the reviewer holding the claim decides (the API answers 409
 * otherwise), so the panel offers the claim first. Plain form controls in a fixed order: Tab walks them, Enter on the
 * submit button sends, the confirmation dialog takes the focus and gives it back.
 */
import { Alert, App as AntApp, Button, Form, Input, Radio, Select, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { useErrorText } from '../../components/Feedback';
import { useBilingual, useT } from '../../i18n';
import type { Service } from '../../catalogue';
import type { paths } from '../../api/schema';

type DecisionBody = paths['/api/v1/cases/{caseNo}/steps/{stepId}/decision']['post']['requestBody']['content']['application/json'];

type Task = Schemas['ReviewTask'];
type Kind = Schemas['DecisionKind'];
interface Values {
  kind: Kind;
  comment?: string;
  reasons?: string;
  missing?: { material?: string; reason?: string }[];
}

export function DecisionPanel({
  task,
  me,
  service,
  onChanged,
}: {
  task: Task;
  me: string;
  service: Service | undefined;
  onChanged: () => void;
}) {
  const t = useT();
  const name = useBilingual();
  const errorText = useErrorText();
  const { modal, message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch('kind', form);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const formBox = useRef<HTMLDivElement>(null);
  const justClaimed = useRef(false);
  const holding = task.status === 'open' && task.claimedBy === me;

  // After the claim the button that had the focus is gone: the focus goes to the first decision, not to <body>.
  useEffect(() => {
    if (holding && justClaimed.current) {
      justClaimed.current = false;
      formBox.current?.querySelector<HTMLInputElement>('input[type=radio]:checked, input[type=radio]')?.focus();
    }
  }, [holding]);

  const claim = async (action: 'claim' | 'release') => {
    setBusy(true);
    setError(null);
    try {
      const path = action === 'claim' ? '/api/v1/reviews/{taskId}/claim' : '/api/v1/reviews/{taskId}/release';
      await unwrap(api.POST(path, { params: { path: { taskId: task.taskId } } }));
      justClaimed.current = action === 'claim';
      void message.success(t(action === 'claim' ? 'queue.claimed' : 'queue.released', { task: task.caseNo }));
      onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (task.status !== 'open') return <Alert type="info" showIcon message={t('decide.notOpen')} />;
  if (task.claimedBy && task.claimedBy !== me) return <Alert type="warning" showIcon message={t('decide.claimedByOther', { who: task.claimedBy })} />;
  if (task.allowedDecisions.length === 0) return <Alert type="info" showIcon message={t('decide.none')} />;
  if (!task.claimedBy) {
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        <Alert type="info" showIcon message={t('decide.claimFirst')} />
        {error && <Alert type="error" role="alert" showIcon message={error} />}
        <Button type="primary" loading={busy} onClick={() => void claim('claim')} data-testid="claim-task">
          {t('queue.claim')}
        </Button>
      </Space>
    );
  }

  const materials = (service?.materials ?? []).map((m) => ({ value: m.id, label: name(m.name, m.id) }));

  const send = async (v: Values) => {
    const body: DecisionBody =
      v.kind === 'reject'
        ? { decision: 'reject', comment: (v.reasons ?? '').trim() }
        : v.kind === 'request_supplement'
          ? {
              decision: 'request_supplement',
              comment: (v.comment ?? '').trim() || t('decide.missing'),
              missing: (v.missing ?? []).map((m) => ({ material: m.material ?? '', reason: (m.reason ?? '').trim() })),
            }
          : { decision: 'approve', comment: (v.comment ?? '').trim() || t('decide.defaultApprove') };
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/cases/{caseNo}/steps/{stepId}/decision', {
          params: { path: { caseNo: task.caseNo, stepId: task.stepId } },
          body,
        }),
      );
      void message.success(t('decide.done', { kind: t(`decisionKind.${v.kind}`) }));
      form.resetFields();
      onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const confirm = (v: Values) => {
    modal.confirm({
      title: t('decide.confirm', { kind: t(`decisionKind.${v.kind}`) }),
      okText: t('decide.submit'),
      cancelText: t('action.back'),
      autoFocusButton: 'ok',
      onOk: () => send(v),
    });
  };

  return (
    <div ref={formBox}>
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ kind: task.allowedDecisions[0], missing: [{}] }}
        onFinish={confirm}
        data-testid="decision-form"
        aria-label={t('decide.title')}
      >
        {error && <Alert type="error" role="alert" showIcon message={error} style={{ marginBottom: 12 }} />}
        {/* required={false}: antd would put aria-required on the group's <div>, which has no role that allows it. */}
        <Form.Item name="kind" label={t('decide.kind')} required={false}>
          <Radio.Group>
            <Space direction="vertical">
              {task.allowedDecisions.map((k) => (
                <Radio key={k} value={k} data-testid={`decision-${k}`}>
                  {t(`decisionKind.${k}`)}
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Form.Item>
        {kind === 'reject' ? (
          <Form.Item name="reasons" label={t('decide.reasons')} rules={[{ required: true, whitespace: true, message: t('decide.commentRequired') }]}>
            <Input.TextArea rows={4} maxLength={2000} showCount />
          </Form.Item>
        ) : (
          <Form.Item name="comment" label={t('decide.comment')}>
            <Input.TextArea rows={3} maxLength={2000} placeholder={kind === 'approve' ? t('decide.defaultApprove') : undefined} />
          </Form.Item>
        )}
        {kind === 'request_supplement' && (
          <fieldset style={{ border: 0, padding: 0, margin: '0 0 16px' }}>
            <legend style={{ fontSize: 14, fontWeight: 600, marginBottom: 8 }}>{t('decide.missing')}</legend>
            <Form.List
              name="missing"
              rules={[
                {
                  validator: async (_, rows?: unknown[]) => {
                    if (!rows || rows.length === 0) throw new Error(t('decide.missingRequired'));
                  },
                },
              ]}
            >
              {(fields, { add, remove }, { errors }) => (
                <>
                  {fields.map((field, i) => (
                    <Space key={field.key} align="start" wrap style={{ display: 'flex', marginBottom: 4 }} data-testid="missing-row">
                      <Form.Item
                        name={[field.name, 'material']}
                        label={`${t('decide.missingMaterial')} ${i + 1}`}
                        rules={[{ required: true, message: t('decide.missingRequired') }]}
                        required={false}
                        style={{ minWidth: 180, marginBottom: 8 }}
                      >
                        <Select showSearch optionFilterProp="label" options={materials} style={{ minWidth: 180 }} />
                      </Form.Item>
                      <Form.Item
                        name={[field.name, 'reason']}
                        label={`${t('decide.missingReason')} ${i + 1}`}
                        rules={[{ required: true, whitespace: true, message: t('decide.commentRequired') }]}
                        style={{ minWidth: 180, marginBottom: 8 }}
                      >
                        <Input maxLength={500} />
                      </Form.Item>
                      <Button onClick={() => remove(field.name)} aria-label={t('decide.removeMissing', { n: i + 1 })} style={{ marginTop: 30 }}>
                        −
                      </Button>
                    </Space>
                  ))}
                  <Button type="dashed" onClick={() => add({})} data-testid="add-missing">
                    + {t('decide.addMissing')}
                  </Button>
                  <Form.ErrorList errors={errors} />
                </>
              )}
            </Form.List>
          </fieldset>
        )}
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="submit-decision">
            {t('decide.submit')}
          </Button>
          <Button onClick={() => void claim('release')} disabled={busy}>
            {t('queue.release')}
          </Button>
        </Space>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {task.decisionPath}
        </Typography.Paragraph>
      </Form>
    </div>
  );
}
