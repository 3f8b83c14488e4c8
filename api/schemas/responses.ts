/**
 * What the API answers, as zod schemas: every route's 2xx bodies are declared with these, so the OpenAPI document
 * describes every field and a client generated from it (openapi-typescript, openapi-fetch) gets real types. Each shape
 * a client will name is registered with `.openapi('Name')`.
 *
 * Response schemas describe what leaves the platform, not what it accepts: identifiers here are plain strings, because
 * a masked view carries `3708**********1234` where the request schema wants a checked ID number. Where a value is truly
 * free-form (an automatic check's `compared` values, a certificate's signed fields) the schema still says which JSON
 * values it holds; nothing here is an open `{}`.
 */
import { z } from './zod';
import { DEPARTMENT_CODE_PATTERN } from '../../domain/types';
import { serviceForm } from './forms';

export const bilingual = z.object({ zh: z.string(), en: z.string() }).openapi('Bilingual');
/** A department's code: the departments are the city's data (data/city/departments.json; names in the catalogue). */
export const department = z.string().regex(DEPARTMENT_CODE_PATTERN).openapi('Department', { example: 'education' });
/**
 * A registered schema or null. Not `.nullable()`: zod-to-openapi 9 then marks the shared component itself nullable
 * (or drops the null), so every other use of it would change. This gives `anyOf: [$ref, { nullable: true }]`.
 */
export const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

const instant = z.string().openapi({ description: 'ISO 8601 with the +08:00 offset', example: '2026-12-03T23:59:59+08:00' });
const day = z.string().openapi({ description: 'A civil date, YYYY-MM-DD', example: '2026-12-03' });

/** Any JSON value: what an automatic check compared (its shape depends on the check; see docs/oversize-checks.md). */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export const jsonValue: z.ZodType<Json> = z
  .lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]))
  .openapi('JsonValue', { description: 'Any JSON value' });

export const CASE_STATUSES = ['in_review', 'awaiting_supplement', 'issuing', 'completed', 'rejected', 'withdrawn', 'not_accepted'] as const;
export const caseStatus = z.enum(CASE_STATUSES).openapi('CaseStatus');
export const STEP_STATUSES = ['waiting', 'checking', 'open', 'supplement_requested', 'approved', 'rejected', 'skipped', 'cancelled'] as const;
export const DECISION_KINDS = ['approve', 'reject', 'request_supplement'] as const;
export const decisionKind = z.enum(DECISION_KINDS).openapi('DecisionKind');

export const missingItem = z.object({ material: z.string(), reason: z.string() }).openapi('MissingItem');
export const materialReference = z
  .object({ material: z.string(), reference: z.string().openapi({ description: '`upload:<id>` or `cert:<no>`' }) })
  .openapi('MaterialReference');

// ---- Automatic check reports ----

const finding = z.object({
  ok: z.boolean(),
  check: z.string(),
  checkZh: z.string().optional().openapi({ description: "The check's name in Chinese, when its definition gives one" }),
  detail: z.string(),
});
export const findingsReport = z
  .object({
    source: z.string().openapi({ description: 'The rules and registers the findings come from' }),
    findings: z.array(finding),
    error: z.string().optional().openapi({ description: 'Set when the data could not be evaluated: the kind of failure; a person decides' }),
  })
  .openapi('FindingsReport', { description: "The report of a step's library checks (configured in its definition)" });

const checkVerdict = z.enum(['pass', 'fail', 'needs_review']);
const oversizeCheckResult = z
  .object({
    id: z.string().openapi({ example: 'R3' }),
    category: z.enum(['personnel', 'company', 'vehicle', 'route', 'cargo']),
    title: z.string(),
    titleZh: z.string(),
    source: z.string(),
    verdict: checkVerdict,
    explanation: z.string().openapi({ description: 'For a reviewer: the values compared, the limit and the record they come from' }),
    compared: z.record(z.string(), jsonValue),
    limit: z.record(z.string(), jsonValue).optional(),
    hardRefusal: z.boolean(),
  })
  .openapi('OversizeCheckResult');
