/**
 * The service catalogue: one JSON definition per one-stop service under data/services, validated with zod when loaded.
 * Adding a service is adding a definition (and its form schema if it brings a new form kind), never workflow code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { checksConfigSchema, stepCheckIssues } from '../../domain/checks';
import { CODE_CHECKS, DEPARTMENTS, type ReviewStepDefinition, type ServiceDefinition } from '../../domain/types';

const bilingual = z.object({ zh: z.string().min(1), en: z.string().min(1) });
const department = z.enum(DEPARTMENTS);
const citation = z.object({ document: z.string().min(1), article: z.string().min(1), note: z.string().optional() });

const stepSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    name: bilingual,
    department,
    kind: z.enum(['automatic', 'human', 'automatic+human']),
    check: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a check name (kebab-case)').optional(),
    // Library checks configured by data (domain/checks); their types, parameters and paths are checked below.
    checks: checksConfigSchema.optional(),
    after: z.array(z.string()),
    limitWorkingDays: z.number().int().min(1).max(45),
    onLimit: z.enum(['escalate', 'deemed_approval']),
    mandatory: z.boolean(),
    limitFromCheckOf: z.string().optional(),
    legalBasis: z.object({
      limit: citation.extend({ statutoryLimitWorkingDays: z.number().int().min(1).max(60).optional() }),
      onLimit: citation.extend({ providesDeemedConsent: z.boolean().optional(), text: z.string().min(1).optional() }),
    }),
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
    // The step's automatic check: a code check by name, or library checks whose types and parameters must be known.
    for (const [i, s] of def.review.steps.entries()) {
      for (const issue of stepCheckIssues(s, CODE_CHECKS)) ctx.addIssue({ code: 'custom', path: ['review', 'steps', i, ...issue.path], message: issue.message });
    }
    for (const issue of lawfulPlanIssues(def as ServiceDefinition)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    const materials = new Set(def.materials.map((m) => m.id));
    const referenced = [...def.baseMaterials, ...def.scenarios.flatMap((q) => q.options.flatMap((o) => o.requiresMaterials))];
    for (const m of referenced) {
      if (!materials.has(m)) ctx.addIssue({ code: 'custom', path: ['materials'], message: `material ${m} is not defined` });
    }
  });

/** The statutory wording of a deemed-consent clause (e.g. 行政许可法 art. 50 para. 2: 逾期未作决定的，视为准予延续). */
const DEEMED_CONSENT_WORDING = '视为';

export interface PlanIssue {
  path: (string | number)[];
  message: string;
}

/**
 * The longest chain of step limits through the plan (sum along `after` paths), in working days, with its steps. A step
 * starts when the last of its `after` steps ends, so the case needs at least this long if every step uses its limit.
 */
export function longestStepChain(steps: Pick<ReviewStepDefinition, 'id' | 'after' | 'limitWorkingDays'>[]): { days: number; chain: string[] } {
  const best = new Map<string, { days: number; chain: string[] }>();
  let longest = { days: 0, chain: [] as string[] };
  for (const s of steps) {
    const before = s.after.map((id) => best.get(id)).filter((x) => x !== undefined).sort((a, b) => b.days - a.days)[0];
    const here = { days: (before?.days ?? 0) + s.limitWorkingDays, chain: [...(before?.chain ?? []), s.id] };
    best.set(s.id, here);
    if (here.days > longest.days) longest = here;
  }
  return longest;
}

/**
 * What the law and the service's own promise forbid in a plan (empty when it is lawful): a chain of step limits longer
 * than the case promise, a step limit over the statutory period of the act the step performs, a deemed approval that no
 * cited provision provides, a statutory period taken from a step that is not an earlier automatic check.
 */
export function lawfulPlanIssues(def: Pick<ServiceDefinition, 'code' | 'review'>): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const { steps, caseLimitWorkingDays } = def.review;
  const longest = longestStepChain(steps);
  if (longest.days > caseLimitWorkingDays) {
    const sum = longest.chain.map((id) => steps.find((s) => s.id === id)!.limitWorkingDays).join('+');
    issues.push({
      path: ['review', 'caseLimitWorkingDays'],
      message:
        `the step chain ${longest.chain.join(' -> ')} takes ${sum} = ${longest.days} working days, ` +
        `over the case promise of ${caseLimitWorkingDays}`,
    });
  }
  for (const [i, s] of steps.entries()) {
    const basis = s.legalBasis;
    if (!basis) continue; // the schema reports the missing citation
    const statutory = basis.limit.statutoryLimitWorkingDays;
    if (statutory !== undefined && s.limitWorkingDays > statutory) {
      issues.push({
        path: ['review', 'steps', i, 'limitWorkingDays'],
        message: `step ${s.id}: its limit of ${s.limitWorkingDays} working days is over the statutory ${statutory} (${basis.limit.document} ${basis.limit.article})`,
      });
    }
    if (s.onLimit === 'deemed_approval') {
      const rule = basis.onLimit;
      if (rule.providesDeemedConsent !== true || !rule.text?.includes(DEEMED_CONSENT_WORDING)) {
        issues.push({
          path: ['review', 'steps', i, 'onLimit'],
          message:
            `step ${s.id}: deemed approval at the limit needs a cited rule that deems silence consent ` +
            `(providesDeemedConsent and its text with ${DEEMED_CONSENT_WORDING}); ${rule.document} ${rule.article} provides none`,
        });
      }
    }
    if (s.limitFromCheckOf !== undefined) {
      const source = steps.slice(0, i).find((x) => x.id === s.limitFromCheckOf);
      if (!source || source.kind === 'human') {
        issues.push({ path: ['review', 'steps', i, 'limitFromCheckOf'], message: `step ${s.id}: ${s.limitFromCheckOf} must be an earlier automatic check` });
      }
    }
  }
  return issues;
}

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
