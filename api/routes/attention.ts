/**
 * Ops release a case that needs attention: an activity failed deterministically (data PostgreSQL refused, a constraint,
 * a calendar file that does not parse), the workflow flagged the case and waits. After correcting the cause, ops ask it
 * to try the failed operation again (signal `opsRetry`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from '../schemas/zod';
import { findAttentionReason } from '../../infra/repositories/cases';
import { caseStateQuery, opsRetrySignal } from '../../workflows/definitions';
import { opsRetryBodySchema } from '../../workflows/messages';
import type { ApiDeps } from '../context';
import { ApiError, notFound } from '../http/errors';
import { errorBody, json, type RouteTable } from '../http/route';

const caseNoParam = z.object({ caseNo: z.string().regex(/^[A-Z]{2}-[A-Z0-9]+-\d{8}-\d{6}$/, 'a case number like JN-SCHOOLBUS-20261126-000042') });

export function attentionRoutes(t: RouteTable, deps: ApiDeps): void {
  /**
   * The case row's flag, or the workflow's own state when the row has none: the flag's audit write is best effort
   * (it may be what cannot be written), the workflow's state is not.
   */
  async function needsAttention(caseNo: string): Promise<boolean> {
    const reason = await findAttentionReason(deps.orm.em.fork(), caseNo);
    if (reason === undefined) throw notFound(`case ${caseNo}`);
    if (reason) return true;
    try {
      return !!(await deps.client.workflow.getHandle(caseNo).query(caseStateQuery)).needsAttention;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  t.add({
    method: 'post',
    path: '/cases/:caseNo/retry',
    summary: 'Ops: retry the operation a case that needs attention is waiting on, after correcting its cause',
    description:
      'A case is flagged `needsAttention` when an activity fails in a way retrying cannot fix (the reason names the failure type and the operation). ' +
      'This sends the case the `opsRetry` signal: it runs the failed operation again, and flags itself again if the cause is still there. ' +
      '202 when sent; 409 when the case does not need attention. An Idempotency-Key header makes a resend harmless.',
    tags: ['ops'],
    access: ['ops'],
    params: caseNoParam,
    body: opsRetryBodySchema.openapi({ example: { note: 'calendar file 2031.json corrected' } }),
    responses: {
      202: json(z.object({ caseNo: z.string(), requestId: z.string() }).openapi('RetryAccepted'), 'Retry sent to the case'),
      404: json(errorBody, 'Unknown case'),
      409: json(errorBody, 'The case does not need attention'),
    },
    handler: async ({ params, body, principal, req }) => {
      if (!(await needsAttention(params.caseNo))) throw new ApiError('conflict', `case ${params.caseNo} does not need attention`);
      const key = req.headers['idempotency-key'];
      const requestId =
        typeof key === 'string' && key.length > 0 ? createHash('sha256').update(`${params.caseNo}:retry:${key}`).digest('hex').slice(0, 32) : randomUUID();
      await deps.client.workflow.getHandle(params.caseNo).signal(opsRetrySignal, {
        requestId,
        operator: principal!.sub,
        ...(body.note ? { note: body.note } : {}),
      });
      return { status: 202, body: { caseNo: params.caseNo, requestId } };
    },
  });
}
