/**
 * Who is asking, as the repositories see it: the fields of the API's verified token (`Principal` is assignable to
 * `Caller`) without a dependency on the HTTP layer, so activities and scripts can use the same repositories.
 */
import type { Department } from '../../domain/types';
import { maskSubjectKey } from '../../domain/masking';

export interface Caller {
  sub: string;
  role: 'portal' | 'reviewer' | 'ops';
  department?: Department;
  /** Portal tokens: the registered portal client. */
  clientId?: string;
  /** Portal tokens: the applicant the city's identity system authenticated (credit code or resident ID number). */
  applicant?: string;
}

/** The portal client id recorded on cases that ops staff submit at the service counter (窗口受理). */
export const COUNTER_CLIENT_ID = 'counter';

/**
 * The caller as the audit log records it: `portal:<client>` (with the applicant it acts for; a resident ID number is
 * masked, because this string travels in workflow signals and the audit log), `ops:<sub>`, or the reviewer's sub.
 * At most 128 characters (the workflow's limit for an actor).
 */
export function actorLabel(c: Caller): string {
  const label =
    c.role === 'portal'
      ? `portal:${c.clientId ?? c.sub}${c.applicant ? ` for ${maskSubjectKey(c.applicant)}` : ''}`
      : c.role === 'ops'
        ? `ops:${c.sub}`
        : `${c.department}:${c.sub}`;
  return label.slice(0, 128);
}
