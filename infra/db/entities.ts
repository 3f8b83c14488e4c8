/**
 * PostgreSQL entities. The workflow is the source of truth for a running case; these tables are what the API lists and
 * filters, the append-only audit log, the review queues, the issued certificates, and the data the government already
 * holds (companies, people, vehicles...) that prefill and automatic checks read.
 *
 * Uniqueness that protects correctness lives here as constraints, not only in code:
 * one case per idempotency key, one certificate per case + type + subject, one audit entry per case + sequence,
 * one review task per case + step + round.
 */
import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const OneStopCase = defineEntity({
  name: 'OneStopCase',
  tableName: 'one_stop_case',
  properties: (p) => ({
    caseNo: p.string().length(64).primary(),
    serviceCode: p.string().length(32).index(),
    definitionVersion: p.integer(),
    /** The registered portal client that submitted the case: it alone reads, follows and withdraws it. */
    portalClientId: p.string().length(64).default('unregistered'),
    /** Unique per portal client, not globally: one portal can never reach another's case by reusing its key. */
    idempotencyKey: p.string().length(128),
    requestHash: p.string().length(64),
    applicantKey: p.string().length(32).index(),
    applicantName: p.string().length(200),
    /** The applicant identity the city's identity system asserted in the token (credit code or ID number), if any. */
    applicantSubject: p.string().length(32).nullable(),
    channel: p.string().length(16),
    status: p.string().length(32).index(),
    form: p.json<Record<string, unknown>>(),
    acceptedAt: p.datetime(),
    deadline: p.datetime().nullable(),
    deadlineProvisional: p.boolean().default(false),
    overdue: p.boolean().default(false),
    pendingDepartments: p.json<string[]>().default('[]'),
    pausedWorkingDays: p.integer().default(0),
    completedAt: p.datetime().nullable(),
    outcomeReasons: p.json<string[]>().default('[]'),
    webhookUrl: p.string().length(2000).nullable(),
    evaluationStars: p.smallint().nullable(),
    evaluationComment: p.string().length(2000).nullable(),
    updatedAt: p.datetime(),
    /** The audit sequence of the last snapshot written: a retried older write never overwrites a newer one. */
    lastEventSeq: p.integer().default(0),
    /** Set when an operation of the case failed deterministically: ops must look (reason carries no personal data). */
    attentionReason: p.string().length(500).nullable(),
    attentionSince: p.datetime().nullable(),
    /** The applicant's tracking access code, scrypt-hashed with its own salt (infra/repositories/tracking.ts); never the code. */
    accessCodeHash: p.string().length(128).nullable(),
  }),
  uniques: [{ properties: ['portalClientId', 'idempotencyKey'] }],
  indexes: [{ properties: ['serviceCode', 'status'] }, { properties: ['acceptedAt'] }, { properties: ['portalClientId', 'acceptedAt'] }],
});
export type OneStopCase = InferEntity<typeof OneStopCase>;

export const CaseEvent = defineEntity({
  name: 'CaseEvent',
  tableName: 'case_event',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    caseNo: p.string().length(64),
    seq: p.integer(),
    type: p.string().length(48),
    actor: p.string().length(128).nullable(),
    payload: p.json<Record<string, unknown>>(),
    at: p.datetime(),
  }),
  uniques: [{ properties: ['caseNo', 'seq'] }],
});
export type CaseEvent = InferEntity<typeof CaseEvent>;

export const ReviewTask = defineEntity({
  name: 'ReviewTask',
  tableName: 'review_task',
  properties: (p) => ({
    id: p.string().length(96).primary(),
    caseNo: p.string().length(64),
    serviceCode: p.string().length(32),
    stepId: p.string().length(48),
    round: p.integer(),
    department: p.string().length(32),
    status: p.string().length(16),
    deadline: p.datetime().nullable(),
    reminded: p.boolean().default(false),
    overdue: p.boolean().default(false),
    claimedBy: p.string().length(128).nullable(),
    claimedAt: p.datetime().nullable(),
    decision: p.string().length(32).nullable(),
    automaticReport: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime(),
    closedAt: p.datetime().nullable(),
  }),
  uniques: [{ properties: ['caseNo', 'stepId', 'round'] }],
  indexes: [{ properties: ['department', 'status', 'deadline'] }],
});
export type ReviewTask = InferEntity<typeof ReviewTask>;

