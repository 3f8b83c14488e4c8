/**
 * The service catalogue: one JSON definition per one-stop service under data/services, validated with zod when loaded.
 * Adding a service is adding a definition (and its form schema if it brings a new form kind), never workflow code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEPARTMENTS, type ServiceDefinition } from '../../domain/types';

const bilingual = z.object({ zh: z.string().min(1), en: z.string().min(1) });
const department = z.enum(DEPARTMENTS);

const stepSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    name: bilingual,
    department,
    kind: z.enum(['automatic', 'human', 'automatic+human']),
    check: z.enum(['business-licence', 'oversize-prereview', 'school-bus-conditions']).optional(),
    after: z.array(z.string()),
    limitWorkingDays: z.number().int().min(1).max(45),
    onLimit: z.enum(['escalate', 'deemed_approval']),
    mandatory: z.boolean(),
  })
  .refine((s) => (s.kind === 'human') === (s.check === undefined), {
    message: 'automatic steps name their check; human steps have none',
    path: ['check'],
  });

export const serviceDefinitionSchema = z
  .object({
    code: z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/),
    version: z.number().int().min(1),
    name: bilingual,
    caseNumberPrefix: z.string().regex(/^[A-Z]{2}-[A-Z0-9]+$/),
    form: z.enum(['freight-company', 'oversize-cargo', 'school-bus']),
    items: z.array(z.object({ code: z.string(), name: bilingual, department })).min(1),
    departments: z.array(department).min(1),
    scenarios: z.array(
      z.object({
        id: z.string(),
        question: bilingual,
        options: z.array(z.object({ value: z.string(), label: bilingual, requiresMaterials: z.array(z.string()) })).min(1),
      }),
    ),
    materials: z.array(z.object({ id: z.string(), name: bilingual, certificateType: z.string().optional() })),
    baseMaterials: z.array(z.string()),
    review: z.object({
      caseLimitWorkingDays: z.number().int().min(1).max(45),
      fastTrackWhenAllPass: z.boolean(),
      steps: z.array(stepSchema).min(1),
    }),
    certificates: z
      .array(
        z.object({
          type: z.string().regex(/^[a-z][a-z0-9-]*$/),
          name: bilingual,
          perVehicle: z.boolean(),
          validityMonths: z.number().int().min(1).max(120),
          authority: bilingual,
          department,
          fields: z.array(z.string()).min(1),
        }),
      )
      .min(1),
  })
  .superRefine((def, ctx) => {
    const ids = new Set<string>();
    for (const [i, s] of def.review.steps.entries()) {
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', path: ['review', 'steps', i, 'id'], message: `duplicate step ${s.id}` });
      ids.add(s.id);
      if (!def.departments.includes(s.department)) {
        ctx.addIssue({ code: 'custom', path: ['review', 'steps', i, 'department'], message: `${s.department} is not in departments` });
      }
    }
    // Dependencies must exist and come earlier in the list: this also rules out cycles.
    const seen = new Set<string>();
    for (const [i, s] of def.review.steps.entries()) {
      for (const dep of s.after) {
        if (!seen.has(dep)) ctx.addIssue({ code: 'custom', path: ['review', 'steps', i, 'after'], message: `${dep} must be an earlier step` });
      }
      seen.add(s.id);
    }
    const materials = new Set(def.materials.map((m) => m.id));
    const referenced = [...def.baseMaterials, ...def.scenarios.flatMap((q) => q.options.flatMap((o) => o.requiresMaterials))];
    for (const m of referenced) {
      if (!materials.has(m)) ctx.addIssue({ code: 'custom', path: ['materials'], message: `material ${m} is not defined` });
    }
  });

export class ServiceCatalog {
  private readonly byCode: Map<string, ServiceDefinition>;
  constructor(definitions: ServiceDefinition[]) {
    this.byCode = new Map(definitions.map((d) => [d.code, d]));
  }
  list(): ServiceDefinition[] {
    return [...this.byCode.values()];
  }
  get(code: string): ServiceDefinition | undefined {
    return this.byCode.get(code);
  }
}

/** The steps people decide, as [department, step id], in the definition's order (dependencies come first). */
export function humanReviewOrder(def: ServiceDefinition): [ServiceDefinition['departments'][number], string][] {
  return def.review.steps.filter((s) => s.kind !== 'automatic').map((s) => [s.department, s.id]);
}

export class InvalidServiceDefinitionError extends Error {}

export function parseServiceDefinition(raw: unknown, source: string): ServiceDefinition {
  const parsed = serviceDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InvalidServiceDefinitionError(`service definition ${source} is invalid: ${issues}`);
  }
  return parsed.data as ServiceDefinition;
}

export const DEFAULT_SERVICES_DIR = path.resolve(__dirname, '../../data/services');

export function loadServiceCatalog(dir: string = DEFAULT_SERVICES_DIR): ServiceCatalog {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return new ServiceCatalog(files.map((f) => parseServiceDefinition(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')), f)));
}