export const oversizeReport = z
  .object({
    results: z.array(oversizeCheckResult).openapi({ description: 'The 21 checks in 5 categories (domain/oversize)' }),
    overLimit: z.boolean(),
    category: z.enum(['I', 'II', 'III']),
    categoryReasons: z.array(z.string()),
    statutoryLimitWorkingDays: z.union([z.literal(2), z.literal(5), z.literal(15)]),
    crossProvinceLimitWorkingDays: z.union([z.literal(5), z.literal(10), z.literal(20)]),
    requiredDocuments: z.array(z.string()),
    hardRefusal: z.boolean(),
    refusalReasons: z.array(z.string()),
    allPass: z.boolean(),
    counts: z.object({ pass: z.number().int(), fail: z.number().int(), needs_review: z.number().int() }),
    disposition: z.enum(['reject', 'human_review', 'fast_track']),
  })
  .openapi('OversizeReport', { description: 'The oversize pre-review (62号令): 5 categories, 21 checks' });

export const automaticCheckResult = z
  .object({
    verdict: checkVerdict,
    hardRefusal: z.boolean().openapi({ description: 'The case ends as rejected without a person' }),
    reasons: z.array(z.string()),
    report: z.union([oversizeReport, findingsReport]),
    statutoryLimitWorkingDays: z.number().int().optional(),
  })
  .openapi('AutomaticCheckResult');

// ---- Forms as the views show them ----

/**
 * An application form as submitted (or archived), one shape per service form: `<Form>Application`, each the view of a
 * service's form schema (api/schemas/form-components.ts fills this component in from the catalogue).
 */
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
export const applicationForm = z.custom<Record<string, unknown>>(isObject).openapi('ApplicationForm', { type: 'object' });

/** What a case's form carries beside the application: the scenario answers and the materials. */
export const submittedExtras = { scenarioAnswers: z.record(z.string(), z.string()), materials: z.array(materialReference) };
export const purgedForm = z
  .object({ personalDataPurgedAt: z.string().openapi({ description: 'When the retention purge removed the personal data' }) })
  .openapi('PurgedForm');

/**
 * The form on a case view: the application with its scenario answers and materials (`<Form>CaseForm`), or the purge
 * marker. Filled in from the catalogue (api/schemas/form-components.ts).
 */
export const caseForm = z.custom<Record<string, unknown>>(isObject).openapi('CaseForm', {
  type: 'object',
  description:
    'The submitted application. In clear for the data subject and the deciding reviewers; for a portal that does not assert the applicant, ID numbers, phones, persons\' names and school-bus stops and times are masked.',
});

// ---- Written decisions and the one-time notice (domain/written-decision.ts) ----

export const legalCitation = z
  .object({
    document: z.string().openapi({ example: '超限运输车辆行驶公路管理规定（交通运输部令2016年第62号）' }),
    article: z.string().openapi({ example: 'art. 6' }),
    note: z.string().optional().openapi({ description: 'What the provision says that matters here' }),
  })
  .openapi('LegalCitation');

export const remedy = z
  .object({
    kind: z.enum(['administrative_reconsideration', 'administrative_litigation']),
    name: z.string().openapi({ example: '行政复议' }),
    body: z.string().openapi({ description: 'Where to apply', example: '济宁市人民政府' }),
    withinDays: z.number().int().nullable().openapi({ example: 60 }),
    withinMonths: z.number().int().nullable().openapi({ example: null }),
    from: z.string().openapi({ description: 'From when the period runs' }),
    legalBasis: legalCitation,
  })
  .openapi('Remedy');

