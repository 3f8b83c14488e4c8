/**
 * The applicant's tracking page (issue 12): with the case number and the access code from the submission receipt,
 * without a portal account. The code travels in the `X-Access-Code` header, never in the URL (URLs end up in access
 * logs, browser history and Referer headers).
 *
 * What it shows is the owning portal's view, minimised: progress across departments (steps masked as for a portal that
 * does not assert the applicant), the deadline and paused time, what is missing, the written reasons of a refusal and
 * the certificates with their public verification path. No form, no applicant identity. What is missing comes with
 * the names the applicant reads (the material's, the asking department's) and the reason without the department code
 * the workflow puts in front of it (infra/repositories/tracking.ts missingForApplicant).
 *
 * A wrong code and an unknown case answer the same 404 after the same work (one row read, one scrypt hash), so the
 * route is no oracle for which case numbers exist; the API's rate limits bound the guessing.
 */
import { z } from '../schemas/zod';
import { formatShanghai } from '../../domain/calendar';
import { toEpochMs } from '../../infra/db/timestamps';
import { maskSteps } from '../../infra/repositories/case-view';
import { caseEvents } from '../../infra/repositories/cases';
import { latestTaskPerStep } from '../../infra/repositories/review-tasks';
import {
  ACCESS_CODE_LENGTH,
  certificatesForTracking,
  findCaseByAccessCode,
  missingForApplicant,
  normaliseAccessCode,
  stepsFromRecords,
  writtenDecisionOf,
  type TrackedCase,
} from '../../infra/repositories/tracking';
import { JURISDICTION } from '../../activities/checks';
import { isoDay } from '../../infra/repositories/certificates';
import { supplementSignal } from '../../workflows/definitions';
import { supplementBodySchema } from '../../workflows/messages';
import type { ApiDeps } from '../context';
import { ApiError, notFound } from '../http/errors';
import { errorBody, json, type RouteTable } from '../http/route';
import { trackingView } from '../schemas/responses';
import { caseNoParam, messageId, supplementAccepted } from './cases';

const BASE = '/api/v1';
const accessCodeHeader = z.object({
  'x-access-code': z
    .string()
    .max(32)
    .openapi({ description: `The ${ACCESS_CODE_LENGTH}-character access code from the submission receipt (case-insensitive; spaces and hyphens ignored)`, example: 'K7MQ2XH9PD' }),
});

const shanghai = (d: Date | string) => formatShanghai(toEpochMs(d));