export const Certificate = defineEntity({
  name: 'Certificate',
  tableName: 'certificate',
  properties: (p) => ({
    no: p.string().length(64).primary(),
    caseNo: p.string().length(64),
    type: p.string().length(48),
    subjectKey: p.string().length(64),
    holderKey: p.string().length(32).index(),
    holderName: p.string().length(200),
    authority: p.string().length(200),
    fields: p.json<Record<string, unknown>>(),
    validFrom: p.date(),
    validUntil: p.date(),
    issuedAt: p.datetime(),
    payload: p.text(),
    signature: p.text(),
    keyId: p.string().length(64),
    revokedAt: p.datetime().nullable(),
    revokedReason: p.string().length(500).nullable(),
    /** Random, printed in the QR code: certificates cannot be enumerated through public verification. */
    verificationCode: p.string().length(32).unique(),
  }),
  uniques: [{ properties: ['caseNo', 'type', 'subjectKey'] }],
});
export type Certificate = InferEntity<typeof Certificate>;

/** One counter row per service and acceptance day: case numbers are dense, readable and never reused. */
export const CaseCounter = defineEntity({
  name: 'CaseCounter',
  tableName: 'case_counter',
  properties: (p) => ({
    prefix: p.string().length(48).primary(),
    value: p.integer(),
  }),
});

export const WebhookDelivery = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_delivery',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    caseNo: p.string().length(64).index(),
    eventSeq: p.integer(),
    url: p.string().length(2000),
    attempt: p.integer(),
    httpStatus: p.integer().nullable(),
    error: p.string().length(500).nullable(),
    at: p.datetime(),
  }),
});

/** Data an applicant submitted once, kept for reuse on later applications (首次一次提交、后期自动复用). */
export const ArchivedApplication = defineEntity({
  name: 'ArchivedApplication',
  tableName: 'archived_application',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    applicantKey: p.string().length(32),
    serviceCode: p.string().length(32),
    caseNo: p.string().length(64).unique(),
    data: p.json<Record<string, unknown>>(),
    archivedAt: p.datetime(),
  }),
  indexes: [{ properties: ['applicantKey', 'archivedAt'] }],
});

/**
 * The full report of an automatic check (for the oversize pre-review: the 21 checks), which names drivers, plates and
 * records. Kept here, not in Temporal's history: the workflow carries only the verdict, the reasons and a reference.
 * One per case and step (a re-run replaces it).
 */
export const AutomaticCheckReport = defineEntity({
  name: 'AutomaticCheckReport',
  tableName: 'automatic_check_report',
  properties: (p) => ({
    caseNo: p.string().length(64).primary(),
    stepId: p.string().length(48).primary(),
    report: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(),
  }),
});

/** A registered portal (the citizen portal, a city app): where its callbacks may go and the secret that signs them. */
export const PortalClient = defineEntity({
  name: 'PortalClient',
  tableName: 'portal_client',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    name: p.string().length(200),
    /** Origins (`https://portal.example.cn`) a case's webhookUrl must start with. */
    callbackOrigins: p.json<string[]>().default('[]'),
    /** HMAC key for this client's webhooks only: a client that verifies webhooks holds no key of anyone else's. */
    webhookSecret: p.string().length(200),
    /** Loopback/private callback addresses are refused unless this registration explicitly allows them (tests). */
    allowPrivateCallbacks: p.boolean().default(false),
    createdAt: p.datetime(),
  }),
});
export type PortalClient = InferEntity<typeof PortalClient>;

/** Every read of personal data: who read whose data, when and why (PIPL; 等保 security audit). Append-only. */
export const PersonalDataAccess = defineEntity({
  name: 'PersonalDataAccess',
  tableName: 'personal_data_access',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    at: p.datetime(),
    actorSub: p.string().length(128),
    actorRole: p.string().length(16),
    actorClientId: p.string().length(64).nullable(),
    actorDepartment: p.string().length(32).nullable(),
    /** Whose data: the data subject's key (credit code or ID number). */
    subjectKey: p.string().length(32),
    /** What was read: `case:<no>`, `prefill`, `certificate:<no>`. */
    resource: p.string().length(128),
    purpose: p.string().length(200),
  }),
  indexes: [{ properties: ['subjectKey', 'at'] }, { properties: ['at'] }],
});

