/**
 * Registered portal clients: where their callbacks may go and the secret that signs their webhooks. In development any
 * client id may submit (tokens are minted for any `--sub`); registration matters for callbacks and secrets.
 */
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PortalClient } from '../db/entities';

export type { PortalClient };

export async function findPortalClient(em: EntityManager, id: string): Promise<PortalClient | null> {
  return em.findOne(PortalClient, { id });
}

export interface PortalRegistration {
  id: string;
  name: string;
  callbackOrigins: string[];
  allowPrivateCallbacks?: boolean;
}

/**
 * Registers a client if it is not registered yet; an existing registration (and its secret) is left as it is, so
 * running the seed again never rotates a secret a portal already holds. The secret is generated here, never stored in
 * git: 32 random bytes.
 */
export async function registerPortalClient(em: EntityManager, r: PortalRegistration): Promise<PortalClient> {
  await em
    .createQueryBuilder(PortalClient)
    .insert({
      id: r.id,
      name: r.name,
      callbackOrigins: r.callbackOrigins,
      webhookSecret: randomBytes(32).toString('base64url'),
      allowPrivateCallbacks: r.allowPrivateCallbacks ?? false,
      createdAt: new Date(),
    })
    .onConflict('id')
    .ignore()
    .execute('run');
  return em.findOneOrFail(PortalClient, { id: r.id }, { refresh: true });
}
