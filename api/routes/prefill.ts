/**
 * Prefill (信息预填) and certificate reuse (证照免交): what the government already holds for an applicant, so the one
 * form asks only for what changed.
 */
import { z } from '../schemas/zod';
import { shanghaiDate } from '../../domain/calendar';
import type { ApiDeps } from '../context';
import { ApiError } from '../http/errors';
import { json, type RouteTable } from '../http/route';
import { creditCode, idCard, plate } from '../schemas/forms';

export function prefillRoutes(t: RouteTable, deps: ApiDeps): void {
  const conn = () => deps.orm.em.fork().getConnection();
  t.add({
    method: 'get',
    path: '/prefill',
    summary: 'What the government already holds for this applicant (company, people, vehicles, earlier applications) and the certificates it can reference',
    tags: ['portal'],
    access: ['portal', 'ops'],
    query: z.object({ creditCode: creditCode.optional(), idCard: idCard.optional(), plate: plate.optional() }),
    responses: { 200: json(z.object({}).loose(), 'Prefill data') },
    handler: async ({ query }) => {
      if (!query.creditCode && !query.idCard && !query.plate) {
        throw new ApiError('validation', 'give creditCode, idCard or plate', [{ path: 'query', message: 'one of creditCode, idCard, plate is required' }]);
      }
      const c = conn();
      const today = shanghaiDate(Date.now());
      const body: Record<string, unknown> = {};
      if (query.creditCode) {
        const key = query.creditCode;
        body.company = (await c.execute('select * from company where credit_code = ?', [key]))[0] ?? null;
        body.school = (await c.execute('select * from school where credit_code = ?', [key]))[0] ?? null;
        body.vehicles = await c.execute('select * from vehicle where owner_key = ? order by plate', [key]);
        // The latest archived application per service: data submitted once, reused (首次一次提交、后期自动复用).
        body.archivedApplications = await c.execute(
          `select distinct on (service_code) service_code, case_no, data, archived_at from archived_application
           where applicant_key = ? order by service_code, archived_at desc`,
          [key],
        );
        body.certificates = await c.execute(
          `select no, type, subject_key, to_char(valid_until, 'YYYY-MM-DD') as valid_until, authority from certificate
           where holder_key = ? and revoked_at is null and valid_until >= ? order by issued_at desc limit 200`,
          [key, today],
        );
      }
      if (query.idCard) {
        body.person = (await c.execute('select id_card, name, licence_class, licence_valid_until, driving_years, freight_qualification_valid_until from person where id_card = ?', [query.idCard]))[0] ?? null;
      }
      if (query.plate) body.vehicle = (await c.execute('select * from vehicle where plate = ?', [query.plate]))[0] ?? null;
      return { status: 200, body };
    },
  });
}
