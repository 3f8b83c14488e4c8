/** The service catalogue and the working-day calendar: what the portal shows before an application. */
import { z } from '../schemas/zod';
import { CalendarYearMissingError } from '../../domain/calendar';
import type { ServiceDefinition } from '../../domain/types';
import type { ServiceCatalog } from '../../infra/services/catalog';
import type { ApiDeps } from '../context';
import { ApiError, notFound } from '../http/errors';
import { errorBody, json, type RouteTable } from '../http/route';
import { service as serviceSchema } from '../schemas/responses';

function describeService(catalog: ServiceCatalog, def: ServiceDefinition) {
  return {
    code: def.code,
    version: def.version,
    name: def.name,
    items: def.items,
    departments: def.departments.map((d) => ({ code: d, name: catalog.departments.name(d) })),
    caseLimitWorkingDays: def.review.caseLimitWorkingDays,
    scenarios: def.scenarios,
    materials: def.materials,
    baseMaterials: def.baseMaterials,
    reviewPlan: def.review.steps.map((s) => ({ id: s.id, name: s.name, department: s.department, kind: s.kind, after: s.after, limitWorkingDays: s.limitWorkingDays })),
    certificates: def.certificates.map((c) => ({ type: c.type, name: c.name, perVehicle: c.perVehicle, validityMonths: c.validityMonths, authority: c.authority })),
    // The form as the definition writes it (closed objects as validated): the workbench labels a case's form from it.
    formSchema: catalog.form(def.code)?.jsonSchema ?? {},
    example: catalog.example(def.code),
  };
}

export function catalogRoutes(t: RouteTable, deps: ApiDeps): void {
  // The document's example: the school-bus service when the catalogue has it (any service of another catalogue).
  const sample = deps.catalog.get('SCHOOLBUS') ?? deps.catalog.list()[0];
  t.add({
    method: 'get',
    path: '/services',
    summary: 'The one-stop services, with scenario questions, materials, departments and a working example submission',
    description: 'Public, as the list of government services (政务服务事项清单) is: the public pages label forms and certificates from it. No personal data (the examples are demo data).',
    tags: ['portal', 'public'],
    access: 'public',
    responses: { 200: json(z.object({ services: z.array(serviceSchema) }).openapi('Catalogue'), 'The catalogue') },
    handler: async () => ({ status: 200, body: { services: deps.catalog.list().map((d) => describeService(deps.catalog, d)) } }),
  });

  t.add({
    method: 'get',
    path: '/services/:code',
    summary: 'One service; `example` is a complete submission that can be POSTed to /cases as it is',
    description: 'Public, as GET /services.',
    tags: ['portal', 'public'],
    access: 'public',
    params: z.object({ code: z.string().max(32) }),
    responses: {
      200: json(serviceSchema, 'The service', sample && describeService(deps.catalog, sample)),
      404: json(errorBody, 'Unknown service'),
    },
    handler: async ({ params }) => {
      const def = deps.catalog.get(params.code);
      if (!def) throw notFound(`service ${params.code}`);
      return { status: 200, body: describeService(deps.catalog, def) };
    },
  });

  t.add({
    method: 'get',
    path: '/calendar/deadline',
    summary: 'The deadline N working days after an instant, on the official calendar (the computation cases use)',
    description: 'The day of `from` is not counted; the deadline is 23:59:59 Asia/Shanghai of the Nth working day. A year without an official calendar is refused with 422.',
    tags: ['public'],
    access: 'public',
    query: z.object({
      from: z.iso.datetime({ offset: true }).openapi({ example: '2026-11-26T10:00:00+08:00' }),
      workingDays: z.coerce.number().int().min(0).max(365).openapi({ example: 5 }),
    }),
    responses: {
      200: json(z.object({ deadline: z.string(), deadlineDate: z.string() }).openapi('Deadline'), 'The deadline', { deadline: '2026-12-03T23:59:59+08:00', deadlineDate: '2026-12-03' }),
      422: json(errorBody, 'The period reaches a year with no official calendar'),
    },
    handler: async ({ query }) => {
      try {
        const d = deps.calendar.addWorkingDays(Date.parse(query.from), query.workingDays, { strict: true });
        return { status: 200, body: { deadline: d.deadline, deadlineDate: d.deadlineDate } };
      } catch (err) {
        if (err instanceof CalendarYearMissingError) {
          throw new ApiError('business_rule', `no official working-day calendar for ${err.year} yet`, [{ path: 'query.workingDays', message: `reaches ${err.year}` }]);
        }
        throw err;
      }
    },
  });
}
