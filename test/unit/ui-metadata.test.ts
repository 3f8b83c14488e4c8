/**
 * What the Temporal UI shows about a case (workflows/ui-metadata.ts): summaries come from codes and structured fields
 * only, never from free text a person typed; one line each; the details table survives a `|` in a name.
 */
import type { CaseState } from '../../domain/types';
import { caseDetailsMarkdown, certificatesSummary, oneLine, progressSummary } from '../../workflows/ui-metadata';

const steps = [{ id: 'police-opinion', department: 'public_security' as const, round: 1 }];

it('a progress summary names the event, the step and its department, and never quotes free text', () => {
  const typed = '张三 370811199001011234 鲁H30001';
  expect(progressSummary('decision_applied', { detail: `police-opinion: reject ${typed}`, stepId: 'police-opinion', decision: 'reject', comment: typed }, steps, true)).toBe(
    'record decision_applied: reject on police-opinion (public_security) + review task',
  );
  for (const [type, payload] of [
    ['case_withdrawn', { detail: typed, reason: typed }],
    ['case_rejected', { detail: typed, reasons: [typed, typed] }],
    ['supplement_requested', { detail: 'x', missing: [{ material: 'route-plan', reason: typed }] }],
    ['unknown_future_event', { detail: typed }],
  ] as const) {
    const s = progressSummary(type, payload, steps);
    expect(s.startsWith(`record ${type}: `)).toBe(true);
    expect(s).not.toContain('张三');
    expect(s).not.toContain('370811');
    expect(s).not.toContain('鲁H');
  }
  expect(progressSummary('case_rejected', { reasons: ['a', 'b'] }, steps)).toBe('record case_rejected: case rejected (2 reason(s))');
});

it('summaries are one line, cut to the width of a timeline bar', () => {
  expect(oneLine('a\nb\t c')).toBe('a b c');
  expect(oneLine('x'.repeat(500))).toHaveLength(160);
  expect(certificatesSummary([{ type: 'permit', perVehicle: false }, { type: 'sign', perVehicle: true }])).toBe('issue certificates: permit, sign (per vehicle)');
});

it('the details table has one row per step and escapes a | in a name', () => {
  const state = {
    caseNo: 'JN-X-20261127-000001', serviceCode: 'X', definitionVersion: 1, status: 'awaiting_supplement', acceptedAt: '2026-11-27T09:00:00+08:00',
    deadline: '2026-12-04T23:59:59+08:00', deadlineMs: 0, deadlineProvisional: true, overdue: false, pausedWorkingDays: 2,
    pausedSince: '2026-11-28T10:00:00+08:00', pendingDepartments: [], outstandingSupplement: [{ material: 'route-plan', reason: 'stops' }],
    steps: [{ id: 'a', name: { zh: '甲|乙', en: 'A' }, department: 'transport', kind: 'human', status: 'supplement_requested', round: 1, deadline: '2026-12-01T23:59:59+08:00', reminded: true, escalated: false, overdue: false, decisions: [] }],
    certificates: [], reasons: [], timeline: [],
  } as unknown as CaseState;
  const md = caseDetailsMarkdown({ ...state, needsAttention: { reason: 'InvalidData in recordCaseProgress step_opened', since: '2026-11-28T11:00:00+08:00' } });
  expect(md.split('\n')[0]).toBe('**awaiting_supplement** · due 2026-12-04 23:59 (provisional) · pending: —');
  expect(md).toContain('**Needs attention** since 2026-11-28 11:00: InvalidData in recordCaseProgress step_opened');
  expect(md).toContain("**Paused** since 2026-11-28 10:00: waiting for the applicant's supplement (1 item(s): route-plan)");
  expect(md).not.toContain('stops'); // the reviewer's reason for the missing item is free text
  expect(md).toContain('| a 甲\\|乙 | transport | supplement requested (reminded) | 1 | 2026-12-01 23:59 |');
});
