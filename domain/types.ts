/**
 * The types shared by the API, the activities and the case workflow. Dependency-free on purpose: the workflow sandbox
 * imports it, so nothing here may touch Node, the ORM, Express or zod.
 */
import type { ConfiguredCheck } from './checks/config';

export type Bilingual = { zh: string; en: string };

/**
 * A department's code (`education`, `public_security`, ...). The departments are data: the city file
 * (data/city/departments.json) lists them with their names and the parent a passed limit escalates to, and the
 * catalogue refuses a service definition naming one it does not list. Here only the shape is known, so the workflow
 * sandbox can check a message's department without reading files (it compares it with the case's definition).
 */
export type Department = string;

/** The shape of a department code: also the limit of the access log's `actor_department` column (32). */
export const DEPARTMENT_CODE_PATTERN = /^[a-z][a-z0-9_]{1,31}$/;

/** The automatic checks written as code, found by name: those no library check type can express (docs/checks.md). */
export const CODE_CHECKS = ['oversize-prereview'] as const;
export type CodeCheckKind = (typeof CODE_CHECKS)[number];

/**
 * The name of a step's automatic check: a code check (`CodeCheckKind`), or the name of the library checks the step
 * configures (`checks`), such as `school-bus-conditions`. The activity reads the data the step configures.
 */
export type AutomaticCheckKind = string;

export type StepKind = 'automatic' | 'human' | 'automatic+human';

export interface ReviewStepDefinition {
  id: string;
  name: Bilingual;
  department: Department;
  kind: StepKind;
  check?: AutomaticCheckKind;
  /** The library checks the step runs, with their parameters (domain/checks/config.ts); `check` names them. */
  checks?: ConfiguredCheck[];
  /** Ids of the steps that must be approved before this one opens. */
  after: string[];
  /** The step's own limit, in working days from the moment it opens. */
  limitWorkingDays: number;
  /** What the step's limit timer does when it fires while the step is still open. */
  onLimit: 'escalate' | 'deemed_approval';
  /** A rejection by a mandatory step rejects the whole case. */
  mandatory: boolean;
  /**
   * The automatic step whose result sets this step's statutory period (the oversize pre-review's category: 2 / 5 / 15
   * working days for the highway permit, 62号令 art. 15). Only the steps that name it get that period.
   */
  limitFromCheckOf?: string;
  /** Why the limit and the rule at the limit are what they are; the catalogue refuses a plan the law does not allow. */
  legalBasis: StepLegalBasis;
}

/** One provision: the document's full title and the article (with paragraph or item when it matters). */
export interface LegalCitation {
  document: string;
  article: string;
  /** What the provision says that matters here, in one sentence (for docs and reviewers). */
  note?: string;
}

export interface StepLegalBasis {
  /**
   * The provision that gives the act this step performs its period. `statutoryLimitWorkingDays` is that period; absent
   * when the law sets none for this act (then only the case promise bounds it). A step limit over it is refused.
   */
  limit: LegalCitation & { statutoryLimitWorkingDays?: number };
  /**
   * The provision for what happens at the limit. `deemed_approval` is refused unless this provision deems silence to be
   * consent: `providesDeemedConsent` set and `text` quoting the clause (it must contain 视为, the statutory wording).
   */
  onLimit: LegalCitation & { providesDeemedConsent?: boolean; text?: string };
}

export const PUBLIC_FIELD_RULES = ['show', 'holder', 'person', 'plate'] as const;
export type PublicFieldRule = (typeof PUBLIC_FIELD_RULES)[number];

export interface CertificateSpec {
  type: string;
  name: Bilingual;
  /** One certificate per vehicle listed in the application (`form.vehicles`) instead of one per case. */
  perVehicle: boolean;
  validityMonths: number;
  authority: Bilingual;
  department: Department;
  /** Form fields copied onto the certificate (dot paths into the application form; `vehicle.*` for per-vehicle). */
  fields: string[];
  /**
   * What public verification (anyone holding the printed code) may see of each field, and how: `show` as it is,
   * `holder` as the holder's name is shown (an organisation whole, a person masked), `person` masked as a name, `plate`
   * masked as a plate. A field not listed is withheld (the page names it as withheld): the safe default.
   */
  publicFields?: Record<string, PublicFieldRule>;
}

export interface ScenarioOption {
  value: string;
  label: Bilingual;
  requiresMaterials: string[];
}

export interface ScenarioQuestion {
  id: string;
  question: Bilingual;
  options: ScenarioOption[];
}

export interface MaterialDefinition {
  id: string;
  name: Bilingual;
  /** When set, an electronic certificate of this type may be referenced instead of uploading (证照免交). */
  certificateType?: string;
}

export interface ServiceDefinition {
  code: string;
  version: number;
  name: Bilingual;
  /** Human-readable case numbers: `${caseNumberPrefix}-YYYYMMDD-NNNNNN`. */
  caseNumberPrefix: string;
  items: { code: string; name: Bilingual; department: Department }[];
  departments: Department[];
  /**
   * The form's id (kebab-case, unique in the catalogue): its JSON Schema is the definition file's `formSchema`, and the
   * OpenAPI document names it `<PascalCase id>Form` (school-bus: SchoolBusForm).
   */
  form: string;
  scenarios: ScenarioQuestion[];
  materials: MaterialDefinition[];
  /** Materials every application needs, whatever the scenario answers. */
  baseMaterials: string[];
  review: {
    caseLimitWorkingDays: number;
    /** Skip the human steps that follow an automatic check when every check passed. */
    fastTrackWhenAllPass: boolean;
    steps: ReviewStepDefinition[];
  };
  certificates: CertificateSpec[];
}