export const writtenDecision = z
  .object({
    kind: z.enum(['not_accepted', 'refused']).openapi({ description: '`not_accepted`: 不予受理 at intake; `refused`: 不予许可 after review' }),
    title: z.string().openapi({ example: '不予受理行政许可申请决定书' }),
    decisionNo: z.string().openapi({ example: 'JN-OVERSIZE-20261126-000007-D' }),
    caseNo: z.string(),
    service: z.object({ code: z.string(), name: orNull(bilingual) }),
    authority: bilingual,
    date: day,
    reasons: z.array(z.string()),
    legalBasis: z.array(legalCitation),
    competentAuthority: z.string().nullable().openapi({ description: 'Not within this authority\'s competence: the authority to apply to' }),
    remedies: z.array(remedy).openapi({ description: '行政复议 within 60 days (行政复议法 art. 20) and 行政诉讼 within 6 months (行政诉讼法 art. 46)' }),
    text: z.string().openapi({ description: 'The whole decision as one Chinese text, for display and printing' }),
  })
  .openapi('WrittenDecision');

export const supplementNotice = z
  .object({
    noticeNo: z.string().openapi({ example: 'JN-SCHOOLBUS-20261126-000042-S1' }),
    caseNo: z.string(),
    service: z.object({ code: z.string(), name: orNull(bilingual) }),
    date: day,
    round: z.number().int().openapi({ description: 'Which supplement request of the case this is (1 for the first)' }),
    departments: z.array(
      z.object({
        department: orNull(department),
        departmentName: orNull(bilingual),
        items: z.array(z.object({ material: z.string(), materialName: orNull(bilingual), reason: z.string() })),
      }),
    ),
    itemCount: z.number().int(),
    text: z.string().openapi({ description: 'The whole notice as one Chinese text' }),
  })
  .openapi('SupplementNotice');

// ---- Cases ----

export const caseReceipt = z
  .object({
    caseNo: z.string().openapi({ example: 'JN-SCHOOLBUS-20261126-000042' }),
    status: caseStatus,
    deadline: instant.nullable().openapi({ description: 'The promised deadline; null for an application not accepted (no review)' }),
    deadlineProvisional: z.boolean().openapi({ description: 'The deadline reaches a year whose official calendar is not published yet' }),
    accessCode: z
      .string()
      .optional()
      .openapi({
        description:
          'The applicant\'s tracking code for `GET /track/{caseNo}` (header `X-Access-Code`). Shown once, in the response that created it; the platform keeps only a hash.',
        example: 'K7MQ2XH9PD',
      }),
    decision: writtenDecision.optional().openapi({ description: 'Status `not_accepted` (不予受理): the written decision, with reasons, legal basis and remedies' }),
  })
  .openapi('CaseReceipt');

export const caseListItem = z
  .object({
    caseNo: z.string(),
    service: z.string(),
    status: caseStatus,
    channel: z.enum(['online', 'counter']),
    acceptedAt: instant,
    deadline: instant.nullable(),
    overdue: z.boolean(),
    pendingDepartments: z.array(department),
  })
  .openapi('CaseListItem');

export const stepDecision = z
  .object({
    decision: z.enum([...DECISION_KINDS, 'deemed_approval', 'automatic']).openapi({
      description: '`automatic`: decided by the system (an automatic check, or a fast track when every check passed); `deemed_approval`: the step\'s limit passed',
    }),
    comment: z.string(),
    missing: z.array(missingItem).optional(),
    reviewer: z.string().openapi({ description: 'The reviewer, or `system`' }),
    at: instant,
    ignoredReason: z.string().optional().openapi({ description: 'Live view only: the decision arrived but was not applied' }),
  })
  .openapi('StepDecision');

export const stepCheck = z
  .object({
    verdict: checkVerdict,
    hardRefusal: z.boolean(),
    reasons: z.array(z.string()).optional().openapi({ description: 'Absent where the caller does not see personal data' }),
    report: z.union([oversizeReport, findingsReport]).optional().openapi({ description: 'Absent where the caller does not see personal data' }),
  })
  .openapi('StepCheck');

export const caseStep = z
  .object({
    id: z.string(),
    name: bilingual,
    department: orNull(department),
    kind: z.enum(['automatic', 'human', 'automatic+human']).nullable(),
    status: z.enum(STEP_STATUSES),
    round: z.number().int(),
    deadline: instant.nullable(),
    reminded: z.boolean(),
    overdue: z.boolean(),
    decisions: z.array(stepDecision),
    check: stepCheck.optional(),
  })
  .openapi('CaseStep');

