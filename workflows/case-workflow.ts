/**
 * One one-stop case (一件事). Fans out to the review plan of its service definition, waits for the departments'
 * decisions (signals), keeps every deadline with durable timers on the official working-day calendar, stops the clock
 * while the applicant supplements materials, and ends by issuing signed electronic certificates.
 *
 * Shape: handlers only queue what arrives; one loop applies it, starts the steps that became ready, and sleeps until
 * the next clock event (reminder, step limit, case limit) or the next signal, whichever is first. Everything the loop
 * decides is recorded to PostgreSQL by activities (case row + append-only audit log) and mirrored into search
 * attributes for ops.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { ReviewTaskOpening, ReviewTaskUpdate } from '../activities/case-records';
import { WorkingDayCalendar, formatShanghai, shanghaiDate, type Deadline } from '../domain/calendar';
import {
  TERMINAL_STATUSES,
  type CaseInput,
  type CaseOutcome,
  type CaseState,
  type CaseStatus,
  type Department,
  type MissingItem,
  type ReviewDecision,
  type ReviewStepDefinition,
  type StepState,
  type SupplementSubmission,
  type WithdrawalRequest,
} from '../domain/types';
import {
  CaseDeadlineKey,
  CaseStatusKey,
  DETERMINISTIC_FAILURE_TYPES,
  NeedsAttentionKey,
  OneStopServiceKey,
  OverdueKey,
  PendingDepartmentsKey,
  calendarUpdatedSignal,
  caseStateQuery,
  opsRetrySignal,
  reviewDecisionSignal,
  supplementSignal,
  withdrawSignal,
  type CaseStateView,
  type OpsRetryRequest,
} from './definitions';
import {
  calendarUpdatedSignalSchema,
  checkMessage,
  opsRetrySignalSchema,
  reviewDecisionSignalSchema,
  supplementSignalSchema,
  withdrawSignalSchema,
} from './messages';
import { caseDetailsMarkdown, certificatesSummary, oneLine, progressSummary } from './ui-metadata';

type Activities = ReturnType<typeof createActivities>;
type TaskWrites = { open?: ReviewTaskOpening; update?: ReviewTaskUpdate[] };

// Recording and task bookkeeping are short PostgreSQL writes: retry forever on transient failures (PostgreSQL may be
// down for a while; the case must not fail because of it) with a capped backoff. Deterministic failures (typed by
// activities/errors.ts, listed here too so that no such type retries even when thrown retryable) stop at once, and the
// workflow flags the case for ops (`guarded`). A write takes milliseconds: 10 s bounds how long a write that was in
// flight on a worker that died holds its case (issue 13: every case moves again within 30 s of a worker's SIGKILL).
const RECORD_RETRY: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: DETERMINISTIC_FAILURE_TYPES };
const records = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: RECORD_RETRY });
// v9 (`lean-records`): the same writes as local activities, run by the worker inside the workflow task that asks for
// them. The history keeps one marker per write, with the activity type, its summary and its result (ops still read
// each transition in the UI); the server no longer schedules, dispatches and times each write as an activity task
// with a workflow task after it (about two thirds of a case's server work in the benchmark). A worker that dies in the
// middle loses its workflow task, which times out (10 s) and runs the writes again elsewhere: each is idempotent.
const localRecords = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: RECORD_RETRY });
// Automatic checks and certificate issuance read and write more: the same rule, with a longer timeout. They heartbeat
// (worker/interceptors.ts, every few seconds while one runs), so an attempt on a worker that died is retried after
// the heartbeat timeout, not after the two minutes.
const work = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    nonRetryableErrorTypes: DETERMINISTIC_FAILURE_TYPES,
  },
});
// The needs-attention flag writes only safe data: transient failures retry for ever; nothing else is expected.
const attention = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// The portal's callback may be down for hours: keep trying with backoff, but give up after a day.
const webhooks = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

type Inbox =
  | { kind: 'decision'; decision: ReviewDecision; receivedAt: number }
  | { kind: 'supplement'; supplement: SupplementSubmission; receivedAt: number }
  | { kind: 'withdraw'; request: WithdrawalRequest; receivedAt: number }
  | { kind: 'calendar' }
  /** A malformed message (`validated-signals`): recorded as ignored with the reason, applied to nothing. */
  | { kind: 'ignored'; signal: string; reason: string };