export function trackRoutes(t: RouteTable, deps: ApiDeps): void {
  /** The case for this number and code, or 404 (unknown case and wrong code alike); 400 only when no code could be one. */
  async function tracked(caseNo: string, headers: Record<string, string | string[] | undefined>): Promise<TrackedCase> {
    const typed = headers['x-access-code'];
    if (typeof typed !== 'string' || typed.length === 0) {
      throw new ApiError('validation', 'the X-Access-Code header is required', [{ path: 'headers.x-access-code', message: 'required: the access code from the submission receipt' }]);
    }
    const code = normaliseAccessCode(typed);
    if (!code) {
      throw new ApiError('validation', 'not an access code', [
        { path: 'headers.x-access-code', message: `${ACCESS_CODE_LENGTH} letters and digits (no 0, 1, I, L or O)` },
      ]);
    }
    const found = await findCaseByAccessCode(deps.orm.em.fork(), caseNo, code);
    if (!found) throw notFound(`case ${caseNo}`);
    return found;
  }

  t.add({
    method: 'get',
    path: '/track/:caseNo',
    summary: "The applicant's progress view of a case, opened with the access code from the submission receipt",
    description:
      'Public: no token, the `X-Access-Code` header instead (never in the URL). Progress across departments, the deadline and paused time, what is missing while a supplement is requested ' +
      "(each item with the material's name and the asking department's name beside the codes, and the department's reason), " +
      'the written reasons of a refusal and its written decision (`decision`: 不予受理 or 不予许可, with legal basis and remedies), and the certificates with their public verification path. Personal data is masked as for a portal that does not assert the applicant. ' +
      'A wrong code is 404, as for an unknown case.',
    tags: ['public'],
    access: 'public',
    params: caseNoParam,
    headers: accessCodeHeader,
    responses: { 200: json(trackingView, 'The case as the applicant follows it'), 404: json(errorBody, 'Unknown case, or a wrong access code') },
    handler: async ({ params, req }) => {
      const c = await tracked(params.caseNo, req.headers);
      const em = deps.orm.em.fork();
      const def = deps.catalog.get(c.serviceCode);
      const [events, tasks, certificates] = await Promise.all([caseEvents(em.fork(), c.caseNo), latestTaskPerStep(em.fork(), c.caseNo), certificatesForTracking(em.fork(), c.caseNo)]);
      const waiting = c.status === 'awaiting_supplement';
      const lastNotice = [...events].reverse().find((e) => e.type === 'supplement_requested');
      const names = new Map((def?.certificates ?? []).map((s) => [s.type, s.name]));
      return {
        status: 200,
        body: {
          caseNo: c.caseNo,
          service: { code: c.serviceCode, name: def?.name ?? null },
          status: c.status === 'submitted' ? 'in_review' : c.status,
          acceptedAt: shanghai(c.acceptedAt),
          deadline: c.deadline ? shanghai(c.deadline) : null,
          deadlineProvisional: c.deadlineProvisional,
          overdue: c.overdue,
          pausedWorkingDays: c.pausedWorkingDays,
          pausedSince: waiting && lastNotice ? shanghai(lastNotice.at) : null,
          outstandingSupplement: waiting ? missingForApplicant((lastNotice?.payload.missing as { material: string; reason: string }[] | undefined) ?? [], def) : [],
          supplementPath: waiting ? `${BASE}/track/${c.caseNo}/supplements` : null,
          pendingDepartments: c.pendingDepartments,
          reasons: c.outcomeReasons,
          steps: maskSteps(stepsFromRecords(def, events, tasks)),
          certificates: certificates.map((x) => ({
            no: x.no,
            type: x.type,
            name: names.get(x.type) ?? null,
            validUntil: isoDay(x.validUntil),
            revoked: x.revokedAt != null,
            verifyPath: `${BASE}/certificates/verify/${x.verificationCode}`,
          })),
          decision: def && (c.status === 'not_accepted' || c.status === 'rejected') ? (writtenDecisionOf(def, c.caseNo, events, JURISDICTION.name) ?? null) : null,
        },
      };
    },
  });

  t.add({
    method: 'post',
    path: '/track/:caseNo/supplements',
    summary: 'The applicant supplies what was asked for (补正), with the access code; the case resumes',
    description:
      'As `POST /cases/{caseNo}/supplements`, for the applicant on the tracking page: the `X-Access-Code` header instead of a token. 409 unless the case is waiting for a supplement. ' +
      'An Idempotency-Key header makes a resend harmless.',
    tags: ['public'],
    access: 'public',
    params: caseNoParam,
    headers: accessCodeHeader,
    body: supplementBodySchema.openapi({ example: { materials: [{ material: 'insurance', reference: 'upload:sb-ins-2' }], comment: '已补充有效保险凭证' } }),
    responses: {
      202: json(supplementAccepted, 'Supplement sent to the case'),
      404: json(errorBody, 'Unknown case, or a wrong access code'),
      409: json(errorBody, 'The case is not waiting for a supplement'),
    },
    handler: async ({ params, body, req }) => {
      const c = await tracked(params.caseNo, req.headers);
      if (c.status !== 'awaiting_supplement') throw new ApiError('conflict', `the case is ${c.status}, not waiting for a supplement`);
      const supplementId = messageId(req, `${c.caseNo}:supplement`);
      await deps.client.workflow.getHandle(c.caseNo).signal(supplementSignal, {
        supplementId,
        materials: body.materials,
        ...(body.comment ? { comment: body.comment } : {}),
        requestedBy: 'applicant (tracking access code)',
      });
      return { status: 202, body: { supplementId, caseNo: c.caseNo } };
    },
  });
}