export const caseCertificateRef = z
  .object({ no: z.string(), type: z.string(), subject: z.string(), validUntil: day, revoked: z.boolean() })
  .openapi('CaseCertificateRef');

export const timelineEntry = z
  .object({ seq: z.number().int(), at: instant, type: z.string(), actor: z.string().nullable(), detail: z.string().nullable() })
  .openapi('TimelineEntry');

export const caseView = z
  .object({
    caseNo: z.string(),
    service: z.string(),
    definitionVersion: z.number().int(),
    status: caseStatus,
    channel: z.enum(['online', 'counter']),
    applicant: z.object({ key: z.string().openapi({ description: 'Masked unless the caller sees personal data' }), name: z.string() }),
    acceptedAt: instant,
    deadline: instant.nullable(),
    deadlineProvisional: z.boolean(),
    overdue: z.boolean(),
    pausedWorkingDays: z.number().int(),
    pausedSince: instant.nullable(),
    outstandingSupplement: z.array(missingItem),
    pendingDepartments: z.array(department),
    reasons: z.array(z.string()),
    steps: z.array(caseStep),
    certificates: z.array(caseCertificateRef),
    evaluation: z.object({ stars: z.number().int(), comment: z.string().nullable() }).nullable(),
    timeline: z.array(timelineEntry),
    form: caseForm.optional().openapi({ description: 'For the portal and the deciding reviewers; never for ops' }),
  })
  .openapi('CaseView');

// ---- The applicant's tracking view ----

export const trackingCertificate = z
  .object({
    no: z.string(),
    type: z.string(),
    name: orNull(bilingual),
    validUntil: day,
    revoked: z.boolean(),
    verifyPath: z.string().openapi({ description: 'The public verification (what the certificate\'s QR code opens)', example: '/api/v1/certificates/verify/ABCDEFGHJKMNPQRSTVWXYZ23' }),
  })
  .openapi('TrackingCertificate');

/**
 * One item the applicant must supply, in words the applicant can read: the material's name from the service
 * definition (the code stays, for POST /track/{caseNo}/supplements) and the department that asked, apart from its
 * reason.
 */
export const trackingMissingItem = z
  .object({
    material: z.string().openapi({ description: 'The material code, as POST /track/{caseNo}/supplements wants it', example: 'insurance' }),
    materialName: orNull(bilingual).openapi({ description: "The material's name in the service definition; null for a code the definition does not list" }),
    department: orNull(department).openapi({ description: 'The department that asked for it; null when the record does not say' }),
    departmentName: orNull(bilingual).openapi({ description: "The department's display name" }),
    reason: z.string().openapi({ description: "The department's reason, as its reviewer wrote it", example: '保险凭证已过期' }),
  })
  .openapi('TrackingMissingItem');

export const trackingView = z
  .object({
    caseNo: z.string(),
    service: z.object({ code: z.string(), name: orNull(bilingual) }),
    status: caseStatus,
    acceptedAt: instant,
    deadline: instant.nullable(),
    deadlineProvisional: z.boolean(),
    overdue: z.boolean(),
    pausedWorkingDays: z.number().int(),
    pausedSince: instant.nullable(),
    outstandingSupplement: z.array(trackingMissingItem).openapi({ description: 'What to supply (POST /track/{caseNo}/supplements) while the case waits for it' }),
    supplementPath: z.string().nullable().openapi({ description: 'Where to send the supplement, while one is asked for' }),
    pendingDepartments: z.array(department),
    reasons: z.array(z.string()).openapi({ description: 'The written reasons of a refusal' }),
    steps: z.array(caseStep),
    certificates: z.array(trackingCertificate),
    decision: orNull(writtenDecision).openapi({ description: 'The written decision of a refusal (不予受理 or 不予许可); null otherwise' }),
  })
  .openapi('TrackingView');