export async function caseWorkflow(input: CaseInput): Promise<CaseOutcome> {
  const { definition, caseNo } = input;
  const plan = new Map(definition.review.steps.map((s) => [s.id, s]));
  const inbox: Inbox[] = [];
  const seenMessageIds = new Set<string>();

  const state: CaseStateView = {
    caseNo,
    serviceCode: definition.code,
    definitionVersion: definition.version,
    status: 'in_review',
    acceptedAt: formatShanghai(input.acceptedAtMs),
    deadline: '',
    deadlineMs: 0,
    deadlineProvisional: false,
    overdue: false,
    pausedWorkingDays: 0,
    pendingDepartments: [],
    outstandingSupplement: [],
    steps: definition.review.steps.map((s) => ({
      id: s.id,
      name: s.name,
      department: s.department,
      kind: s.kind,
      status: 'waiting',
      round: 0,
      reminded: false,
      escalated: false,
      overdue: false,
      decisions: [],
    })),
    certificates: [],
    reasons: [],
    timeline: [],
  };

  // v9 (`lean-records`, see below where the case asks it first): a case that records this marker runs code with every
  // earlier patch, so it asks none of them (each patch costs a marker and a TemporalChangeVersion upsert, which the SDK
  // adds for every patch: six of each per case before v9). Histories from before v9 have no such marker, answer false
  // here, and ask their patches exactly as they did.
  let leanMemo: boolean | undefined;
  const isLean = (): boolean => (leanMemo ??= patched('lean-records'));
  /** An earlier version's patch: implied by v9, asked only by cases started before it. */
  const since = (patchId: string): boolean => isLean() || patched(patchId);

  // v4 (`validated-signals`): every signal's payload is checked with the schema the API uses (workflows/messages.ts);
  // a malformed one (null, a missing field, an unknown decision, NUL in a comment) is queued as ignored with the reason
  // instead of failing the workflow task on every attempt. Asked at the first signal, so that cases already running
  // when this code is deployed are protected from then on.
  const validateSignals = () => since('validated-signals');
  /** Queues the checked message, or the reason it is ignored; never throws. */
  function accept<T>(signal: string, schema: Parameters<typeof checkMessage<T>>[0], payload: unknown, queue: (value: T) => void): void {
    const checked = checkMessage(schema, payload);
    if (checked.ok) queue(checked.value);
    else inbox.push({ kind: 'ignored', signal, reason: checked.reason });
  }

  // Handlers first, before any await: nothing that arrives is lost, nothing is applied outside the loop.
  setHandler(reviewDecisionSignal, (decision) => {
    const receivedAt = Date.now();
    if (!validateSignals()) return void inbox.push({ kind: 'decision', decision, receivedAt });
    accept('reviewDecision', reviewDecisionSignalSchema, decision, (d) => inbox.push({ kind: 'decision', decision: d, receivedAt }));
  });
  setHandler(supplementSignal, (supplement) => {
    const receivedAt = Date.now();
    if (!validateSignals()) return void inbox.push({ kind: 'supplement', supplement, receivedAt });
    accept('supplementSubmitted', supplementSignalSchema, supplement, (s) => inbox.push({ kind: 'supplement', supplement: s, receivedAt }));
  });
  setHandler(withdrawSignal, (request) => {
    const receivedAt = Date.now();
    if (!validateSignals()) return void inbox.push({ kind: 'withdraw', request, receivedAt });
    accept('withdraw', withdrawSignalSchema, request, (r) => inbox.push({ kind: 'withdraw', request: r, receivedAt }));
  });
  setHandler(calendarUpdatedSignal, (...args: unknown[]) => {
    if (!validateSignals()) return void inbox.push({ kind: 'calendar' });
    accept('calendarUpdated', calendarUpdatedSignalSchema, args[0], () => inbox.push({ kind: 'calendar' }));
  });
  // New with `needs-attention` (no earlier history holds this signal): ops release a case that waits on a
  // deterministic failure. Not queued: the loop is the one waiting.
  setHandler(opsRetrySignal, (request) => {
    const checked = checkMessage(opsRetrySignalSchema, request);
    if (!checked.ok) return void inbox.push({ kind: 'ignored', signal: 'opsRetry', reason: checked.reason });
    if (seenMessageIds.has(checked.value.requestId)) return;
    seenMessageIds.add(checked.value.requestId);
    if (!state.needsAttention) return void inbox.push({ kind: 'ignored', signal: 'opsRetry', reason: 'the case does not need attention' });
    state.needsAttention = undefined;
    upsertSearchAttributes([{ key: NeedsAttentionKey, value: false }]);
    showDetails();
    opsRetries.push(checked.value);
  });
  setHandler(caseStateQuery, () => ({ ...state, pendingDepartments: pendingDepartments() }));

  // The Temporal UI's story of the case (user metadata, workflows/ui-metadata.ts): the live status as the workflow's
  // current details, and a summary on every activity. Neither is a command nor compared on replay (the summaries ride
  // on the commands the workflow already sends), so histories of every earlier version replay unchanged.
  function showDetails(): void {
    setCurrentDetails(caseDetailsMarkdown({ ...state, pendingDepartments: pendingDepartments() }));
  }
  showDetails();

  // v9 (`lean-records`, issue 13: the platform's cost per case), decided once at the start so a case never switches:
  //  - the progress records and the calendar read are local activities (see `localRecords`);
  //  - the search attributes and the UI's current details are published when the case goes idle (before it waits for
  //    a message or a clock, and at the end), not after every record: ops see every state the case rests in, not the
  //    milliseconds between two records of one transition (the OneStopService key rides on the first publication);
  //  - one durable timer waits for the next clock event and stays armed across messages (it was cancelled and started
  //    again at every wait); a timer that went stale wakes the loop for nothing, which finds nothing due;
  //  - clocks fire only while the case is in review (paused or ended, every clock is stopped, as the timer says).
  const lean = isLean();
  // v2: review-task writes ride in the same activity (and transaction) as the progress record they belong to: about
  // 40% fewer activities per case. Cases started before keep the separate activities on replay.
  const combinedTaskWrites = since('combined-task-writes');

  let seq = 0;
  const backgroundWork: Promise<unknown>[] = [];
  let pendingDeliveries = 0;
  const stepOf = (id: string): StepState => {
    const step = state.steps.find((s) => s.id === id);
    if (!step) throw ApplicationFailure.nonRetryable(`step ${id} is not in the plan`, 'InvalidServiceDefinition');
    return step;
  };
  const defOf = (id: string): ReviewStepDefinition => plan.get(id)!;

  // ---- Needs attention ----
  // v4 (`needs-attention`): an activity that fails deterministically (non-retryable: data PostgreSQL refuses, a
  // constraint, a calendar file that does not parse) no longer fails the case or retries for ever. The case is flagged
  // (state, query, audit entry, case row, `NeedsAttention` search attribute) and waits for an ops retry (`opsRetry`),
  // then runs the same operation again. Asked when a failure happens, so running cases get it too.
  const opsRetries: OpsRetryRequest[] = [];
  let retriesRecorded = 0;

  /** The failure type when `err` is an activity's deterministic failure (worth a person's attention), else undefined. */
  function deterministicFailure(err: unknown): string | undefined {
    // A local activity's failure (v9) reaches the workflow as the activity's own ApplicationFailure, not wrapped.
    const cause = err instanceof ActivityFailure ? err.cause : leanMemo === true ? err : undefined;
    if (!(cause instanceof ApplicationFailure)) return undefined;
    const type = cause.type ?? 'ApplicationFailure';
    return cause.nonRetryable || DETERMINISTIC_FAILURE_TYPES.includes(type) ? type : undefined;
  }

  /** Runs `op`; on a deterministic failure, flags the case and runs it again after each ops retry until it succeeds. */
  async function guarded<T>(operation: string, op: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await op();
      } catch (err) {
        const type = deterministicFailure(err);
        if (type === undefined || !since('needs-attention')) throw err;
        const retriesBefore = opsRetries.length;
        await flagNeedsAttention(`${type} in ${operation}`);
        publish();
        await condition(() => opsRetries.length > retriesBefore);
        await recordRetries();
      }
    }
  }

  async function flagNeedsAttention(reason: string): Promise<void> {
    const now = Date.now();
    if (!state.needsAttention) {
      state.needsAttention = { reason, since: formatShanghai(now) };
      upsertSearchAttributes([{ key: NeedsAttentionKey, value: true }]);
      showDetails();
    }
    state.timeline.push({ at: formatShanghai(now), type: 'needs_attention', detail: reason });
    seq += 1;
    log.warn('case needs attention', { caseNo, reason });
    await writeAttention({ caseNo, seq, type: 'needs_attention', reason, actor: null, detail: { detail: reason }, atMs: now });
  }

  /** The audit entry of each ops retry, once, however many operations were waiting for it. */
  async function recordRetries(): Promise<void> {
    while (retriesRecorded < opsRetries.length) {
      const r = opsRetries[retriesRecorded]!;
      retriesRecorded += 1;
      const now = Date.now();
      const detail = `retried by ops${r.note ? `: ${r.note}` : ''}`;
      state.timeline.push({ at: formatShanghai(now), type: 'attention_retry', detail });
      seq += 1;
      await writeAttention({ caseNo, seq, type: 'attention_retry', reason: 'ops retry', actor: r.operator, detail: { detail, requestId: r.requestId }, atMs: now });
    }
  }

  /** The flag is for ops' eyes; if even it cannot be written, the state and the search attribute still show it. */
  async function writeAttention(a: Parameters<Activities['recordAttention']>[0]): Promise<void> {
    try {
      const summary = a.type === 'needs_attention' ? `record needs_attention: ${a.reason}` : 'record attention_retry: released by ops';
      await attention.recordAttention.executeWithOptions({ summary: oneLine(summary) }, [a]);
    } catch (err) {
      log.error('could not record the needs-attention audit entry', { caseNo, seq: a.seq, type: a.type, failure: deterministicFailure(err) ?? 'other' });
    }
  }

  /** Appends to the timeline, writes the audit entry + case row, and tells the portal (webhook) on status changes. */
  async function record(type: string, payload: Record<string, unknown> = {}, actor?: string, tasks?: TaskWrites): Promise<void> {
    if (tasks && !combinedTaskWrites) {
      const open = tasks.open;
      if (open) {
        const summary = `open review task ${open.stepId} for ${open.department}, round ${open.round}`;
        await guarded(`openReviewTask ${open.stepId}`, () => records.openReviewTask.executeWithOptions({ summary }, [open]));
      }
      for (const u of tasks.update ?? []) {
        const summary = `update review task ${u.stepId}, round ${u.round}${u.status ? `: ${u.status}` : ''}`;
        await guarded(`updateReviewTask ${u.stepId}`, () => records.updateReviewTask.executeWithOptions({ summary }, [u]));
      }
    }
    const now = Date.now();
    seq += 1;
    const detail = typeof payload.detail === 'string' ? payload.detail : undefined;
    state.timeline.push({ at: formatShanghai(now), type, ...(detail ? { detail } : {}) });
    state.pendingDepartments = pendingDepartments();
    if (!lean) showDetails();
    const eventSeq = seq;
    const progress = {
      caseNo,
      seq: eventSeq,
      type,
      actor: actor ?? null,
      payload,
      atMs: now,
      ...(tasks && combinedTaskWrites ? { tasks } : {}),
      snapshot: {
        status: state.status,
        pendingDepartments: state.pendingDepartments,
        deadlineMs: state.deadlineMs,
        deadlineProvisional: state.deadlineProvisional,
        overdue: state.overdue,
        pausedWorkingDays: state.pausedWorkingDays,
        completedAtMs: TERMINAL_STATUSES.includes(state.status) ? now : null,
        reasons: state.reasons,
      },
    };
    const summary = progressSummary(type, payload, state.steps, !!(tasks && combinedTaskWrites));
    const writer = lean ? localRecords : records;
    await guarded(`recordCaseProgress ${type}`, () => writer.recordCaseProgress.executeWithOptions({ summary }, [progress]));
    if (!lean) upsertVisibility();
    if (input.webhook && STATUS_EVENTS.has(type)) {
      // Not awaited here: a slow portal must not hold the case. At the end the case waits a bounded while for them.
      pendingDeliveries += 1;
      const summary = `notify the portal: ${type} (event ${eventSeq}, status ${state.status})`;
      backgroundWork.push(
        webhooks.deliverWebhook
          .executeWithOptions({ summary }, [{ caseNo, eventSeq, type, status: state.status, atMs: now }])
          .catch((err) => {
            log.warn('webhook delivery gave up', { caseNo, eventSeq, error: String(err) });
          })
          .finally(() => {
            pendingDeliveries -= 1;
          }),
      );
    }
  }

  /**
   * Search attributes for ops. v3 (`sparse-search-attribute-upserts`): upsert only when one of them changed, instead of
   * on every audit event (the upserts were about a quarter of the platform's Temporal load in the benchmark).
   */
  const sparseUpserts = since('sparse-search-attribute-upserts');
  let lastVisibility = '';
  /** v9: the service key goes out with the first publication, in the same command. */
  let serviceKeyPending = lean;
  function upsertVisibility(): void {
    const current = JSON.stringify([state.status, state.pendingDepartments, state.overdue, state.deadlineMs]);
    if (sparseUpserts && current === lastVisibility) return;
    lastVisibility = current;
    upsertSearchAttributes([
      ...(serviceKeyPending ? [{ key: OneStopServiceKey, value: definition.code }] : []),
      { key: CaseStatusKey, value: state.status },
      { key: PendingDepartmentsKey, value: state.pendingDepartments },
      { key: OverdueKey, value: state.overdue },
      { key: CaseDeadlineKey, value: new Date(state.deadlineMs) },
    ]);
    serviceKeyPending = false;
  }

  /** v9: what ops see (search attributes, current details), published when the case goes idle. */
  function publish(): void {
    if (!lean) return;
    state.pendingDepartments = pendingDepartments();
    showDetails();
    upsertVisibility();
  }

  function pendingDepartments(): Department[] {
    const open = state.steps.filter((s) => s.status === 'open' || s.status === 'checking').map((s) => s.department);
    return [...new Set(open)].sort();
  }

  // ---- The clock ----
  const loadCalendar = (why: string) =>
    guarded('loadCalendar', () => (lean ? localRecords : records).loadCalendar.executeWithOptions({ summary: `load the working-day calendar (${why})` }, []));
  // v8 ('statutory-provisional-calendar'): a year without official data counts the statutory holidays (全国年节及纪念日
  // 放假办法 art. 2) as days off. Cases started before computed such deadlines weekdays-only and keep doing so on replay;
  // decided once here, so a case never switches rules mid-way (the calendar reload below uses the same rule).
  const provisionalRule = since('statutory-provisional-calendar') ? 'statutory-holidays' : 'weekdays';
  let calendar = new WorkingDayCalendar(await loadCalendar('case deadlines'), { provisional: provisionalRule });
  const applyDeadline = (d: Deadline) => {
    state.deadlineMs = d.deadlineMs;
    state.deadline = d.deadline;
    state.deadlineProvisional = d.provisional;
  };
  applyDeadline(calendar.addWorkingDays(input.acceptedAtMs, definition.review.caseLimitWorkingDays));
  if (!lean) upsertSearchAttributes([{ key: OneStopServiceKey, value: definition.code }]);
  await record('case_accepted', {
    detail: `accepted; due ${state.deadline}`,
    deadline: state.deadline,
    provisional: state.deadlineProvisional,
  });

  let pausedAtMs: number | undefined;
  let stepLimitOverride: number | undefined;
  /** The case promise in working days: the service's, or (v7) the longer statutory period an automatic check set. */
  let promiseDays = definition.review.caseLimitWorkingDays;

  function setStepClock(step: StepState, fromMs: number): void {
    const def = defOf(step.id);
    if (step.statutoryLimitWorkingDays !== undefined) {
      // v7: a statutory period counts from acceptance (62号令 art. 15: 自受理申请之日起), moved by the working days the
      // case was paused before this opening (the pauses while it is open move it in applySupplement, as for any step).
      const days = step.statutoryLimitWorkingDays;
      const pausedBefore = state.pausedWorkingDays - (step.pausedDays ?? 0);
      const at = (n: number) => {
        const due = calendar.addWorkingDays(input.acceptedAtMs, n);
        return pausedBefore > 0 ? calendar.extendDeadline(due.deadlineMs, pausedBefore) : due;
      };
      const due = at(days);
      step.deadlineMs = due.deadlineMs;
      step.deadline = due.deadline;
      step.reminderMs = days > 1 ? at(days - 1).deadlineMs : undefined;
      if (due.provisional) state.deadlineProvisional = true;
      return;
    }
    const limit = stepLimitOverride && def.kind !== 'automatic' ? stepLimitOverride : def.limitWorkingDays;
    const due = calendar.addWorkingDays(fromMs, limit);
    step.deadlineMs = due.deadlineMs;
    step.deadline = due.deadline;
    // The reminder comes one working day before the limit (none for a one-day limit: it would fire at acceptance).
    step.reminderMs = limit > 1 ? calendar.addWorkingDays(fromMs, limit - 1).deadlineMs : undefined;
    if (due.provisional) state.deadlineProvisional = true;
  }

  /** The case deadline for `days` working days from acceptance, moved by the working days paused so far. */
  function caseDeadlineFor(days: number): Deadline {
    const due = calendar.addWorkingDays(input.acceptedAtMs, days);
    return state.pausedWorkingDays > 0 ? calendar.extendDeadline(due.deadlineMs, state.pausedWorkingDays) : due;
  }

  /**
   * v7 (`statutory-step-period`): the period an automatic check sets (the oversize category's 2 / 5 / 15 working days,
   * 62号令 art. 15) applies to the steps that take it from that check (the highway permit), not to every step; and the
   * case promise becomes the longer of the service's promise and that period, so a category III case can keep it.
   * Before v7 the period replaced every human step's limit and the promise stayed.
   */
  async function applyStatutoryPeriod(check: StepState, days: number): Promise<void> {
    const takers = definition.review.steps.filter((s) => s.limitFromCheckOf === check.id).map((s) => stepOf(s.id));
    // A definition from before v7 names no taker: the period keeps its old reach (every step after the check).
    const targets = takers.length > 0 ? takers : state.steps.filter((s) => defOf(s.id).kind !== 'automatic');
    for (const s of targets) s.statutoryLimitWorkingDays = days;
    const before = state.deadline;
    promiseDays = Math.max(definition.review.caseLimitWorkingDays, days);
    state.promiseWorkingDays = promiseDays;
    applyDeadline(caseDeadlineFor(promiseDays));
    await record('statutory_period_applied', {
      detail: `${targets.map((s) => s.id).join(', ')}: ${days} working days from acceptance; case promise ${promiseDays} working days, due ${state.deadline}`,
      stepIds: targets.map((s) => s.id),
      statutoryLimitWorkingDays: days,
      promiseWorkingDays: promiseDays,
      before,
      deadline: state.deadline,
    });
  }

  // ---- Steps ----
  async function openHumanStep(step: StepState): Promise<void> {
    step.status = 'open';
    step.round += 1;
    step.openedAt = formatShanghai(Date.now());
    step.openedAtMs = Date.now();
    step.pausedDays = 0;
    step.reminded = false;
    // A reopened step's escalation starts over with its new clock (state only: set by v7 code, no command here).
    step.escalatedTo = undefined;
    step.governmentEscalationMs = undefined;
    setStepClock(step, Date.now());
    const opening = {
      caseNo,
      serviceCode: definition.code,
      stepId: step.id,
      round: step.round,
      department: step.department,
      deadlineMs: step.deadlineMs!,
      // Reviewers decide with the machine's report in front of them: their own step's, or the check they wait on.
      automaticReport: step.check ?? defOf(step.id).after.map((id) => stepOf(id).check).find((c) => c !== undefined) ?? null,
    };
    await record(
      'step_opened',
      {
        detail: `${step.id} open for ${step.department}, due ${step.deadline}`,
        stepId: step.id,
        round: step.round,
        department: step.department,
        deadline: step.deadline,
      },
      undefined,
      { open: opening },
    );
  }

  async function runAutomaticStep(step: StepState): Promise<void> {
    const def = defOf(step.id);
    step.status = 'checking';
    step.round += 1;
    showDetails();
    const summary = `automatic check ${def.check} for step ${step.id} (${step.department})`;
    const result = await guarded(`runAutomaticCheck ${step.id}`, () =>
      work.runAutomaticCheck.executeWithOptions({ summary }, [{ caseNo, check: def.check!, stepId: step.id }]),
    );
    step.check = result;
    step.decisions.push({
      decisionId: `${step.id}:auto:${step.round}`,
      decision: 'automatic',
      comment: result.reasons.join('; ') || 'all checks passed',
      reviewer: 'system',
      at: formatShanghai(Date.now()),
      round: step.round,
    });
    const statutoryPeriod = result.statutoryLimitWorkingDays && !since('statutory-step-period') ? undefined : result.statutoryLimitWorkingDays;
    if (result.statutoryLimitWorkingDays && statutoryPeriod === undefined) stepLimitOverride = result.statutoryLimitWorkingDays;
    await record('automatic_check_completed', {
      detail: `${step.id}: ${result.verdict}${result.hardRefusal ? ' (hard refusal)' : ''}`,
      stepId: step.id,
      verdict: result.verdict,
      hardRefusal: result.hardRefusal,
      reasons: result.reasons,
      report: result.report,
    });
    if (result.hardRefusal) {
      step.status = 'rejected';
      await finishRejected(result.reasons.map((r) => `${step.name.en}: ${r}`), 'system');
      return;
    }
    if (statutoryPeriod) await applyStatutoryPeriod(step, statutoryPeriod);
    const allPass = result.verdict === 'pass';
    if (def.kind === 'automatic') {
      if (!allPass && result.verdict === 'fail' && def.mandatory) {
        step.status = 'rejected';
        await finishRejected(result.reasons.map((r) => `${step.name.en}: ${r}`), 'system');
        return;
      }
      step.status = 'approved';
      if (allPass && definition.review.fastTrackWhenAllPass) fastTrackAfter(step.id);
      return;
    }
    // automatic+human: people decide what the machine could not, with the full report in front of them.
    if (allPass && definition.review.fastTrackWhenAllPass) {
      step.status = 'approved';
      step.decisions.push({
        decisionId: `${step.id}:fast-track:${step.round}`,
        decision: 'automatic',
        comment: 'fast-tracked: every automatic check passed',
        reviewer: 'system',
        at: formatShanghai(Date.now()),
        round: step.round,
      });
      return;
    }
    step.round -= 1; // the human review is the same round as the check
    await openHumanStep(step);
  }

  /**
   * Fast track (秒批), only when the definition allows it: every automatic check passed, so the human steps that wait
   * only on this check are approved by the system, with the report as the reason.
   */
  function fastTrackAfter(stepId: string): void {
    for (const s of state.steps) {
      const def = defOf(s.id);
      if (s.status !== 'waiting' || def.kind !== 'human' || def.after.join() !== stepId) continue;
      s.status = 'approved';
      s.decisions.push({
        decisionId: `${s.id}:fast-track:${s.round}`,
        decision: 'automatic',
        comment: `fast-tracked: every check of ${stepId} passed`,
        reviewer: 'system',
        at: formatShanghai(Date.now()),
        round: s.round,
      });
    }
  }

  function readySteps(): StepState[] {
    return state.steps.filter(
      (s) =>
        s.status === 'waiting' &&
        defOf(s.id).after.every((dep) => ['approved', 'skipped'].includes(stepOf(dep).status)),
    );
  }

  async function startReadySteps(): Promise<void> {
    // While a supplement is being requested nothing new starts: the applicant will be told once, then the case pauses.
    while (state.status === 'in_review' && !supplementPending()) {
      const ready = readySteps();
      if (ready.length === 0) return;
      await Promise.all(ready.map((s) => (defOf(s.id).kind === 'human' ? openHumanStep(s) : runAutomaticStep(s))));
    }
  }

  const supplementPending = () => state.steps.some((s) => s.status === 'supplement_requested');

  // ---- Decisions ----
  async function applyDecision(d: ReviewDecision, receivedAt: number): Promise<void> {
    const step = state.steps.find((s) => s.id === d.stepId);
    const base = {
      decisionId: d.decisionId,
      decision: d.decision,
      comment: d.comment,
      missing: d.missing,
      reviewer: d.reviewer,
      at: formatShanghai(receivedAt),
      round: step?.round ?? 0,
    };
    const ignore = async (reason: string) => {
      step?.decisions.push({ ...base, ignoredReason: reason });
      await record('decision_ignored', { detail: `${d.stepId}: ${reason}`, stepId: d.stepId, decisionId: d.decisionId, reason }, d.reviewer);
    };
    if (seenMessageIds.has(d.decisionId)) return ignore('duplicate decision');
    seenMessageIds.add(d.decisionId);
    if (!step) return ignore('no such step');
    if (step.department !== d.department) return ignore(`step belongs to ${step.department}`);
    if (state.status !== 'in_review' || step.status !== 'open') return ignore(`step is ${step.status}, case is ${state.status}`);
    if (d.decision === 'request_supplement' && !(d.missing && d.missing.length > 0)) {
      return ignore('a supplement request must list what is missing');
    }

    step.decisions.push(base);
    const outcome = { approve: 'approved', reject: 'rejected', request_supplement: 'supplement_requested' } as const;
    step.status = outcome[d.decision];
    await record(
      'decision_applied',
      { detail: `${step.id}: ${d.decision}`, stepId: step.id, decision: d.decision, comment: d.comment, missing: d.missing ?? [] },
      d.reviewer,
      { update: [{ caseNo, stepId: step.id, round: step.round, status: 'closed', decision: d.decision }] },
    );
    if (d.decision === 'reject' && defOf(step.id).mandatory) {
      await finishRejected([`${step.name.en} (${step.department}): ${d.comment}`], d.reviewer);
    }
  }

  /** Once every step reviewing in parallel has answered, the applicant is told everything at once and the clock stops. */
  async function maybePauseForSupplement(): Promise<void> {
    if (state.status !== 'in_review' || !supplementPending()) return;
    if (state.steps.some((s) => s.status === 'open' || s.status === 'checking')) return;
    const missing: MissingItem[] = [];
    for (const s of state.steps.filter((x) => x.status === 'supplement_requested')) {
      const last = [...s.decisions].reverse().find((x) => x.decision === 'request_supplement' && !x.ignoredReason);
      for (const m of last?.missing ?? []) missing.push({ material: m.material, reason: `${s.department}: ${m.reason}` });
    }
    state.outstandingSupplement = missing;
    state.status = 'awaiting_supplement';
    pausedAtMs = Date.now();
    state.pausedSince = formatShanghai(pausedAtMs);
    await record('supplement_requested', {
      detail: `applicant told once: ${missing.length} item(s) missing`,
      missing,
    });
  }

  async function applySupplement(s: SupplementSubmission, receivedAt: number): Promise<void> {
    if (seenMessageIds.has(s.supplementId)) {
      await record('supplement_ignored', { detail: 'duplicate supplement', supplementId: s.supplementId });
      return;
    }
    seenMessageIds.add(s.supplementId);
    if (state.status !== 'awaiting_supplement' || pausedAtMs === undefined) {
      await record('supplement_ignored', { detail: `case is ${state.status}`, supplementId: s.supplementId });
      return;
    }
    // The paused working days: the pause day is the office's, the resume day is the applicant's.
    const paused = calendar.workingDaysAfter(shanghaiDate(pausedAtMs), shanghaiDate(receivedAt));
    state.pausedWorkingDays += paused.days;
    if (paused.days > 0) {
      applyDeadline(calendar.extendDeadline(state.deadlineMs, paused.days));
      for (const step of state.steps.filter((x) => x.deadlineMs !== undefined)) {
        const moved = calendar.extendDeadline(step.deadlineMs!, paused.days);
        step.deadlineMs = moved.deadlineMs;
        step.deadline = moved.deadline;
        if (step.reminderMs !== undefined) step.reminderMs = calendar.extendDeadline(step.reminderMs, paused.days).deadlineMs;
        step.pausedDays = (step.pausedDays ?? 0) + paused.days;
      }
    }
    // The overdue flag may clear: the pause gave the office its days back.
    if (state.overdue && Date.now() <= state.deadlineMs) state.overdue = false;
    pausedAtMs = undefined;
    state.pausedSince = undefined;
    state.outstandingSupplement = [];
    state.status = 'in_review';
    await record('supplement_received', {
      detail: `resumed after ${paused.days} paused working day(s); due ${state.deadline}`,
      supplementId: s.supplementId,
      materials: s.materials,
      pausedWorkingDays: paused.days,
      deadline: state.deadline,
    }, s.requestedBy ?? 'applicant');
    // Reopen exactly the steps that asked, each with its own clock from now.
    for (const step of state.steps.filter((x) => x.status === 'supplement_requested')) await openHumanStep(step);
  }

  // ---- Timers ----
  function nextClockEvent(): { atMs: number; summary: string } | undefined {
    if (state.status !== 'in_review') return undefined; // paused or finished: every clock is stopped
    const events: { atMs: number; summary: string }[] = [];
    if (!state.overdue) events.push({ atMs: state.deadlineMs, summary: `case limit (${promiseDays} working days)` });
    for (const s of state.steps.filter((x) => x.status === 'open')) {
      if (!s.reminded && s.reminderMs !== undefined) events.push({ atMs: s.reminderMs, summary: `reminder ${s.id}` });
      if (!s.escalated && s.deadlineMs !== undefined) events.push({ atMs: s.deadlineMs, summary: `step limit ${s.id}` });
      if (s.escalatedTo === 'department_head' && s.governmentEscalationMs !== undefined) {
        events.push({ atMs: s.governmentEscalationMs, summary: `escalation ${s.id} to the government office` });
      }
    }
    return events.sort((a, b) => a.atMs - b.atMs)[0];
  }

  async function fireDueClocks(): Promise<void> {
    const now = Date.now();
    for (const step of state.steps.filter((x) => x.status === 'open')) {
      if (!step.reminded && step.reminderMs !== undefined && now >= step.reminderMs) {
        step.reminded = true;
        await record('step_reminder', { detail: `${step.id}: one working day left`, stepId: step.id, department: step.department }, undefined, {
          update: [{ caseNo, stepId: step.id, round: step.round, reminded: true }],
        });
      }
      if (!step.escalated && step.deadlineMs !== undefined && now >= step.deadlineMs) {
        step.escalated = true;
        step.overdue = true;
        if (defOf(step.id).onLimit === 'deemed_approval') {
          step.status = 'approved';
          step.decisions.push({
            decisionId: `${step.id}:deemed:${step.round}`,
            decision: 'deemed_approval',
            comment: 'no decision within the step limit: deemed approved',
            reviewer: 'system',
            at: formatShanghai(now),
            round: step.round,
          });
          await record('step_deemed_approved', { detail: `${step.id}: deemed approved at its limit`, stepId: step.id }, undefined, {
            update: [{ caseNo, stepId: step.id, round: step.round, status: 'closed', decision: 'deemed_approval', overdue: true }],
          });
        } else if (since('two-level-escalation')) {
          // v7: no deemed consent (the catalogue refuses it unless a cited rule provides it), so the limit goes up: to the
          // department's head now (行政许可法 art. 42: only the head may extend a period), to the government office one
          // working day later if the step is still open (art. 60: the government above supervises).
          step.escalatedTo = 'department_head';
          step.governmentEscalationMs = calendar.addWorkingDays(step.deadlineMs, 1).deadlineMs;
          await record(
            'step_escalated',
            { detail: `${step.id}: limit passed, escalated to the head of ${step.department}`, stepId: step.id, department: step.department, level: 1, escalatedTo: 'department_head' },
            undefined,
            { update: [{ caseNo, stepId: step.id, round: step.round, overdue: true }] },
          );
        } else {
          await record('step_escalated', { detail: `${step.id}: limit passed, escalated`, stepId: step.id, department: step.department }, undefined, {
            update: [{ caseNo, stepId: step.id, round: step.round, overdue: true }],
          });
        }
      }
      if (step.escalatedTo === 'department_head' && step.governmentEscalationMs !== undefined && now >= step.governmentEscalationMs) {
        step.escalatedTo = 'government_office';
        await record(
          'step_escalated',
          { detail: `${step.id}: one working day past its limit, escalated to the government office`, stepId: step.id, department: step.department, level: 2, escalatedTo: 'government_office' },
          undefined,
          { update: [{ caseNo, stepId: step.id, round: step.round, overdue: true }] },
        );
      }
    }
    if (!state.overdue && now >= state.deadlineMs) {
      state.overdue = true;
      await record('case_overdue', { detail: `case limit ${state.deadline} passed` });
    }
  }

  /**
   * A new year's calendar was loaded: provisional (weekdays-only) deadlines are rebuilt from their origins on the
   * official data, keeping the working days already given back by supplements.
   */
  async function reloadCalendar(): Promise<void> {
    calendar = new WorkingDayCalendar(await loadCalendar('calendarUpdated: recompute provisional deadlines'), { provisional: provisionalRule });
    if (!state.deadlineProvisional) return;
    const before = state.deadline;
    let caseDue = calendar.addWorkingDays(input.acceptedAtMs, promiseDays);
    if (state.pausedWorkingDays > 0) caseDue = calendar.extendDeadline(caseDue.deadlineMs, state.pausedWorkingDays);
    applyDeadline(caseDue); // sets deadlineProvisional from the case deadline; step clocks below may set it again
    for (const step of state.steps.filter((x) => x.status === 'open' && x.openedAtMs !== undefined)) {
      setStepClock(step, step.openedAtMs!);
      if (step.pausedDays) {
        const moved = calendar.extendDeadline(step.deadlineMs!, step.pausedDays);
        step.deadlineMs = moved.deadlineMs;
        step.deadline = moved.deadline;
        if (moved.provisional) state.deadlineProvisional = true;
      }
    }
    if (state.overdue && Date.now() <= state.deadlineMs) state.overdue = false;
    await record('deadlines_recomputed', { detail: `calendar updated: due ${before} -> ${state.deadline}`, before, after: state.deadline, provisional: state.deadlineProvisional });
  }

  // ---- Endings ----
  let finished = false;
  async function finishRejected(reasons: string[], actor: string): Promise<void> {
    state.reasons.push(...reasons);
    state.status = 'rejected';
    await record('case_rejected', { detail: reasons.join('; '), reasons }, actor, { update: closeOpenSteps('case rejected') });
    finished = true;
  }

  /** Cancels every open or waiting step; returns the task updates that go with the ending's record. */
  function closeOpenSteps(why: string): ReviewTaskUpdate[] {
    const updates: ReviewTaskUpdate[] = [];
    for (const s of state.steps) {
      if (s.status === 'open' || s.status === 'supplement_requested') {
        updates.push({ caseNo, stepId: s.id, round: s.round, status: 'cancelled' });
      }
      if (['open', 'waiting', 'supplement_requested', 'checking'].includes(s.status)) s.status = 'cancelled';
    }
    log.info('closed open steps', { caseNo, why });
    return updates;
  }

  async function applyWithdrawal(request: WithdrawalRequest): Promise<void> {
    if (seenMessageIds.has(request.requestId)) return;
    seenMessageIds.add(request.requestId);
    state.status = 'withdrawn';
    state.reasons.push(`withdrawn by the applicant: ${request.reason}`);
    await record('case_withdrawn', { detail: request.reason, reason: request.reason }, request.requestedBy ?? 'applicant', { update: closeOpenSteps('withdrawn') });
    finished = true;
  }

  /** A malformed message: recorded with the reason (which names fields and rules, never the payload's content). */
  async function recordIgnored(signal: string, reason: string): Promise<void> {
    await record('signal_ignored', { detail: `${signal} ignored: ${reason}`, signal, reason });
  }

  const allDone = () =>
    state.steps.every((s) => s.status === 'approved' || s.status === 'skipped' || !defOf(s.id).mandatory);

  async function applyMessage(msg: Inbox): Promise<void> {
    if (msg.kind === 'decision') await applyDecision(msg.decision, msg.receivedAt);
    else if (msg.kind === 'supplement') await applySupplement(msg.supplement, msg.receivedAt);
    else if (msg.kind === 'withdraw') await applyWithdrawal(msg.request);
    else if (msg.kind === 'ignored') await recordIgnored(msg.signal, msg.reason);
    else await reloadCalendar();
  }

  // ---- The loop ----
  /** v9: the one armed timer (the earliest clock event it was armed for) and whether it has fired. */
  let clock: { atMs: number; rang: boolean } | undefined;
  while (!finished) {
    await startReadySteps();
    if (finished) break;
    if (state.status === 'in_review' && state.steps.every((s) => ['approved', 'skipped', 'rejected'].includes(s.status)) && allDone()) {
      break;
    }
    await maybePauseForSupplement();

    const next = nextClockEvent();
    if (inbox.length === 0 && lean) {
      publish();
      if (next && (!clock || clock.rang || clock.atMs > next.atMs)) {
        const armed = { atMs: next.atMs, rang: false };
        clock = armed;
        void sleep(Math.max(1, next.atMs - Date.now()), { summary: next.summary }).then(() => {
          armed.rang = true;
        });
      }
      const waking = next ? clock : undefined;
      await condition(() => inbox.length > 0 || !!waking?.rang);
    } else if (inbox.length === 0) {
      if (next) {
        await condition(() => inbox.length > 0, Math.max(1, next.atMs - Date.now()), { summary: next.summary });
      } else {
        await condition(() => inbox.length > 0);
      }
    }
    // v9: one message per turn of the loop, so that what a message makes ready (a step opened by an approval) is
    // started before the next message is applied. A local activity's write is visible before its workflow task
    // completes; if that task is lost (a worker killed) and retried with messages that arrived meanwhile, the retry
    // must write the same records in the same order first (the same `seq`, so the writes already made are the ones
    // it makes again), and a decision on a step the lost task had opened must find that step open again.
    while (inbox.length > 0 && !finished) {
      const msg = inbox.shift()!;
      if (lean) {
        await applyMessage(msg);
        break;
      }
      if (msg.kind === 'decision') await applyDecision(msg.decision, msg.receivedAt);
      else if (msg.kind === 'supplement') await applySupplement(msg.supplement, msg.receivedAt);
      else if (msg.kind === 'withdraw') await applyWithdrawal(msg.request);
      else if (msg.kind === 'ignored') await recordIgnored(msg.signal, msg.reason);
      else await reloadCalendar();
    }
    if (!finished && (!lean || state.status === 'in_review')) await fireDueClocks();
  }

  if (!TERMINAL_STATUSES.includes(state.status)) {
    state.status = 'issuing';
    await record('issuing_certificates', { detail: 'every mandatory step approved' });
    const issue = { caseNo, certificates: definition.certificates, issuedAtMs: Date.now() };
    state.certificates = await guarded('issueCertificates', () => work.issueCertificates.executeWithOptions({ summary: certificatesSummary(definition.certificates) }, [issue]));
    state.status = 'completed';
    await record('case_completed', {
      detail: `${state.certificates.length} certificate(s) issued`,
      certificates: state.certificates.map((c) => c.no),
    });
  }
  // Late messages after the end are still recorded as ignored, so a reviewer's click never vanishes silently.
  for (const msg of inbox.splice(0)) {
    if (msg.kind === 'decision') await applyDecision(msg.decision, msg.receivedAt);
    else if (msg.kind === 'ignored') await recordIgnored(msg.signal, msg.reason);
  }
  if (since('bounded-webhook-wait')) {
    // v5: a finished case does not wait on a dead portal. Deliveries still retrying get WEBHOOK_GRACE, then they are
    // abandoned (every attempt is in webhook_delivery; the portal can always read the case), and the audit log says so.
    if (pendingDeliveries > 0) {
      publish();
      const delivered = await condition(() => pendingDeliveries === 0, WEBHOOK_GRACE, { summary: 'portal callbacks (bounded wait)' });
      if (!delivered) {
        await record('webhooks_abandoned', { detail: `portal callback unreachable: ${pendingDeliveries} delivery(ies) abandoned`, pending: pendingDeliveries });
      }
    }
  } else {
    await Promise.all(backgroundWork);
  }
  publish();
  log.info('case finished', { caseNo, status: state.status, workflowId: workflowInfo().workflowId });
  return {
    caseNo,
    status: state.status,
    reasons: state.reasons,
    certificates: state.certificates,
    pausedWorkingDays: state.pausedWorkingDays,
    overdue: state.overdue,
  };
}

/** How long a finished case waits for deliveries to its portal's callback that are still being retried. */
const WEBHOOK_GRACE = '10 minutes';

/** The events that change what the applicant sees; each one is POSTed to the portal's callback. */
const STATUS_EVENTS = new Set([
  'case_accepted',
  'supplement_requested',
  'supplement_received',
  'case_rejected',
  'case_withdrawn',
  'case_completed',
  'case_overdue',
]);

export type { CaseStatus };
