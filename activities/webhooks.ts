/**
 * Status changes POSTed to the portal's callback.
 *
 * Signed with the submitting portal client's own secret (portal_client.webhook_secret), never with a platform
 * secret: a portal that verifies its webhooks holds no key that means anything anywhere else. The signature covers
 * a timestamp and the exact body (`${timestamp}.${body}`, HMAC-SHA256), so a receiver can refuse replays: see
 * `verifyWebhookSignature` and README.md, "Verifying webhooks".
 *
 * Delivered through infra/net/callback-guard.ts: only to an origin the client registered, only to public addresses
 * unless the registration allows private ones, never following redirects. A refused target or an unknown client is
 * a non-retryable failure; a portal that is down (network error, non-2xx, 3xx) is retried with backoff. Every
 * attempt is recorded in webhook_delivery.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { formatShanghai } from '../domain/calendar';
import { MIN_SECRET_BYTES } from '../infra/config';
import { findWebhookTarget } from '../infra/repositories/cases';
import { findPortalClient } from '../infra/repositories/portal-clients';
import { recordDeliveryAttempt } from '../infra/repositories/webhook-deliveries';
import { CallbackRefusedError, checkWebhookUrl, postCallback, type Resolver } from '../infra/net/callback-guard';

export const SIGNATURE_HEADER = 'X-OneStop-Signature';
export const TIMESTAMP_HEADER = 'X-OneStop-Timestamp';
/** How old a signed timestamp a receiver should accept (seconds): retries re-sign, so this only bounds replays. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`); timestamp in Unix seconds. */
export function signWebhook(body: string, secret: string, timestampSeconds: number): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/**
 * The receiver's side, as a reference implementation: true when `signature` is this body's and timestamp's under
 * `secret`, and the timestamp is within `toleranceSeconds` of now. Compare in constant time.
 */
export function verifyWebhookSignature(o: {
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  secret: string;
  toleranceSeconds?: number;
  nowSeconds?: number;
}): boolean {
  if (!o.timestamp || !/^[0-9]{1,12}$/.test(o.timestamp) || !o.signature) return false;
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(o.timestamp)) > (o.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(signWebhook(o.body, o.secret, Number(o.timestamp)));
  const given = Buffer.from(o.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface WebhookEvent {
  caseNo: string;
  eventSeq: number;
  type: string;
  status: string;
  atMs: number;
}

/** How deliveries treat targets; the worker passes it from its config (production: https and strong secrets only). */
export interface WebhookPolicy {
  production?: boolean;
  /** Name resolution; tests stub it. Default: the system resolver. */
  resolver?: Resolver;
  timeoutMs?: number;
}

export function createWebhookActivities(deps: { orm: MikroORM; webhooks?: WebhookPolicy }) {
  const policy = deps.webhooks ?? {};
  return {
    async deliverWebhook(e: WebhookEvent): Promise<{ delivered: boolean; httpStatus?: number }> {
      const em = deps.orm.em.fork();
      const target = await findWebhookTarget(em, e.caseNo);
      if (!target?.webhookUrl) return { delivered: false };
      const url = target.webhookUrl;
      const attempt = Context.current().info.attempt;
      const record = (httpStatus: number | null, error: string | null) =>
        recordDeliveryAttempt(em, { caseNo: e.caseNo, eventSeq: e.eventSeq, url, attempt, httpStatus, error, at: new Date() });
      const refuse = async (type: string, reason: string): Promise<never> => {
        await record(null, `refused: ${reason}`);
        log.warn('webhook refused, not retried', { caseNo: e.caseNo, type, reason });
        throw ApplicationFailure.nonRetryable(`webhook refused: ${reason}`, type);
      };

      const client = await findPortalClient(em, target.portalClientId);
      if (!client) return refuse('WebhookClientUnknown', 'the case was not submitted by a registered portal client');
      if (policy.production && Buffer.byteLength(client.webhookSecret, 'utf8') < MIN_SECRET_BYTES) {
        return refuse('WebhookSecretWeak', `the portal client's webhook secret is shorter than ${MIN_SECRET_BYTES} bytes`);
      }
      // Checked again at delivery: the registration may have changed since the case was submitted.
      const why = checkWebhookUrl(url, client, { production: policy.production ?? false });
      if (why) return refuse('WebhookTargetRefused', why);

      const body = JSON.stringify({ caseNo: e.caseNo, event: e.type, status: e.status, seq: e.eventSeq, at: formatShanghai(e.atMs) });
      // Signed per attempt: a retry hours later carries a fresh timestamp that passes the receiver's replay window.
      const timestamp = Math.floor(Date.now() / 1000);
      let httpStatus: number | null = null;
      let error: string | null = null;
      try {
        httpStatus = await postCallback(
          url,
          body,
          {
            'content-type': 'application/json',
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signWebhook(body, client.webhookSecret, timestamp),
          },
          { allowPrivate: client.allowPrivateCallbacks, resolver: policy.resolver, timeoutMs: policy.timeoutMs ?? 10_000 },
        );
        if (httpStatus < 200 || httpStatus >= 300) error = httpStatus >= 300 && httpStatus < 400 ? `HTTP ${httpStatus} (redirects are not followed)` : `HTTP ${httpStatus}`;
      } catch (err) {
        if (err instanceof CallbackRefusedError) return refuse('WebhookTargetRefused', err.message);
        error = (err as Error).message;
      }
      await record(httpStatus, error);
      if (error) {
        log.warn('webhook delivery failed, will retry', { caseNo: e.caseNo, attempt, error });
        throw new Error(`webhook delivery failed: ${error}`);
      }
      return { delivered: true, httpStatus: httpStatus ?? undefined };
    },
  };
}
