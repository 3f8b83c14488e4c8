/**
 * The personal-data access log (PIPL; 等保 2.0 security audit): every read of personal data writes who read whose data,
 * when and why. Append-only: nothing here updates or deletes.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { PersonalDataAccess } from '../db/entities';
import type { Caller } from './caller';

export interface AccessEntry {
  at: Date;
  actor: { sub: string; role: string; clientId: string | null; department: string | null };
  subject: string;
  resource: string;
  purpose: string;
}

/**
 * One row per data subject whose data the read returned (the company or person asked for, and each person found in
 * what was returned). Written before the response leaves: a read that cannot be logged is not answered.
 */
export async function recordAccess(em: EntityManager, caller: Caller, subjects: Iterable<string>, resource: string, purpose: string): Promise<void> {
  const at = new Date();
  const rows = [...new Set(subjects)]
    .filter((s) => s.length > 0)
    .map((subjectKey) => ({
      at,
      actorSub: caller.sub.slice(0, 128),
      actorRole: caller.role,
      actorClientId: caller.role === 'portal' ? (caller.clientId ?? caller.sub).slice(0, 64) : null,
      actorDepartment: caller.department ?? null,
      subjectKey: subjectKey.slice(0, 32),
      resource: resource.slice(0, 128),
      purpose: purpose.slice(0, 200),
    }));
  if (rows.length > 0) await em.insertMany(PersonalDataAccess, rows);
}

/** Newest first; `subject` filters to one data subject's reads ("who read my data"). */
export async function findAccesses(em: EntityManager, filter: { subject?: string; limit: number }): Promise<AccessEntry[]> {
  const rows = await em.find(PersonalDataAccess, filter.subject ? { subjectKey: filter.subject } : {}, {
    orderBy: { at: 'desc', id: 'desc' },
    limit: filter.limit,
  });
  return rows.map((r) => ({
    at: r.at,
    actor: { sub: r.actorSub, role: r.actorRole, clientId: r.actorClientId ?? null, department: r.actorDepartment ?? null },
    subject: r.subjectKey,
    resource: r.resource,
    purpose: r.purpose,
  }));
}
