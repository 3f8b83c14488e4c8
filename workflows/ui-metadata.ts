/**
 * What the Temporal UI shows about a case (the SDK's user metadata): a one-line summary on every activity of the
 * timeline, the case's live status as the workflow's current details, and the static summary and details set at start.
 *
 * Everything here is built from codes the service definition and the workflow own (event types, step ids,
 * departments, statuses, deadlines, certificate types and numbers, failure types) and never from what a person typed
 * or the form holds (names, ID numbers, plates, routes, reviewers' comments, withdrawal reasons): ops read these
 * strings in the UI and the CLI, and they are kept in Temporal's history for as long as the case is. Pure functions,
 * so that the workflow stays deterministic and the unit tests need no server.
 */
import type { CaseState, CertificateSpec, ServiceDefinition, StepState } from '../domain/types';

/** Temporal limits a summary to one line; the UI shows about this much in a timeline bar. */
const SUMMARY_MAX = 160;

/** One line, cut to the UI's width: a summary must never carry a newline (it would end the Markdown line). */
export function oneLine(text: string, max = SUMMARY_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** `2026-12-03T17:00:00+08:00` -> `2026-12-03 17:00` (the zone is always Beijing time in this platform). */
export function shortTime(at: string | undefined): string {
  if (!at) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(at);
  return m ? `${m[1]} ${m[2]}` : at;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The summary of a `recordCaseProgress` activity: which event it records and for which step, from the structured
 * fields of its payload only (never its free-text `detail`, which can quote a comment or a reason someone typed).
 */
export function progressSummary(type: string, payload: Record<string, unknown>, steps: readonly Pick<StepState, 'id' | 'department' | 'round'>[], withTasks = false): string {
  const stepId = str(payload.stepId);
  const step = stepId ? steps.find((s) => s.id === stepId) : undefined;
  const dept = step ? ` (${step.department})` : '';
  const tasks = withTasks ? ' + review task' : '';
  let what: string;
  switch (type) {
    case 'case_accepted':
      what = `case accepted, due ${shortTime(str(payload.deadline))}${payload.provisional ? ' (provisional)' : ''}`;
      break;
    case 'step_opened':
      what = `${stepId} opened for ${str(payload.department) ?? step?.department}, round ${num(payload.round) ?? step?.round ?? '?'}, due ${shortTime(str(payload.deadline))}`;
      break;
    case 'automatic_check_completed':
      what = `automatic check ${stepId}: ${str(payload.verdict) ?? '?'}${payload.hardRefusal ? ' (hard refusal)' : ''}`;
      break;
    case 'decision_applied':
      what = `${str(payload.decision) ?? 'decision'} on ${stepId}${dept}`;
      break;
    case 'decision_ignored':
      // The reason is one of the workflow's own sentences (duplicate, not open, other department).
      what = `decision on ${stepId ?? '?'} ignored: ${str(payload.reason) ?? '?'}`;
      break;
    case 'supplement_requested':
      what = `supplement requested: ${Array.isArray(payload.missing) ? payload.missing.length : '?'} item(s), clock stopped`;
      break;
    case 'supplement_received':
      what = `supplement received: clock restarted after ${num(payload.pausedWorkingDays) ?? '?'} paused working day(s), due ${shortTime(str(payload.deadline))}`;
      break;
    case 'supplement_ignored':
      what = 'supplement ignored (duplicate, or the case was not waiting for one)';
      break;
    case 'step_reminder':
      what = `reminder: ${stepId}${dept} has one working day left`;
      break;
    case 'step_escalated':
      what = `step limit passed: ${stepId}${dept} escalated${payload.escalatedTo === 'government_office' ? ' to the government office' : payload.escalatedTo === 'department_head' ? ' to the department head' : ''}`;
      break;
    case 'statutory_period_applied':
      what = `statutory period: ${num(payload.statutoryLimitWorkingDays) ?? '?'} working days; case promise ${num(payload.promiseWorkingDays) ?? '?'}, due ${shortTime(str(payload.deadline))}`;
      break;
    case 'step_deemed_approved':
      what = `step limit passed: ${stepId}${dept} deemed approved`;
      break;
    case 'case_overdue':
      what = 'case limit passed: case overdue';
      break;
    case 'deadlines_recomputed':
      what = `calendar updated: due ${shortTime(str(payload.before))} -> ${shortTime(str(payload.after))}`;
      break;
    case 'case_rejected':
      what = `case rejected (${Array.isArray(payload.reasons) ? payload.reasons.length : '?'} reason(s))`;
      break;
    case 'case_withdrawn':
      what = 'case withdrawn by the applicant';
      break;
    case 'signal_ignored':
      what = `malformed ${str(payload.signal) ?? 'signal'} ignored`;
      break;
    case 'issuing_certificates':
      what = 'every mandatory step approved: issuing certificates';
      break;
    case 'case_completed':
      what = `case completed: ${Array.isArray(payload.certificates) ? payload.certificates.join(', ') : 'certificates issued'}`;
      break;
    case 'webhooks_abandoned':
      what = `portal callback unreachable: ${num(payload.pending) ?? '?'} delivery(ies) abandoned`;
      break;
    default:
      what = stepId ? `${stepId}${dept}` : 'case progress';
  }
  return oneLine(`record ${type}: ${what}${tasks}`);
}

/** The summary of `issueCertificates`: which certificates (types, and per vehicle or per case). */
export function certificatesSummary(specs: readonly Pick<CertificateSpec, 'type' | 'perVehicle'>[]): string {
  return oneLine(`issue certificates: ${specs.map((c) => `${c.type}${c.perVehicle ? ' (per vehicle)' : ''}`).join(', ') || 'none'}`);
}

/** Markdown table cells: a `|` or a newline in a name would break the table. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

const STEP_STATUS: Record<string, string> = {
  waiting: 'waiting',
  checking: 'checking…',
  open: '**open**',
  approved: 'approved ✓',
  rejected: '**rejected** ✗',
  supplement_requested: 'supplement requested',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/**
 * The workflow's current details: the case's live status as a small Markdown table of steps, departments, deadlines
 * and the pause. Codes, dates and counts only (see the module comment).
 */
export function caseDetailsMarkdown(state: CaseState & { needsAttention?: { reason: string; since: string } }): string {
  const lines: string[] = [];
  const due = `${shortTime(state.deadline)}${state.deadlineProvisional ? ' (provisional)' : ''}`;
  lines.push(`**${state.status}** · due ${due}${state.overdue ? ' · **overdue**' : ''} · pending: ${state.pendingDepartments.join(', ') || '—'}`);
  if (state.needsAttention) {
    lines.push('', `**Needs attention** since ${shortTime(state.needsAttention.since)}: ${cell(state.needsAttention.reason)} — see docs/operations.md (retry)`);
  }
  if (state.status === 'awaiting_supplement') {
    const materials = state.outstandingSupplement.map((m) => m.material);
    lines.push('', `**Paused** since ${shortTime(state.pausedSince)}: waiting for the applicant's supplement (${materials.length} item(s): ${materials.join(', ') || '—'})`);
  }
  if (state.pausedWorkingDays > 0) lines.push('', `Clock stopped for ${state.pausedWorkingDays} working day(s) so far.`);
  lines.push('', '| step | department | status | round | due |', '| --- | --- | --- | --- | --- |');
  for (const s of state.steps) {
    const flags = [s.reminded ? 'reminded' : '', s.overdue ? '**overdue**' : ''].filter(Boolean).join(', ');
    const dueCell = s.status === 'open' || s.status === 'supplement_requested' ? shortTime(s.deadline) : s.deadline ? `(${shortTime(s.deadline)})` : '—';
    lines.push(`| ${cell(s.id)} ${cell(s.name.zh)} | ${s.department} | ${STEP_STATUS[s.status] ?? s.status}${flags ? ` (${flags})` : ''} | ${s.round} | ${dueCell} |`);
  }
  if (state.certificates.length > 0) {
    lines.push('', `Certificates: ${state.certificates.map((c) => `${c.no} (${c.type})`).join(', ')}`);
  }
  return lines.join('\n');
}

/**
 * The static summary and details set when the case starts (api/case-intake.ts): the service and the case, its
 * promise and its review plan. Fixed for the life of the workflow; the live status is in the current details.
 */
export function caseStaticMetadata(
  definition: Pick<ServiceDefinition, 'code' | 'version' | 'name' | 'review' | 'certificates'>,
  caseNo: string,
  accepted: { acceptedAt: string; deadline: string; channel: string },
): { staticSummary: string; staticDetails: string } {
  const plan = definition.review.steps.map(
    (s) => `| ${cell(s.id)} ${cell(s.name.zh)} | ${s.department} | ${s.kind} | ${s.after.join(', ') || '—'} | ${s.limitWorkingDays} |`,
  );
  const staticDetails = [
    `**${cell(definition.name.zh)}** (${cell(definition.name.en)}) · service \`${definition.code}\` v${definition.version}`,
    '',
    `Case \`${caseNo}\`, received ${shortTime(accepted.acceptedAt)} (${accepted.channel}), promised within ${definition.review.caseLimitWorkingDays} working days: due ${shortTime(accepted.deadline)}.`,
    '',
    '| step | department | kind | after | limit (working days) |',
    '| --- | --- | --- | --- | --- |',
    ...plan,
    '',
    `Certificates: ${definition.certificates.map((c) => `${c.type}${c.perVehicle ? ' (per vehicle)' : ''}`).join(', ')}`,
  ].join('\n');
  return { staticSummary: oneLine(`${definition.name.zh} ${caseNo}`, 200), staticDetails };
}
