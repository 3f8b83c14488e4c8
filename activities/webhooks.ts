/**
 * Status changes POSTed to the portal's callback, signed with HMAC-SHA256 over the exact body. A failed delivery throws
 * so Temporal retries it with backoff; every attempt is recorded.
 */
import { createHmac } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { formatShanghai } from '../domain/calendar';
import { OneStopCase } from '../infra/db/entities';

export const SIGNATURE_HEADER = 'X-OneStop-Signature';

export function signWebhookBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookEvent {
  caseNo: string;
  eventSeq: number;
  type: string;
  status: string;
  atMs: number;
}

export function createWebhookActivities(deps: { orm: MikroORM; webhookSecret: string }) {
  return {
    async deliverWebhook(e: WebhookEvent): Promise<{ delivered: boolean; httpStatus?: number }> {
      const em = deps.orm.em.fork();
      const row = await em.findOne(OneStopCase, { caseNo: e.caseNo }, { fields: ['caseNo', 'webhookUrl'] });
      if (!row?.webhookUrl) return { delivered: false };
      const body = JSON.stringify({ caseNo: e.caseNo, event: e.type, status: e.status, seq: e.eventSeq, at: formatShanghai(e.atMs) });
      const attempt = Context.current().info.attempt;
      let httpStatus: number | null = null;
      let error: string | null = null;
      try {
        const res = await fetch(row.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhookBody(body, deps.webhookSecret) },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        httpStatus = res.status;
        if (!res.ok) error = `HTTP ${res.status}`;
      } catch (err) {
        error = (err as Error).message.slice(0, 500);
      }
      await em.getConnection().execute(
        `insert into webhook_delivery (case_no, event_seq, url, attempt, http_status, error, at) values (?, ?, ?, ?, ?, ?, now())`,
        [e.caseNo, e.eventSeq, row.webhookUrl, attempt, httpStatus, error],
      );
      if (error) {
        log.warn('webhook delivery failed, will retry', { caseNo: e.caseNo, attempt, error });
        throw new Error(`webhook delivery failed: ${error}`);
      }
      return { delivered: true, httpStatus: httpStatus ?? undefined };
    },
  };
}
