/**
 * The applicant's side of a case: the tracking access code and the case's progress as PostgreSQL records it.
 *
 * The access code (issue 12) lets the applicant follow a case without a portal account: the submission receipt shows
 * it once, and `GET /track/{caseNo}` wants it in a header. Only a hash is stored, with scrypt and a random salt per
 * case (N = 2^14, r = 8, p = 1: about 16 MiB and tens of milliseconds per hash), rather than an HMAC with a server key:
 * - a copy of the database (a backup, a replica, a dump handed to support) does not reveal the codes, and needs no
 *   secret kept beside it. The code has ~49.5 bits (10 characters of 31); a fast hash of it could be brute-forced per
 *   case from a dump, scrypt makes that cost years of GPU time per case;
 * - there is no extra key to provision, rotate and keep out of logs, and the parameters travel with each hash, so they
 *   can be raised later without a migration.
 * The price is CPU per check, on libuv's thread pool (never the event loop), bounded by the API's rate limits.
 *
 * `stepsFromRecords` rebuilds a case's steps from the audit log and the review tasks, in the shape of the workflow's
 * live steps (the case view and the tracking view share it).
 */
import { resolveReport } from './check-reports';
import { randomBytes, randomInt, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { formatShanghai, shanghaiDate } from '../../domain/calendar';
import { OVERSIZE_CHECKS } from '../../domain/oversize';
import { composeSupplementNotice, composeWrittenDecision, type SupplementNotice, type WrittenDecision } from '../../domain/written-decision';
import type { LegalCitation } from '../../domain/types';
import { departmentName, isKnownDepartment } from '../../domain/departments';
import { type Bilingual, type Department, type ServiceDefinition, type StepKind, type StepState, type StepStatus } from '../../domain/types';
import { Certificate, OneStopCase } from '../db/entities';
import { toEpochMs } from '../db/timestamps';
import type { ReviewTask } from './review-tasks';

// ---- The access code ----

/** No 0/O, 1/I/L: read aloud, typed from paper or a phone screen without ambiguity. */
export const ACCESS_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const ACCESS_CODE_LENGTH = 10;
const ACCESS_CODE = new RegExp(`^[${ACCESS_CODE_ALPHABET}]{${ACCESS_CODE_LENGTH}}$`);

const SCRYPT = { logN: 14, r: 8, p: 1, keyLength: 32 };

function scrypt(secret: string, salt: Buffer, logN: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r };
  return new Promise((resolve, reject) => scryptCallback(secret, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A new code: uniformly random characters of the alphabet (`randomInt` rejects bias). */
export function newAccessCode(): string {
  let code = '';
  for (let i = 0; i < ACCESS_CODE_LENGTH; i++) code += ACCESS_CODE_ALPHABET[randomInt(ACCESS_CODE_ALPHABET.length)];
  return code;
}

/**
 * The code as typed (lower case, spaces or hyphens between groups allowed) in its canonical form, or `undefined` when
 * it cannot be a code at all.
 */
export function normaliseAccessCode(typed: string): string | undefined {
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  return ACCESS_CODE.test(code) ? code : undefined;
}

export async function hashAccessCode(code: string): Promise<string> {
  const salt = randomBytes(16);
  const { logN, r, p, keyLength } = SCRYPT;
  const key = await scrypt(code, salt, logN, r, p, keyLength);
  return ['scrypt', logN, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash nobody's code matches: an unknown case costs the same time as a known one (no existence oracle). */
const DECOY = 'scrypt$14$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Whether `code` matches `stored`; always spends one hash, also when there is nothing stored. */
export async function accessCodeMatches(code: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? DECOY).split('$');
  const [kind, logN, r, p, salt, expected] = parts.length === 6 ? parts : DECOY.split('$');
  const want = Buffer.from(expected!, 'base64url');
  if (kind !== 'scrypt' || want.length < 16 || Number(logN) > 20) return false;
  const got = await scrypt(code, Buffer.from(salt!, 'base64url'), Number(logN), Number(r), Number(p), want.length);
  return stored != null && timingSafeEqual(got, want);
}

/**
 * Stores the hash unless the case already has one (one conditional UPDATE): `true` when this call stored it, so its
 * code is the one to show. A replayed submission finds a hash and shows nothing.
 */
export async function storeAccessCodeOnce(em: EntityManager, caseNo: string, hash: string): Promise<boolean> {
  return (await em.nativeUpdate(OneStopCase, { caseNo, accessCodeHash: null }, { accessCodeHash: hash })) > 0;
}

export async function hasAccessCode(em: EntityManager, caseNo: string): Promise<boolean> {
  return (await em.count(OneStopCase, { caseNo, accessCodeHash: { $ne: null } })) > 0;
}

/** What the tracking view reads of the case row: no form, no applicant identity. */
export interface TrackedCase {
  caseNo: string;
  serviceCode: string;
  status: string;
  acceptedAt: Date;
  deadline: Date | null;
  deadlineProvisional: boolean;
  overdue: boolean;
  pausedWorkingDays: number;
  pendingDepartments: string[];
  outcomeReasons: string[];
}

/**
 * The case when `code` is its access code; `undefined` for an unknown case, a case without a code and a wrong code
 * alike, after the same work (one row read, one hash).
 */
export async function findCaseByAccessCode(em: EntityManager, caseNo: string, code: string): Promise<TrackedCase | undefined> {
  const row = await em.findOne(
    OneStopCase,
    { caseNo },
    {
      fields: ['caseNo', 'serviceCode', 'status', 'acceptedAt', 'deadline', 'deadlineProvisional', 'overdue', 'pausedWorkingDays', 'pendingDepartments', 'outcomeReasons', 'accessCodeHash'],
      refresh: true,
    },
  );
  if (!(await accessCodeMatches(code, row?.accessCodeHash)) || !row) return undefined;
  return {
    caseNo: row.caseNo,
    serviceCode: row.serviceCode,
    status: row.status,
    acceptedAt: row.acceptedAt,
    deadline: row.deadline ?? null,
    deadlineProvisional: row.deadlineProvisional,
    overdue: row.overdue,
    pausedWorkingDays: row.pausedWorkingDays,
    pendingDepartments: row.pendingDepartments,
    outcomeReasons: row.outcomeReasons,
  };
}

/** The case's certificates with the code their QR code carries (the public verification path). */
export async function certificatesForTracking(em: EntityManager, caseNo: string) {
  return em.find(Certificate, { caseNo }, { orderBy: { no: 'asc' }, fields: ['no', 'type', 'validUntil', 'revokedAt', 'verificationCode'] });
}

// ---- What is missing ----

/** An outstanding supplement item as the applicant reads it (api/schemas/responses.ts trackingMissingItem). */
export interface TrackingMissingItem {
  material: string;
  materialName: Bilingual | null;
  department: Department | null;
  departmentName: Bilingual | null;
  reason: string;
}

// A department code and a colon (the workflow's `${department}: ${reason}`); only a code the city lists counts.
const DEPARTMENT_PREFIX = /^([a-z][a-z0-9_]{1,31}): /;

/**
 * The case's outstanding items (the `supplement_requested` record's `missing`) for the applicant. The workflow writes
 * each reason as `<department code>: <reviewer's reason>` (workflows/case-workflow.ts maybePauseForSupplement: one
 * notice gathers every department's items) and the audit log keeps it so; changing that would change the workflow's
 * history and the stored records, so the prefix is split off here instead. A reason without a known department code
 * in front is kept whole, with no department. The material's name comes from the case's service definition, since the
 * applicant has no token for the catalogue.
 */
export function missingForApplicant(missing: { material: string; reason: string }[], def: ServiceDefinition | undefined): TrackingMissingItem[] {
  const names = new Map((def?.materials ?? []).map((m) => [m.id, m.name]));
  return missing.map((m) => {
    const match = DEPARTMENT_PREFIX.exec(m.reason);
    const prefix = match && (def?.departments.includes(match[1]!) || isKnownDepartment(match[1]!)) ? match : null;
    const department = prefix ? (prefix[1] as Department) : null;
    return {
      material: m.material,
      materialName: names.get(m.material) ?? null,
      department,
      departmentName: department ? departmentName(department) : null,
      reason: prefix ? m.reason.slice(prefix[0].length) : m.reason,
    };
  });
}

// ---- Steps ----

export interface StepDecisionView {
  decision: string;
  comment: string;
  missing?: { material: string; reason: string }[];
  reviewer: string;
  at: string;
  ignoredReason?: string;
}

export interface StepView {
  id: string;
  name: { zh: string; en: string };
  department: Department | null;
  kind: StepKind | null;
  status: StepStatus;
  round: number;
  deadline: string | null;
  reminded: boolean;
  overdue: boolean;
  decisions: StepDecisionView[];
  check?: { verdict: string; hardRefusal: boolean; reasons?: string[]; report?: Record<string, unknown> };
}

/** A live step (the workflow's query) in the view's shape: the internal clock fields stay inside. */
export function liveStepView(s: StepState, reports: Map<string, Record<string, unknown>> = new Map()): StepView {
  return {
    id: s.id,
    name: s.name,
    department: s.department,
    kind: s.kind,
    status: s.status,
    round: s.round,
    deadline: s.deadline ?? null,
    reminded: s.reminded,
    overdue: s.overdue,
    decisions: s.decisions.map((d) => ({
      decision: d.decision,
      comment: d.comment,
      ...(d.missing?.length ? { missing: d.missing } : {}),
      reviewer: d.reviewer,
      at: d.at,
      ...(d.ignoredReason ? { ignoredReason: d.ignoredReason } : {}),
    })),
    ...(s.check ? { check: { verdict: s.check.verdict, hardRefusal: s.check.hardRefusal, reasons: s.check.reasons, report: resolveReport(s.check.report, reports) } } : {}),
  };
}

const DECIDED = { approve: 'approved', reject: 'rejected', request_supplement: 'supplement_requested' } as const;

/**
 * Steps as the audit log and the review tasks record them, following the workflow's own rules (workflows/
 * case-workflow.ts) where the log has no entry of its own: an automatic check's result is a decision `automatic` by
 * `system`; a failed check of a mandatory automatic step rejects it; and when the definition fast-tracks (every check
 * passed), the check's own automatic+human step and the human steps that wait only on that check are approved by the
 * system, as the workflow approves them, instead of showing `waiting` for ever.
 */
export function stepsFromRecords(
  def: ServiceDefinition | undefined,
  events: { type: string; payload: Record<string, unknown>; at: Date | string; actor?: string | null }[],
  tasks: ReviewTask[],
  /** Stored check reports by step (infra/repositories/check-reports.ts), for records that refer to them. */
  reports: Map<string, Record<string, unknown>> = new Map(),
): StepView[] {
  const defs = new Map((def?.review.steps ?? []).map((s) => [s.id, s]));
  const fresh = (id: string): StepView => {
    const d = defs.get(id);
    return {
      id,
      name: d?.name ?? { zh: id, en: id },
      department: d?.department ?? null,
      kind: d?.kind ?? null,
      status: 'waiting',
      round: 0,
      deadline: null,
      reminded: false,
      overdue: false,
      decisions: [],
    };
  };
  const steps = new Map<string, StepView>([...defs.keys()].map((id) => [id, fresh(id)]));
  const fastTrack = !!def?.review.fastTrackWhenAllPass;
  const system = (decision: string, comment: string, at: string): StepDecisionView => ({ decision, comment, reviewer: 'system', at });

  for (const e of events) {
    const id = typeof e.payload.stepId === 'string' ? e.payload.stepId : undefined;
    if (!id) continue;
    const s = steps.get(id) ?? fresh(id);
    steps.set(id, s);
    const at = formatShanghai(toEpochMs(e.at));
    const kind = defs.get(id)?.kind;
    switch (e.type) {
      case 'step_opened':
        s.status = 'open';
        if (typeof e.payload.round === 'number') s.round = e.payload.round;
        if (typeof e.payload.deadline === 'string') s.deadline = e.payload.deadline;
        break;
      case 'decision_applied': {
        const decision = String(e.payload.decision);
        s.status = DECIDED[decision as keyof typeof DECIDED] ?? s.status;
        const missing = Array.isArray(e.payload.missing) ? (e.payload.missing as { material: string; reason: string }[]) : [];
        s.decisions.push({
          decision,
          comment: typeof e.payload.comment === 'string' ? e.payload.comment : '',
          ...(missing.length ? { missing } : {}),
          reviewer: e.actor ?? 'system',
          at,
        });
        break;
      }
      case 'step_deemed_approved':
        s.status = 'approved';
        s.decisions.push(system('deemed_approval', 'deemed approved at its limit', at));
        break;
      case 'automatic_check_completed': {
        const verdict = String(e.payload.verdict);
        const hardRefusal = e.payload.hardRefusal === true;
        const reasons = Array.isArray(e.payload.reasons) ? (e.payload.reasons as string[]) : [];
        s.check = { verdict, hardRefusal, reasons, report: resolveReport(e.payload.report, reports) };
        s.round = Math.max(s.round, 1);
        s.decisions.push(system('automatic', reasons.join('; ') || 'all checks passed', at));
        const allPass = verdict === 'pass';
        if (hardRefusal || (kind === 'automatic' && verdict === 'fail' && defs.get(id)?.mandatory)) s.status = 'rejected';
        else if (kind === 'automatic') {
          s.status = 'approved';
          if (allPass && fastTrack) {
            for (const other of steps.values()) {
              const d = defs.get(other.id);
              if (other.status !== 'waiting' || d?.kind !== 'human' || d.after.join() !== id) continue;
              other.status = 'approved';
              other.decisions.push(system('automatic', `fast-tracked: every check of ${id} passed`, at));
            }
          }
        } else if (allPass && fastTrack) {
          s.status = 'approved';
          s.decisions.push(system('automatic', 'fast-tracked: every automatic check passed', at));
        } else s.status = 'checking'; // the human review of the same round opens next (step_opened)
        break;
      }
    }
  }
  for (const t of tasks) {
    const s = steps.get(t.stepId);
    if (!s) continue;
    s.round = t.round;
    s.reminded = t.reminded;
    s.overdue = t.overdue;
    if (t.deadline) s.deadline = formatShanghai(toEpochMs(t.deadline));
    if (t.status === 'open') s.status = 'open';
    if (t.status === 'cancelled' && s.status === 'open') s.status = 'cancelled';
  }
  return [...steps.values()];
}

// ---- Written decisions and the one-time notice (issue 11, item 3) ----

interface RecordedEvent {
  type: string;
  payload: Record<string, unknown>;
  at: Date | string;
  actor?: string | null;
}

/**
 * The authority that decides in the applicant's eyes: the department of the service's first step a person decides (the
 * accepting department: education for SCHOOLBUS, transport for FREIGHTCO and OVERSIZE).
 */
export function leadDepartment(def: ServiceDefinition): Department {
  const steps = def.review.steps;
  return (steps.find((st) => st.kind !== 'automatic') ?? steps[0]!).department;
}

const serviceOf = (def: ServiceDefinition) => ({ code: def.code, name: def.name });

/**
 * The written decision of a case that was refused: 不予受理 from its `not_accepted` record, 不予许可 from its
 * `case_rejected` record with the rejecting step's legal basis (and, for an automatic check, the sources of the checks
 * its reasons name). `undefined` for a case without a refusal. `city` is the jurisdiction's name, whose people's
 * government hears the reconsideration of a city department's decision (行政复议法 2023 art. 24).
 */
export function writtenDecisionOf(def: ServiceDefinition, caseNo: string, events: RecordedEvent[], city: string): WrittenDecision | undefined {
  const common = { caseNo, service: serviceOf(def), authority: departmentName(leadDepartment(def)), reconsiderationBody: `${city}人民政府` };
  const notAccepted = events.find((e) => e.type === 'not_accepted');
  if (notAccepted) {
    const grounds = (notAccepted.payload.grounds ?? []) as { reason: string; legalBasis: LegalCitation[]; competentAuthority?: string }[];
    return composeWrittenDecision({
      ...common,
      kind: 'not_accepted',
      date: shanghaiDate(toEpochMs(notAccepted.at)),
      reasons: grounds.map((g) => g.reason),
      legalBasis: [
        ...grounds.flatMap((g) => g.legalBasis),
        { document: '中华人民共和国行政许可法', article: 'art. 32 para. 2', note: '受理或者不予受理行政许可申请，应当出具加盖本行政机关专用印章和注明日期的书面凭证。' },
      ],
      competentAuthority: grounds.find((g) => g.competentAuthority)?.competentAuthority ?? null,
    });
  }
  const rejectedAt = events.findIndex((e) => e.type === 'case_rejected');
  if (rejectedAt < 0) return undefined;
  const rejected = events[rejectedAt]!;
  const before = events.slice(0, rejectedAt).reverse();
  const byPerson = before.find((e) => e.type === 'decision_applied' && e.payload.decision === 'reject');
  const byCheck = before.find((e) => e.type === 'automatic_check_completed' && (e.payload.hardRefusal === true || e.payload.verdict === 'fail'));
  const cause = byPerson ?? byCheck;
  const step = def.review.steps.find((st) => st.id === cause?.payload.stepId);
  const recorded = Array.isArray(rejected.payload.reasons) ? (rejected.payload.reasons as string[]) : [];
  const reasons =
    byPerson && step
      ? [`${departmentName(step.department).zh}：${String(byPerson.payload.comment ?? '')}`]
      : recorded;
  const basis: LegalCitation[] = step ? [{ document: step.legalBasis.limit.document, article: step.legalBasis.limit.article, ...(step.legalBasis.limit.note ? { note: step.legalBasis.limit.note } : {}) }] : [];
  if (!byPerson) {
    // An automatic refusal: the rules of the checks that failed (the oversize reasons start with the check id).
    const ids = new Set(recorded.flatMap((r) => [...r.matchAll(/\b([PCVRG]\d)\b/g)].map((m) => m[1]!)));
    for (const c of OVERSIZE_CHECKS.filter((x) => ids.has(x.id))) basis.push({ document: c.source, article: `pre-review check ${c.id}`, note: c.titleZh });
  }
  basis.push({ document: '中华人民共和国行政许可法', article: 'art. 38 para. 2', note: '作出不予行政许可的书面决定的，应当说明理由，并告知申请人享有依法申请行政复议或者提起行政诉讼的权利。' });
  return composeWrittenDecision({ ...common, kind: 'refused', date: shanghaiDate(toEpochMs(rejected.at)), reasons, legalBasis: basis });
}

/**
 * The one-time notice of the case's latest supplement request: every item every department asked for (the
 * `supplement_requested` record gathers them), with the materials' and departments' names. `undefined` when the case
 * never had one.
 */
export function supplementNoticeOf(def: ServiceDefinition | undefined, caseNo: string, serviceCode: string, events: RecordedEvent[]): SupplementNotice | undefined {
  const requests = events.filter((e) => e.type === 'supplement_requested');
  const last = requests.at(-1);
  if (!last) return undefined;
  const items = missingForApplicant((last.payload.missing as { material: string; reason: string }[] | undefined) ?? [], def);
  return composeSupplementNotice({
    caseNo,
    service: def ? serviceOf(def) : { code: serviceCode, name: null },
    date: shanghaiDate(toEpochMs(last.at)),
    round: requests.length,
    items,
  });
}
