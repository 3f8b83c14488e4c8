/**
 * Activities come from one factory that receives their dependencies; worker/ wires them. The workflow imports only
 * `type` of this module.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { CertificateSigner } from '../infra/signing/certificate-signer';
import { createCaseRecordActivities } from './case-records';
import { createCertificateActivities } from './certificates';
import { createCheckActivities } from './checks';
import { createCalendarActivities } from './calendar';
import { createWebhookActivities, type WebhookPolicy } from './webhooks';
import { createRetentionActivities } from './retention';
import { classifyAll } from './errors';

export interface ActivityDeps {
  orm: MikroORM;
  signer: CertificateSigner;
  calendarDir: string;
  /** Webhook delivery policy (production: https and strong client secrets only; a resolver stub in tests). */
  webhooks?: WebhookPolicy;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCaseRecordActivities(deps),
    ...createCalendarActivities(deps),
    ...createCheckActivities(deps),
    // Records, calendar and checks classify their errors themselves (activities/errors.ts); these two through here.
    ...classifyAll(createCertificateActivities(deps)),
    ...classifyAll(createWebhookActivities(deps)),
    ...createRetentionActivities(deps),
  };
}
