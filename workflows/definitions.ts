/**
 * Every signal, query and search attribute of the case workflow, defined once. The API, the tests and the workflow
 * import these objects, so a name is never spelled twice.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CaseState, ReviewDecision, SupplementSubmission, WithdrawalRequest } from '../domain/types';

/** Ops ask a case that needs attention to try the failed operation again, after correcting its cause. */
export interface OpsRetryRequest {
  requestId: string;
  /** Who asked (the ops token's subject): recorded in the audit log. */
  operator: string;
  note?: string;
}

/** Why a case stopped and since when: a deterministic activity failure waits for ops instead of retrying for ever. */
export interface CaseAttention {
  /** Safe to show: the failure type and the operation (no data, no SQL). */
  reason: string;
  since: string;
}

/** The case workflow's live state (query): the domain's case state plus the attention flag. */
export type CaseStateView = CaseState & { needsAttention?: CaseAttention };

/**
 * Failure types of activity errors (activities/errors.ts). The deterministic ones are thrown non-retryable and listed
 * in the proxies' `nonRetryableErrorTypes`: retrying cannot fix them, ops can.
 */
export const FailureTypes = {
  InvalidData: 'InvalidData',
  ConstraintViolation: 'ConstraintViolation',
  SchemaMismatch: 'SchemaMismatch',
  InvalidCalendar: 'InvalidCalendar',
  CaseNotFound: 'CaseNotFound',
  InvalidServiceDefinition: 'InvalidServiceDefinition',
  ActivityBug: 'ActivityBug',
  DatabaseUnavailable: 'DatabaseUnavailable',
  DatabaseError: 'DatabaseError',
  Unexpected: 'Unexpected',
} as const;
export const DETERMINISTIC_FAILURE_TYPES: string[] = [
  FailureTypes.InvalidData,
  FailureTypes.ConstraintViolation,
  FailureTypes.SchemaMismatch,
  FailureTypes.InvalidCalendar,
  FailureTypes.CaseNotFound,
  FailureTypes.InvalidServiceDefinition,
  FailureTypes.ActivityBug,
];

export const reviewDecisionSignal = defineSignal<[ReviewDecision]>('reviewDecision');
export const supplementSignal = defineSignal<[SupplementSubmission]>('supplementSubmitted');
export const withdrawSignal = defineSignal<[WithdrawalRequest]>('withdraw');
/** Sent after a new year's holiday calendar is loaded: provisional deadlines are recomputed. */
export const calendarUpdatedSignal = defineSignal('calendarUpdated');
/** See `OpsRetryRequest`. Sent by `POST /cases/:caseNo/retry`. */
export const opsRetrySignal = defineSignal<[OpsRetryRequest]>('opsRetry');

export const caseStateQuery = defineQuery<CaseStateView>('caseState');

// Search attributes for ops in the Temporal UI. No personal data here (names, ID numbers, plates): only codes.
export const OneStopServiceKey = defineSearchAttributeKey('OneStopService', 'KEYWORD');
export const CaseStatusKey = defineSearchAttributeKey('CaseStatus', 'KEYWORD');
export const PendingDepartmentsKey = defineSearchAttributeKey('PendingDepartments', 'KEYWORD_LIST');
export const CaseDeadlineKey = defineSearchAttributeKey('CaseDeadline', 'DATETIME');
export const OverdueKey = defineSearchAttributeKey('Overdue', 'BOOL');
/** True while the case waits for ops after a deterministic failure (`NeedsAttention = true` in the UI). */
export const NeedsAttentionKey = defineSearchAttributeKey('NeedsAttention', 'BOOL');

/** The registration list the dev server (`--search-attribute`) and test servers are started with. */
export const SEARCH_ATTRIBUTES = [
  { name: 'OneStopService', type: 'Keyword' },
  { name: 'CaseStatus', type: 'Keyword' },
  { name: 'PendingDepartments', type: 'KeywordList' },
  { name: 'CaseDeadline', type: 'Datetime' },
  { name: 'Overdue', type: 'Bool' },
  { name: 'NeedsAttention', type: 'Bool' },
] as const;
export const SEARCH_ATTRIBUTE_KEYS = [OneStopServiceKey, CaseStatusKey, PendingDepartmentsKey, CaseDeadlineKey, OverdueKey, NeedsAttentionKey];

export const CASE_WORKFLOW_TYPE = 'caseWorkflow';