// ---- Reviews ----

export const reviewTask = z
  .object({
    taskId: z.string(),
    caseNo: z.string(),
    service: z.string(),
    stepId: z.string(),
    round: z.number().int(),
    department,
    status: z.enum(['open', 'closed', 'cancelled']),
    deadline: instant.nullable(),
    workingDaysLeft: z.number().int().nullable().openapi({ description: 'Working days from today to the deadline (negative once past it); null without a deadline' }),
    reminder: z.boolean(),
    overdue: z.boolean(),
    claimedBy: z.string().nullable(),
    hasAutomaticReport: z.boolean(),
    openedAt: instant,
    allowedDecisions: z.array(decisionKind).openapi({ description: 'The decisions the step accepts now (none once the task is closed)' }),
    decisionPath: z.string().openapi({ example: '/api/v1/cases/JN-SCHOOLBUS-20261126-000042/steps/police-opinion/decision' }),
    claimPath: z.string(),
    releasePath: z.string(),
  })
  .openapi('ReviewTask');

// A fresh object (not `.extend` of the registered one): the document then has one closed object, not an allOf.
export const reviewTaskDetail = z
  .object({
    ...reviewTask.shape,
    automaticReport: orNull(automaticCheckResult),
  })
  .openapi('ReviewTaskDetail');

// ---- Catalogue ----

export const submissionExample = z
  .object({
    serviceCode: z.string(),
    channel: z.enum(['online', 'counter']),
    scenarioAnswers: z.record(z.string(), z.string()),
    materials: z.array(materialReference),
    // A request that can be sent as it is: described by the request's own form schemas.
    form: serviceForm,
  })
  .openapi('SubmissionExample');

export const service = z
  .object({
    code: z.string(),
    version: z.number().int(),
    name: bilingual,
    items: z.array(z.object({ code: z.string(), name: bilingual, department })),
    departments: z.array(z.object({ code: department, name: bilingual })),
    caseLimitWorkingDays: z.number().int(),
    scenarios: z.array(
      z.object({
        id: z.string(),
        question: bilingual,
        options: z.array(z.object({ value: z.string(), label: bilingual, requiresMaterials: z.array(z.string()) })),
      }),
    ),
    materials: z.array(z.object({ id: z.string(), name: bilingual, certificateType: z.string().optional() })),
    baseMaterials: z.array(z.string()),
    reviewPlan: z.array(
      z.object({
        id: z.string(),
        name: bilingual,
        department,
        kind: z.enum(['automatic', 'human', 'automatic+human']),
        after: z.array(z.string()),
        limitWorkingDays: z.number().int(),
      }),
    ),
    certificates: z.array(z.object({ type: z.string(), name: bilingual, perVehicle: z.boolean(), validityMonths: z.number().int(), authority: bilingual })),
    formSchema: z.record(z.string(), jsonValue).openapi({
      description: "The service's form as JSON Schema (2020-12): `x-title` ({zh, en}) on every field, `x-enumTitles` for enumerated values, the platform's formats (credit-code, id-card, plate); pages label a form from it",
    }),
    example: submissionExample.optional().openapi({ description: 'A complete submission that can be POSTed to /cases as it is' }),
  })
  .openapi('Service');

// ---- Prefill ----

const nullableDay = day.nullable();
export const prefillCompany = z
  .object({
    creditCode: z.string(),
    name: z.string(),
    legalRepresentative: z.string(),
    address: z.string(),
    businessScope: z.array(z.string()),
    businessLicenceStatus: z.string(),
    operatingPermitNo: z.string().nullable(),
    operatingPermitValidUntil: nullableDay,
    operatingScope: z.array(z.string()),
    seriousViolation: z.boolean(),
    liabilityInsuranceValidUntil: nullableDay,
  })
  .openapi('PrefillCompany');
