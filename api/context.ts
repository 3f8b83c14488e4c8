/** What every route needs, built once in api/main.ts (or by a test) and passed down. */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { WorkingDayCalendar } from '../domain/calendar';
import type { ServiceCatalog } from '../infra/services/catalog';
import type { PublicKeyRing } from '../infra/signing/certificate-signer';
import type { AuthConfig } from './http/auth';
import type { CodecEndpointConfig } from './routes/codec';
import type { HttpMetrics } from './http/metrics';

export interface ApiDeps {
  orm: MikroORM;
  client: Client;
  taskQueue: string;
  catalog: ServiceCatalog;
  calendar: WorkingDayCalendar;
  /** Verification keys by key id (current + retired), so certificates stay verifiable across key rotations. */
  publicKeys: PublicKeyRing;
  auth: AuthConfig;
  bodyLimit: string;
  metrics: HttpMetrics;
  log: (msg: string, err?: unknown) => void;
  /** NODE_ENV=production: webhook URLs must be https (api/case-intake.ts). */
  production?: boolean;
  /** The payload codec's endpoint for the Temporal UI (api/routes/codec.ts); without it, no codec routes. */
  payloadCodec?: CodecEndpointConfig;
}
