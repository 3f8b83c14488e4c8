/**
 * The personal-data policy, written once (PIPL art. 6 minimisation, art. 51 access control and de-identification):
 * who may see a case at all, who sees its personal data in clear, and what the masks are. Pure functions, no I/O: the
 * repositories decide visibility with `caseRelation` and shape what leaves the platform with `maskPersonalData`.
 *
 * - Ops see every case (support, statistics), with personal data masked.
 * - A portal client sees the cases it submitted, and a case filed for the applicant its token asserts (the city's
 *   identity system authenticated that applicant at submission: `applicantSubject`). Unmasked only when the token's
 *   applicant is the case's applicant: a company's own drivers and vehicles are the company's data.
 * - A reviewer sees a case only once a step of their department has opened on it; their department then takes part in
 *   the decision, so they see the form in clear.
 * - Everyone else: the case does not exist for them (404, never 403: existence is not revealed).
 */
import { maskIdCard, maskName, maskPhone, maskPlate, maskSubjectKey } from '../../domain/masking';
import type { Caller } from './caller';

/** How a caller stands to a case; `undefined` from `caseRelation` means the case is invisible to them. */
export type CaseRelation = 'data_subject' | 'owning_portal' | 'deciding_reviewer' | 'ops';

export interface CaseOwnership {
  portalClientId: string;
  applicantKey: string;
  applicantSubject?: string | null;
}

/**
 * @param departmentHasTask whether a review task of the caller's department was ever opened on the case (only read for
 *   reviewers).
 */
export function caseRelation(caller: Caller, c: CaseOwnership, departmentHasTask: boolean): CaseRelation | undefined {
  if (caller.role === 'ops') return 'ops';
  if (caller.role === 'reviewer') return departmentHasTask ? 'deciding_reviewer' : undefined;
  // A portal token's client is its subject (`clientId` mirrors `sub`): the same fallback as when the case was stored.
  const ownClient = (caller.clientId ?? caller.sub) === c.portalClientId;
  const authenticatedApplicant = !!caller.applicant && !!c.applicantSubject && caller.applicant === c.applicantSubject;
  if (!ownClient && !authenticatedApplicant) return undefined;
  const isSubject = !!caller.applicant && (caller.applicant === c.applicantKey || caller.applicant === c.applicantSubject);
  return isSubject ? 'data_subject' : 'owning_portal';
}

/** Personal data in clear only for the data subject and the reviewers deciding on the case. */
export function seesPersonalData(relation: CaseRelation): boolean {
  return relation === 'data_subject' || relation === 'deciding_reviewer';
}

/** The purpose written to the personal-data access log for a read of a case's form. */
export function casePurpose(relation: CaseRelation, reviewStep?: string): string {
  switch (relation) {
    case 'data_subject':
      return 'applicant follows own case';
    case 'owning_portal':
      return 'portal follows submitted case (masked)';
    case 'deciding_reviewer':
      return reviewStep ? `review of step ${reviewStep}` : 'review of the case';
    case 'ops':
      return 'ops support (masked)';
  }
}

const ID_CARD_KEYS = new Set(['idCard', 'driverIdCard', 'id_card']);
const PERSON_NAME_KEYS = new Set(['legalRepresentative', 'legal_representative']);
const PERSON_LIST_KEYS = new Set(['escortStaff']);
/** A school bus's stops and departure times say where and when children wait: minors' whereabouts. */
const WHEREABOUTS_KEYS = new Set(['stops', 'departureTimes']);
const SUBJECT_KEY_KEYS = new Set(['ownerKey', 'owner_key', 'holderKey', 'holder_key', 'subjectKey', 'subject_key', 'applicantKey', 'applicant_key']);
const RESIDENT_ID = /^\d{17}[\dX]$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A deep copy of `value` with the personal data masked, recognised by field name wherever it appears (a form, an
 * archived application, a prefill record): ID numbers, phone numbers, the names of persons (an object holding an
 * `idCard` is a person; an organisation's name is public record and stays), escort staff, school-bus stops and
 * departure times, and the plate of a vehicle whose owner is a person. Credit codes stay: they identify organisations.
 */
export function maskPersonalData<T>(value: T): T {
  return maskValue(value, undefined) as T;
}

function maskValue(value: unknown, key: string | undefined): unknown {
  if (Array.isArray(value)) {
    if (key && PERSON_LIST_KEYS.has(key)) return value.map((v) => (typeof v === 'string' ? maskName(v) : maskValue(v, undefined)));
    if (key && WHEREABOUTS_KEYS.has(key)) return value.map(() => '***');
    return value.map((v) => maskValue(v, undefined));
  }
  if (isRecord(value)) {
    const isPerson = Object.keys(value).some((k) => ID_CARD_KEYS.has(k));
    const ownedByPerson = ['ownerKey', 'owner_key'].some((k) => typeof value[k] === 'string' && RESIDENT_ID.test(value[k] as string));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && isPerson && k === 'name') out[k] = maskName(v);
      else if (typeof v === 'string' && ownedByPerson && k === 'plate') out[k] = maskPlate(v);
      else out[k] = maskValue(v, k);
    }
    return out;
  }
  if (typeof value !== 'string' || key === undefined) return value;
  if (ID_CARD_KEYS.has(key)) return maskIdCard(value);
  if (/phone/i.test(key)) return maskPhone(value);
  if (PERSON_NAME_KEYS.has(key)) return maskName(value);
  if (WHEREABOUTS_KEYS.has(key)) return '***';
  if (SUBJECT_KEY_KEYS.has(key)) return maskSubjectKey(value);
  return value;
}

/** The ID numbers of the persons in `value` (a form, an archived application): whose data a read touched. */
export function personalSubjects(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) personalSubjects(v, found);
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && ID_CARD_KEYS.has(k) && RESIDENT_ID.test(v)) found.add(v);
      else personalSubjects(v, found);
    }
  }
  return found;
}

/**
 * A case's steps for a caller who does not see personal data: an automatic check keeps its verdict but not its report
 * or reasons, which speak of named people (a driver's age, their driving and criminal record: sensitive personal
 * information, PIPL art. 28); everything else is masked as above.
 */
export function maskSteps<T extends { check?: unknown }>(steps: T[]): T[] {
  return steps.map((s) => {
    const check = isRecord(s.check) ? { verdict: s.check.verdict, hardRefusal: s.check.hardRefusal } : s.check;
    return maskPersonalData({ ...s, ...(s.check !== undefined ? { check } : {}) });
  });
}
