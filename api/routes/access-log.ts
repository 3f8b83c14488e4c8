/**
 * The personal-data access log, for ops (PIPL: a data subject may ask who read their data; 等保 2.0 security audit):
 * who read whose data, when and why. Without `subject`, the newest entries with resident ID numbers masked.
 */
import { z } from '../schemas/zod';
import { formatShanghai } from '../../domain/calendar';
import { maskSubjectKey } from '../../domain/masking';
import { findAccesses } from '../../infra/repositories/access-log';
import type { ApiDeps } from '../context';
import { json, type RouteTable } from '../http/route';

export function accessLogRoutes(t: RouteTable, deps: ApiDeps): void {
  t.add({
    method: 'get',
    path: '/access-log',
    summary: 'Reads of personal data (who, whose, when, why), newest first; `subject` gives one data subject\'s',
    tags: ['ops'],
    access: ['ops'],
    query: z.object({
      subject: z.string().regex(/^[0-9A-Z]{18}$/, 'a credit code or resident ID number (18 characters)').optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    responses: {
      200: json(
        z.object({
          entries: z.array(
            z.object({
              at: z.string(),
              actor: z.object({ sub: z.string(), role: z.string(), clientId: z.string().nullable(), department: z.string().nullable() }),
              subject: z.string(),
              resource: z.string(),
              purpose: z.string(),
            }),
          ),
        }),
        'Access log entries',
      ),
    },
    handler: async ({ query }) => {
      const rows = await findAccesses(deps.orm.em.fork(), { subject: query.subject, limit: query.limit });
      return {
        status: 200,
        body: {
          entries: rows.map((r) => ({
            ...r,
            at: formatShanghai(r.at.getTime()),
            subject: query.subject ? r.subject : maskSubjectKey(r.subject),
          })),
        },
      };
    },
  });
}