export const prefillVehicle = z
  .object({
    plate: z.string(),
    ownerKey: z.string(),
    kind: z.string(),
    axles: z.number().int(),
    configuration: z.string(),
    totalMassKg: z.number(),
    seats: z.number().int().nullable(),
    drivingLicenceValidUntil: nullableDay,
    inspectionValidUntil: nullableDay,
    roadTransportCertValidUntil: nullableDay,
    meetsSchoolBusStandard: z.boolean(),
  })
  .openapi('PrefillVehicle');
export const prefillPerson = z
  .object({
    idCard: z.string(),
    name: z.string(),
    licenceClass: z.string().nullable(),
    licenceValidUntil: nullableDay,
    drivingYears: z.number().int().nullable(),
    freightQualificationValidUntil: nullableDay,
  })
  .openapi('PrefillPerson');
export const prefill = z
  .object({
    company: orNull(prefillCompany).optional().openapi({ description: 'With `creditCode`; null when not on record' }),
    school: z.object({ creditCode: z.string(), name: z.string(), address: z.string() }).nullable().optional(),
    vehicles: z.array(prefillVehicle).optional().openapi({ description: 'With `creditCode`: the vehicles registered to it' }),
    archivedApplications: z
      .array(z.object({ serviceCode: z.string(), caseNo: z.string(), data: applicationForm, archivedAt: z.string() }))
      .optional()
      .openapi({ description: 'With `creditCode`: the latest application per service, for reuse' }),
    certificates: z
      .array(z.object({ no: z.string(), type: z.string(), subjectKey: z.string(), validUntil: day, authority: z.string() }))
      .optional()
      .openapi({ description: 'With `creditCode`: valid certificates it can reference (`cert:<no>`) instead of an upload' }),
    person: orNull(prefillPerson).optional().openapi({ description: 'With `idCard`' }),
    vehicle: orNull(prefillVehicle).optional().openapi({ description: 'With `plate`' }),
  })
  .openapi('Prefill');

// ---- Ops ----

export const serviceStats = z
  .object({
    service: z.string(),
    received: z.number().int(),
    completed: z.number().int(),
    rejected: z.number().int(),
    withdrawn: z.number().int(),
    inProgress: z.number().int(),
    onlineShare: z.number().nullable(),
    medianWorkingDaysToCompletion: z.number().nullable(),
    p90WorkingDaysToCompletion: z.number().nullable(),
    onTimeRate: z.number().nullable(),
    overdueNow: z.number().int(),
    meanEvaluation: z.number().nullable(),
  })
  .openapi('ServiceStats');

export const dailyStats = z
  .object({
    from: z.string().openapi({ description: 'First day of the window (YYYY-MM-DD, Asia/Shanghai)', example: '2026-10-28' }),
    to: z.string().openapi({ description: 'Last day of the window, today (YYYY-MM-DD, Asia/Shanghai)', example: '2026-11-26' }),
    services: z.array(
      z
        .object({
          service: z.string(),
          days: z
            .array(
              z
                .object({
                  day: z.string().openapi({ description: 'YYYY-MM-DD, Asia/Shanghai' }),
                  received: z.number().int().openapi({ description: 'Cases accepted that day' }),
                  completed: z.number().int().openapi({ description: 'Cases completed that day (certificates issued)' }),
                  rejected: z.number().int().openapi({ description: 'Cases refused that day' }),
                  withdrawn: z.number().int(),
                  notAccepted: z.number().int().openapi({ description: 'Applications not accepted (不予受理) that day' }),
                })
                .openapi('DailyCounts'),
            )
            .openapi({ description: 'Every day of the window, oldest first; zeros included' }),
          completionWorkingDays: z
            .array(z.object({ workingDays: z.number().int(), cases: z.number().int() }).openapi('CompletionBucket'))
            .openapi({ description: 'Cases completed in the window by working days from acceptance (official calendar, paused days not counted), fewest first' }),
          needingAttention: z.number().int().openapi({ description: 'Cases flagged for ops now (POST /cases/{caseNo}/retry)' }),
        })
        .openapi('ServiceDailyStats'),
    ),
  })
  .openapi('DailyStatistics');
