/**
 * Prefill (信息预填) and certificate reuse (证照免交): what the government already holds for an applicant, so the one
 * form asks only for what changed.
 *
 * Personal data goes only to its data subject: a portal gets prefill only for the applicant its token asserts (the
 * `applicant` claim, set by the city's identity system), that is the credit code of the company (whose own people and
 * vehicles are the company's data), the ID number of the person, or a plate registered to that applicant. Anything
 * else is 403. Ops may read (the service counter fills forms for the applicant in front of them) with a stated
 * purpose. Every read is written to the personal-data access log before the answer leaves.
 */
import { z } from '../schemas/zod';
import { shanghaiDate } from '../../domain/calendar';
import { recordAccess } from '../../infra/repositories/access-log';
import { personalSubjects } from '../../infra/repositories/case-view';
import { isoDay, validCertificatesHeldBy } from '../../infra/repositories/certificates';
import { findCompany, findPersonForPrefill, findSchool, findVehicle, latestArchivedApplications, vehiclesOwnedBy } from '../../infra/repositories/reference-data';
import type { ApiDeps } from '../context';
import { ApiError } from '../http/errors';
import { errorBody, json, type RouteTable } from '../http/route';
import { creditCode, idCard, plate } from '../schemas/forms';
import { prefill } from '../schemas/responses';

const NOT_YOURS =
  'prefill returns data only for the applicant your token asserts (claim "applicant", set by the identity system): ' +
  'ask for that credit code or ID number, or a vehicle registered to it';

export function prefillRoutes(t: RouteTable, deps: ApiDeps): void {
  t.add({
    method: 'get',
    path: '/prefill',
    summary: 'What the government already holds for the authenticated applicant (company, people, vehicles, earlier applications) and the certificates it can reference',
    description:
      'Portal tokens must assert the applicant (`applicant` claim): `creditCode` or `idCard` must be that applicant, and `plate` a vehicle registered to it; otherwise 403. ' +
      'Ops may read any applicant, stating `purpose` (default "ops support"). Every read is logged (who, whose, when, why): see GET /access-log.',
    tags: ['portal'],
    access: ['portal', 'ops'],
    query: z.object({
      creditCode: creditCode.optional(),
      idCard: idCard.optional(),
      plate: plate.optional(),
      purpose: z.string().trim().min(3).max(200).optional().openapi({ description: 'ops only: why the data is read', example: 'counter application for the applicant present' }),
    }),
    responses: { 200: json(prefill, 'Prefill data'), 403: json(errorBody, 'Not the applicant the token asserts') },
    handler: async ({ query, principal }) => {
      if (!query.creditCode && !query.idCard && !query.plate) {
        throw new ApiError('validation', 'give creditCode, idCard or plate', [{ path: 'query', message: 'one of creditCode, idCard, plate is required' }]);
      }
      const p = principal!;
      const em = deps.orm.em.fork();
      let purpose: string;
      if (p.role === 'portal') {
        if (query.purpose !== undefined) throw new ApiError('validation', 'purpose is for ops', [{ path: 'query.purpose', message: 'only ops state a purpose' }]);
        if (!p.applicant) throw new ApiError('forbidden', NOT_YOURS);
        for (const key of [query.creditCode, query.idCard]) if (key !== undefined && key !== p.applicant) throw new ApiError('forbidden', NOT_YOURS);
        purpose = 'prefill for application';
      } else purpose = query.purpose ?? 'ops support';

      const today = shanghaiDate(Date.now());
      const body: Record<string, unknown> = {};
      const subjects = new Set<string>();
      if (query.creditCode) {
        const key = query.creditCode;
        subjects.add(key);
        const [company, school, vehicles, archived, certificates] = await Promise.all([
          findCompany(em.fork(), key),
          findSchool(em.fork(), key),
          vehiclesOwnedBy(em.fork(), key),
          latestArchivedApplications(em.fork(), key),
          validCertificatesHeldBy(em.fork(), key, today),
        ]);
        body.company = company;
        body.school = school;
        body.vehicles = vehicles;
        // Only services the catalogue offers: an application archived under a service since withdrawn (or another
        // catalogue's) has a form shape nobody can prefill from, and the response documents the offered forms only.
        body.archivedApplications = archived.filter((a) => deps.catalog.get(a.serviceCode) !== undefined);
        body.certificates = certificates.map((c) => ({ no: c.no, type: c.type, subjectKey: c.subjectKey, validUntil: isoDay(c.validUntil), authority: c.authority }));
        for (const a of body.archivedApplications as typeof archived) personalSubjects(a.data, subjects);
      }
      if (query.idCard) {
        subjects.add(query.idCard);
        body.person = await findPersonForPrefill(em, query.idCard);
      }
      if (query.plate) {
        const vehicle = await findVehicle(em, query.plate);
        // Unknown and someone else's answer alike, so a portal cannot probe which plates are registered.
        if (p.role === 'portal' && vehicle?.ownerKey !== p.applicant) throw new ApiError('forbidden', NOT_YOURS);
        if (vehicle) subjects.add(vehicle.ownerKey);
        body.vehicle = vehicle;
      }
      await recordAccess(em, p, subjects, 'prefill', purpose);
      return { status: 200, body };
    },
  });
}
