/**
 * The log of webhook delivery attempts: one row per attempt (delivered, failed or refused), so ops can see what a
 * portal was sent and when. Append-only.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { WebhookDelivery } from '../db/entities';

export interface DeliveryAttempt {
  caseNo: string;
  eventSeq: number;
  url: string;
  /** The activity's attempt number. */
  attempt: number;
  httpStatus: number | null;
  /** Why it failed or was refused; at most 500 characters are kept. */
  error: string | null;
  at: Date;
}

export async function recordDeliveryAttempt(em: EntityManager, a: DeliveryAttempt): Promise<void> {
  await em.insert(WebhookDelivery, { ...a, error: a.error?.slice(0, 500) ?? null });
}