// ---- Government reference data (demo seed; in production fed from the departments' systems) ----

export const Company = defineEntity({
  name: 'Company',
  tableName: 'company',
  properties: (p) => ({
    creditCode: p.string().length(18).primary(),
    name: p.string().length(200),
    legalRepresentative: p.string().length(100),
    address: p.string().length(300),
    businessScope: p.json<string[]>(),
    businessLicenceStatus: p.string().length(16),
    operatingPermitNo: p.string().length(64).nullable(),
    operatingPermitValidUntil: p.date().nullable(),
    operatingScope: p.json<string[]>().default('[]'),
    seriousViolation: p.boolean().default(false),
    liabilityInsuranceValidUntil: p.date().nullable(),
  }),
});

export const Person = defineEntity({
  name: 'Person',
  tableName: 'person',
  properties: (p) => ({
    idCard: p.string().length(18).primary(),
    name: p.string().length(100),
    phone: p.string().length(32).nullable(),
    licenceClass: p.string().length(8).nullable(),
    licenceValidUntil: p.date().nullable(),
    drivingYears: p.integer().nullable(),
    freightQualificationValidUntil: p.date().nullable(),
    /** 初次领证日期: the scoring periods (12 months each) count on from this day. */
    licenceFirstIssuedOn: p.date().nullable(),
    /** The class(es) the police endorsed on the licence for school buses (校车驾驶资格, 校车安全管理条例 art. 24); null: none. */
    schoolBusEndorsement: p.string().length(8).nullable(),
    /** The days the driver reached 12 points (记满分), from the traffic police's record. */
    fullPointDates: p.json<string[]>().default('[]'),
    /** Serious violations (超员, 超速...) with their dates, from the traffic police's record. */
    seriousViolations: p.json<{ on: string; kind: string }[]>().default('[]'),
    seriousAccident: p.boolean().default(false),
    drinkDriving: p.boolean().default(false),
    criminalRecord: p.boolean().default(false),
    /** Until when the driver's health declaration (身体条件证明) holds. */
    healthDeclarationValidUntil: p.date().nullable(),
  }),
});

export const Vehicle = defineEntity({
  name: 'Vehicle',
  tableName: 'vehicle',
  properties: (p) => ({
    plate: p.string().length(16).primary(),
    ownerKey: p.string().length(18).index(),
    kind: p.string().length(32),
    axles: p.integer(),
    configuration: p.string().length(16),
    totalMassKg: p.integer(),
    /** Decides the size category (GA 802-2019) where seats or mass do not. */
    lengthMm: p.integer().nullable(),
    seats: p.integer().nullable(),
    drivingLicenceValidUntil: p.date().nullable(),
    inspectionValidUntil: p.date().nullable(),
    roadTransportCertValidUntil: p.date().nullable(),
    meetsSchoolBusStandard: p.boolean().default(false),
  }),
});

export const School = defineEntity({
  name: 'School',
  tableName: 'school',
  properties: (p) => ({
    creditCode: p.string().length(18).primary(),
    name: p.string().length(200),
    address: p.string().length(300),
    /** A school that runs its own bus holds the carrier-liability insurance itself. */
    liabilityInsuranceValidUntil: p.date().nullable(),
  }),
});

export const Reviewer = defineEntity({
  name: 'Reviewer',
  tableName: 'reviewer',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    name: p.string().length(100),
    department: p.string().length(32).index(),
  }),
});

/** Bridges, tunnels, underpasses and narrow segments with their limits. Demo data, clearly labelled `demo`. */
export const RoadRestriction = defineEntity({
  name: 'RoadRestriction',
  tableName: 'road_restriction',
  properties: (p) => ({
    id: p.string().length(32).primary(),
    kind: p.string().length(16),
    name: p.string().length(200),
    maxGrossMassKg: p.integer().nullable(),
    maxHeightMm: p.integer().nullable(),
    maxWidthMm: p.integer().nullable(),
    demo: p.boolean().default(true),
  }),
});

export const allEntities = [
  OneStopCase,
  CaseEvent,
  ReviewTask,
  Certificate,
  CaseCounter,
  WebhookDelivery,
  ArchivedApplication,
  PortalClient,
  PersonalDataAccess,
  AutomaticCheckReport,
  Company,
  Person,
  Vehicle,
  School,
  Reviewer,
  RoadRestriction,
];
