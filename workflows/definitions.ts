/**
 * Every signal, query and search attribute of the case workflow, defined once. The API, the tests and the workflow
 * import these objects, so a name is never spelled twice.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CaseState, ReviewDecision, SupplementSubmission, WithdrawalRequest } from '../domain/types';

export const reviewDecisionSignal = defineSignal<[ReviewDecision]>('reviewDecision');
export const supplementSignal = defineSignal<[SupplementSubmission]>('supplementSubmitted');
export const withdrawSignal = defineSignal<[WithdrawalRequest]>('withdraw');
/** Sent after a new year's holiday calendar is loaded: provisional deadlines are recomputed. */
export const calendarUpdatedSignal = defineSignal('calendarUpdated');

export const caseStateQuery = defineQuery<CaseState>('caseState');

// Search attributes for ops in the Temporal UI. No personal data here (names, ID numbers, plates): only codes.
export const OneStopServiceKey = defineSearchAttributeKey('OneStopService', 'KEYWORD');
export const CaseStatusKey = defineSearchAttributeKey('CaseStatus', 'KEYWORD');
export const PendingDepartmentsKey = defineSearchAttributeKey('PendingDepartments', 'KEYWORD_LIST');
export const CaseDeadlineKey = defineSearchAttributeKey('CaseDeadline', 'DATETIME');
export const OverdueKey = defineSearchAttributeKey('Overdue', 'BOOL');

/** The registration list the dev server (`--search-attribute`) and test servers are started with. */
export const SEARCH_ATTRIBUTES = [
  { name: 'OneStopService', type: 'Keyword' },
  { name: 'CaseStatus', type: 'Keyword' },
  { name: 'PendingDepartments', type: 'KeywordList' },
  { name: 'CaseDeadline', type: 'Datetime' },
  { name: 'Overdue', type: 'Bool' },
] as const;
export const SEARCH_ATTRIBUTE_KEYS = [OneStopServiceKey, CaseStatusKey, PendingDepartmentsKey, CaseDeadlineKey, OverdueKey];

export const CASE_WORKFLOW_TYPE = 'caseWorkflow';