// ---- The case workflow's contract ----

export interface CaseInput {
  caseNo: string;
  /** The definition snapshot the case runs on, fixed at start: later edits never touch a running case or its replay. */
  definition: ServiceDefinition;
  /** When the application was accepted (epoch ms). */
  acceptedAtMs: number;
  /** Whether to notify the portal's callback on each status change. */
  webhook: boolean;
}

export type CaseStatus =
  | 'in_review'
  | 'awaiting_supplement'
  | 'issuing'
  | 'completed'
  | 'rejected'
  | 'withdrawn';

export const TERMINAL_STATUSES: readonly CaseStatus[] = ['completed', 'rejected', 'withdrawn'];

export type StepStatus =
  | 'waiting'
  | 'checking'
  | 'open'
  | 'supplement_requested'
  | 'approved'
  | 'rejected'
  | 'skipped'
  | 'cancelled';

export type DecisionKind = 'approve' | 'reject' | 'request_supplement';

export interface MissingItem {
  material: string;
  reason: string;
}

/** A reviewer's decision, sent to the case as a signal. `decisionId` makes a resend harmless. */
export interface ReviewDecision {
  decisionId: string;
  stepId: string;
  decision: DecisionKind;
  comment: string;
  missing?: MissingItem[];
  reviewer: string;
  department: Department;
}

export interface SupplementSubmission {
  supplementId: string;
  /** Material ids the applicant now supplies, with references to uploads or electronic certificates. */
  materials: { material: string; reference: string }[];
  comment?: string;
  /** Who sent it, for the audit log (`portal:<client> for <applicant>`): set by the API; absent in older histories. */
  requestedBy?: string;
}

export interface WithdrawalRequest {
  requestId: string;
  reason: string;
  /** Who asked, for the audit log (`portal:<client> for <applicant>`): set by the API; absent in older histories. */
  requestedBy?: string;
}

export interface DecisionRecord {
  decisionId: string;
  decision: DecisionKind | 'deemed_approval' | 'automatic';
  comment: string;
  missing?: MissingItem[];
  reviewer: string;
  at: string;
  round: number;
  /** Set when the decision arrived but was not applied (duplicate, late, step not open). */
  ignoredReason?: string;
}

export type CheckVerdictSummary = 'pass' | 'fail' | 'needs_review';

export interface AutomaticCheckResult {
  verdict: CheckVerdictSummary;
  /** A hard refusal ends the case as rejected without a person. */
  hardRefusal: boolean;
  reasons: string[];
  /** The full report a reviewer reads (for the oversize pre-review: the 21 checks). */
  report: Record<string, unknown>;
  /** When the check decides the statutory limit of the steps after it (oversize category: 2, 5 or 15). */
  statutoryLimitWorkingDays?: number;
}

export interface StepState {
  id: string;
  name: Bilingual;
  department: Department;
  kind: StepKind;
  status: StepStatus;
  round: number;
  openedAt?: string;
  openedAtMs?: number;
  /** Working days this step's clock was stopped by supplements since it opened (its deadline moved by as many). */
  pausedDays?: number;
  deadline?: string;
  deadlineMs?: number;
  reminderMs?: number;
  reminded: boolean;
  escalated: boolean;
  /**
   * Who the passed limit is escalated to (v7, `two-level-escalation`): the department's head at the limit, the
   * government office one working day later (`governmentEscalationMs`) if the step is still open.
   */
  escalatedTo?: 'department_head' | 'government_office';
  governmentEscalationMs?: number;
  /** The statutory period the automatic check set for this step (oversize category: 2 / 5 / 15), counted from acceptance. */
  statutoryLimitWorkingDays?: number;
  overdue: boolean;
  decisions: DecisionRecord[];
  check?: AutomaticCheckResult;
}

export interface CertificateSummary {
  no: string;
  type: string;
  subjectKey: string;
  validUntil: string;
}

export interface CaseState {
  caseNo: string;
  serviceCode: string;
  definitionVersion: number;
  status: CaseStatus;
  acceptedAt: string;
  deadline: string;
  deadlineMs: number;
  deadlineProvisional: boolean;
  /**
   * The case promise in working days from acceptance: the service's, or longer when a statutory period set by an
   * automatic check is longer (oversize category III: 15). Absent in cases started before v7.
   */
  promiseWorkingDays?: number;
  overdue: boolean;
  pausedWorkingDays: number;
  pausedSince?: string;
  pendingDepartments: Department[];
  outstandingSupplement: MissingItem[];
  steps: StepState[];
  certificates: CertificateSummary[];
  reasons: string[];
  timeline: { at: string; type: string; detail?: string }[];
}

export type CaseOutcome = Pick<CaseState, 'caseNo' | 'status' | 'reasons' | 'certificates' | 'pausedWorkingDays' | 'overdue'>;
