/**
 * The service catalogue: one JSON definition per one-stop service under data/services (or other folders), validated
 * with zod when loaded, and the city's departments (data/city/departments.json). A definition carries its review plan,
 * materials, scenarios, certificates, its whole form (JSON Schema, compiled by infra/services/form-schema.ts) and its
 * example submission: adding a service is adding a file, never code (docs/adding-a-service.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/calendar';
import { DepartmentDirectory, registerDepartments, type DepartmentInfo } from '../../domain/departments';
import { checksConfigSchema, stepCheckIssues } from '../../domain/checks';
import { CODE_CHECKS, DEPARTMENT_CODE_PATTERN, PUBLIC_FIELD_RULES, type Bilingual, type PublicFieldRule, type ReviewStepDefinition, type ServiceDefinition } from '../../domain/types';
import { compileCondition, compileForm, InvalidFormSchemaError, type CompiledForm, type FormRule, type JsonSchema } from './form-schema';

const bilingual = z.object({ zh: z.string().min(1), en: z.string().min(1) });
const department = z.string().regex(DEPARTMENT_CODE_PATTERN, 'a department code (lower case, digits, _)');
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
    form: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,47}$/, 'a form id (kebab-case)')
      // The OpenAPI document's own form unions are ServiceForm, CaseForm, PurgedForm and ApplicationForm.
      .refine((f) => !['service', 'case', 'purged', 'application'].includes(f), 'service, case, purged and application are not form ids (their names are taken)'),
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
          publicFields: z.record(z.string(), z.enum(PUBLIC_FIELD_RULES)).optional(),
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

/** A complete submission of a service, as a portal sends it (the definition's `example`). */
export interface SubmissionExample {
  serviceCode: string;
  channel: 'online' | 'counter';
  scenarioAnswers: Record<string, string>;
  materials: { material: string; reference: string }[];
  form: Record<string, unknown>;
}

/** Materials a form's content requires (oversize category III: an escort plan and an outline drawing). */
export interface MaterialsWhen {
  /** A JSON Schema the form matches when these materials are needed. */
  when: JsonSchema;
  materials: string[];
  reason: Bilingual;
}

/** Everything the catalogue holds for one service: the definition cases run on, and the form that is checked at intake. */
export interface LoadedService {
  /** The definition: what a case's workflow receives as its snapshot (no form schema, no example: they stay here). */
  definition: ServiceDefinition;
  form: CompiledForm;
  materialsWhen: (MaterialsWhen & { matches: (form: unknown) => boolean })[];
  /** The example as written: `{{today+N}}` in a string stands for the Asia/Shanghai date N days after the moment asked. */
  example: SubmissionExample;
}

export class ServiceCatalog {
  private readonly byCode: Map<string, LoadedService>;
  constructor(
    services: LoadedService[],
    /** The departments every definition was checked against (the city file's). */
    readonly departments: DepartmentDirectory,
  ) {
    this.byCode = new Map(services.map((s) => [s.definition.code, s]));
  }
  /** The public-view rule of each field of a certificate type (none: every field withheld), whichever service issues it. */
  publicFieldRules(certificateType: string): Readonly<Record<string, PublicFieldRule>> {
    for (const def of this.list()) {
      const spec = def.certificates.find((c) => c.type === certificateType);
      if (spec) return spec.publicFields ?? {};
    }
    return {};
  }

  list(): ServiceDefinition[] {
    return [...this.byCode.values()].map((s) => s.definition);
  }
  get(code: string): ServiceDefinition | undefined {
    return this.byCode.get(code)?.definition;
  }
  /** The service's compiled form (api/schemas/forms.ts `formSchemaOf` makes it the zod schema the API validates with). */
  form(code: string): CompiledForm | undefined {
    return this.byCode.get(code)?.form;
  }
  /** The form's conditional materials (`materialsWhen`) that apply to a valid form. */
  materialsRequiredBy(code: string, form: unknown): string[] {
    return (this.byCode.get(code)?.materialsWhen ?? []).filter((m) => m.matches(form)).flatMap((m) => m.materials);
  }
  /** The service's example submission, its dates relative to `nowMs` (a fresh copy each call). */
  example(code: string, nowMs = Date.now()): SubmissionExample | undefined {
    const s = this.byCode.get(code);
    return s && fillExampleDates(s.example, nowMs);
  }
}

/** The steps people decide, as [department, step id], in the definition's order (dependencies come first). */
export function humanReviewOrder(def: ServiceDefinition): [ServiceDefinition['departments'][number], string][] {
  return def.review.steps.filter((s) => s.kind !== 'automatic').map((s) => [s.department, s.id]);
}

export class InvalidServiceDefinitionError extends Error {}

const DAY_MS = 86_400_000;

/** `{{today}}`, `{{today+7}}`, `{{today-1}}` in any string of `value`: the Asia/Shanghai date that many days after `nowMs`. */
export function fillExampleDates<T>(value: T, nowMs: number): T {
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\{\{today(?:([+-])(\d{1,4}))?\}\}/g, (_m, sign: string | undefined, n: string | undefined) => shanghaiDate(nowMs + (sign === '-' ? -1 : 1) * Number(n ?? 0) * DAY_MS));
    if (Array.isArray(v)) return v.map(fill);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return fill(value) as T;
}

const jsonSchemaObject = z.record(z.string(), z.unknown());
const formRuleTerm = z.union([z.number(), z.object({ field: z.string().min(1), times: z.number().optional() }).strict()]);
/** The keys a definition file has beside the definition itself: its form, the form's rules, its example. */
const definitionFileExtras = z.object({
  $schema: z.string().optional(),
  formSchema: jsonSchemaObject.refine((s) => s.type === 'object', { message: 'a form schema is an object schema ("type": "object")' }),
  formRules: z
    .array(
      z
        .object({
          field: z.string().min(1),
          count: z.boolean().optional(),
          op: z.enum(['>=', '>', '<=', '<', '==']),
          compareTo: z.array(formRuleTerm).min(1),
          message: z.string().min(1).optional(),
        })
        .strict(),
    )
    .default([]),
  materialsWhen: z.array(z.object({ when: jsonSchemaObject, materials: z.array(z.string()).min(1), reason: bilingual }).strict()).default([]),
  example: z.object({
    serviceCode: z.string(),
    channel: z.enum(['online', 'counter']),
    scenarioAnswers: z.record(z.string(), z.string()),
    materials: z.array(z.object({ material: z.string(), reference: z.string() })),
    form: z.record(z.string(), z.unknown()),
  }),
});

/** Dot paths of the form's properties that carry no `x-title: { zh, en }` (pages label every field from data). */
export function untitledFields(schema: JsonSchema, at = ''): string[] {
  const out: string[] = [];
  const visit = (node: unknown, where: string) => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    const n = node as JsonSchema;
    if (typeof n.properties === 'object' && n.properties !== null) {
      for (const [k, child] of Object.entries(n.properties as JsonSchema)) {
        const title = (child as JsonSchema | undefined)?.['x-title'] as Partial<Bilingual> | undefined;
        const here = where ? `${where}.${k}` : k;
        if (typeof title?.zh !== 'string' || typeof title.en !== 'string') out.push(here);
        visit(child, here);
      }
    }
    if (n.items !== undefined) visit(n.items, `${where}[]`);
    if (typeof n.$defs === 'object' && n.$defs !== null) for (const [k, d] of Object.entries(n.$defs as JsonSchema)) visit(d, `$defs.${k}`);
  };
  visit(schema, at);
  return out;
}

/** The schema node a dot path names (through `$ref`s to `#/$defs/...` and array items), or undefined. */
function schemaAt(root: JsonSchema, dotted: string): JsonSchema | undefined {
  const deref = (n: JsonSchema | undefined): JsonSchema | undefined => {
    const ref = n?.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) return n;
    const target = (root.$defs as Record<string, JsonSchema> | undefined)?.[ref.slice(8)];
    return target ? { ...target, ...n, $ref: undefined } : undefined;
  };
  let node: JsonSchema | undefined = root;
  for (const key of dotted.split('.')) {
    node = deref(node);
    if (node?.type === 'array' && /^\d+$/.test(key)) node = node.items as JsonSchema | undefined;
    else node = (node?.properties as Record<string, JsonSchema> | undefined)?.[key];
  }
  return deref(node);
}

/** Departments a definition names that the city does not list (steps, items, certificates, its own list). */
export function unknownDepartmentIssues(def: Pick<ServiceDefinition, 'departments' | 'items' | 'review' | 'certificates'>, departments: DepartmentDirectory): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const check = (code: string, p: (string | number)[]) => {
    if (!departments.has(code)) issues.push({ path: p, message: `unknown department ${code}: the city file lists ${departments.codes().join(', ')}` });
  };
  def.departments.forEach((d, i) => check(d, ['departments', i]));
  def.items.forEach((it, i) => check(it.department, ['items', i, 'department']));
  def.review.steps.forEach((s, i) => check(s.department, ['review', 'steps', i, 'department']));
  def.certificates.forEach((c, i) => check(c.department, ['certificates', i, 'department']));
  return issues;
}

function invalid(source: string, issues: PlanIssue[]): InvalidServiceDefinitionError {
  return new InvalidServiceDefinitionError(`service definition ${source} is invalid: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

/**
 * One definition file, checked whole: the definition (plan, materials, departments known to the city), its form
 * (valid JSON Schema, every field titled, rules naming fields the form has), and its example (a valid submission).
 */
export function parseServiceFile(raw: unknown, source: string, departments: DepartmentDirectory = CITY_DIRECTORY()): LoadedService {
  const parsed = serviceDefinitionSchema.safeParse(raw);
  if (!parsed.success) throw invalid(source, parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })));
  const definition = parsed.data as ServiceDefinition;
  const unknown = unknownDepartmentIssues(definition, departments);
  if (unknown.length > 0) throw invalid(source, unknown);
  const extras = definitionFileExtras.safeParse(raw);
  if (!extras.success) throw invalid(source, extras.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })));
  const { formSchema, formRules, materialsWhen, example } = extras.data;

  const issues: PlanIssue[] = untitledFields(formSchema).map((f) => ({ path: ['formSchema', f], message: 'a form field needs "x-title": { "zh", "en" }' }));
  formRules.forEach((r, i) => {
    const fields = [r.field, ...r.compareTo.flatMap((t) => (typeof t === 'number' ? [] : [t.field]))];
    for (const f of fields) if (!schemaAt(formSchema, f)) issues.push({ path: ['formRules', i], message: `${f} is not a field of the form` });
  });
  // Configured checks read the form by paths: each must be a field the form has (domain/checks, the checks helper's).
  definition.review.steps.forEach((s, i) => {
    for (const issue of stepCheckIssues(s, CODE_CHECKS, formSchema)) issues.push({ path: ['review', 'steps', i, ...issue.path], message: issue.message });
  });
  // The platform reads the applicant of every form (the case's owner, the certificates' holder) and copies fields onto
  // certificates: those must be fields the form has.
  const applicant = schemaAt(formSchema, 'applicant');
  const requires = (node: JsonSchema | undefined, key: string) => Array.isArray(node?.required) && (node.required as unknown[]).includes(key);
  if (!requires(formSchema, 'applicant') || !requires(applicant, 'creditCode') || !requires(applicant, 'name') || schemaAt(formSchema, 'applicant.creditCode')?.format !== 'credit-code') {
    issues.push({ path: ['formSchema', 'properties', 'applicant'], message: 'every form has a required applicant with a required creditCode (format credit-code) and name' });
  }
  definition.certificates.forEach((c, i) => {
    c.fields.forEach((f, j) => {
      const perVehicle = c.perVehicle && f.startsWith('vehicle.') && schemaAt(formSchema, `vehicles.0.${f.slice(8)}`);
      if (!schemaAt(formSchema, f) && !perVehicle) issues.push({ path: ['certificates', i, 'fields', j], message: `${f} is not a field of the form` });
    });
    for (const f of Object.keys(c.publicFields ?? {})) {
      if (!c.fields.includes(f)) issues.push({ path: ['certificates', i, 'publicFields', f], message: `${f} is not one of the certificate's fields` });
    }
  });
  const materialIds = new Set(definition.materials.map((m) => m.id));
  materialsWhen.forEach((m, i) => {
    for (const id of m.materials) if (!materialIds.has(id)) issues.push({ path: ['materialsWhen', i, 'materials'], message: `material ${id} is not defined` });
  });
  if (issues.length > 0) throw invalid(source, issues);

  let form: CompiledForm;
  let conditions: LoadedService['materialsWhen'];
  try {
    form = compileForm(definition.form, formSchema, formRules as FormRule[], source);
    conditions = materialsWhen.map((m, i) => ({ ...m, matches: compileCondition(m.when, `${source} materialsWhen.${i}`) }));
  } catch (err) {
    if (err instanceof InvalidFormSchemaError) throw new InvalidServiceDefinitionError(`service definition ${err.message}`);
    throw err;
  }

  // The example must be a submission the API accepts: this service, its scenarios, known materials, a valid form.
  const filled = fillExampleDates(example, Date.now());
  const exampleIssues: PlanIssue[] = form.issues(filled.form).map((i) => ({ path: ['example', 'form', ...i.path], message: i.message }));
  if (filled.serviceCode !== definition.code) exampleIssues.push({ path: ['example', 'serviceCode'], message: `must be ${definition.code}` });
  for (const q of definition.scenarios) {
    if (!q.options.some((o) => o.value === filled.scenarioAnswers[q.id])) exampleIssues.push({ path: ['example', 'scenarioAnswers', q.id], message: 'answer with one of the options' });
  }
  filled.materials.forEach((m, i) => {
    if (!materialIds.has(m.material)) exampleIssues.push({ path: ['example', 'materials', i], message: `material ${m.material} is not defined` });
  });
  if (exampleIssues.length > 0) throw invalid(source, exampleIssues);
  return { definition, form, materialsWhen: conditions, example: example as SubmissionExample };
}

/** The definition alone (what a case runs on), after the whole file is checked as `parseServiceFile` does. */
export function parseServiceDefinition(raw: unknown, source: string, departments?: DepartmentDirectory): ServiceDefinition {
  return parseServiceFile(raw, source, departments).definition;
}

export const DEFAULT_SERVICES_DIR = path.resolve(__dirname, '../../data/services');
export const DEFAULT_CITY_FILE = path.resolve(__dirname, '../../data/city/departments.json');

/** Where a catalogue comes from: folders of definition files and the city files that list the departments. */
export interface CatalogSources {
  /** Folders of `*.json` definitions, read in order; a service code defined twice is refused. */
  servicesDirs: string[];
  /** City files, merged in order: a later file adds departments (a code listed twice is refused). */
  cityFiles: string[];
  /** Only these file names of the folders (all when absent): a fixed catalogue for generated types. */
  onlyFiles?: string[];
}

export const DEFAULT_CATALOG_SOURCES: CatalogSources = { servicesDirs: [DEFAULT_SERVICES_DIR], cityFiles: [DEFAULT_CITY_FILE] };

/**
 * `SERVICES_DIRS` and `CITY_FILES` (lists separated by the platform's path delimiter, `:` on Linux) replace the
 * committed folder and city file: a city adds its own services and departments without a code change.
 */
export function catalogSourcesFromEnv(env: NodeJS.ProcessEnv): CatalogSources {
  const list = (v: string | undefined) => (v ?? '').split(path.delimiter).filter((x) => x.trim() !== '').map((x) => path.resolve(x));
  const dirs = list(env.SERVICES_DIRS);
  const cities = list(env.CITY_FILES);
  return { servicesDirs: dirs.length ? dirs : DEFAULT_CATALOG_SOURCES.servicesDirs, cityFiles: cities.length ? cities : DEFAULT_CATALOG_SOURCES.cityFiles };
}

const cityFileSchema = z.object({
  $schema: z.string().optional(),
  city: bilingual.optional(),
  departments: z
    .array(z.object({ code: department, name: bilingual, parent: department.optional() }).strict())
    .min(1),
});

/** The departments of the city files, merged: every parent listed, no code twice, no parent cycle. */
export function loadDepartments(files: string[]): DepartmentDirectory {
  const all: DepartmentInfo[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const parsed = cityFileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((i) => `${path.basename(file)} ${i.path.join('.')}: ${i.message}`));
      continue;
    }
    for (const d of parsed.data.departments) {
      if (all.some((x) => x.code === d.code)) problems.push(`${path.basename(file)}: department ${d.code} is listed twice`);
      else all.push(d);
    }
  }
  const directory = new DepartmentDirectory(all);
  for (const d of all) {
    if (d.parent !== undefined && !directory.has(d.parent)) problems.push(`department ${d.code}: parent ${d.parent} is not listed`);
    const chain = directory.escalationChain(d.code);
    if (chain.includes(d.code)) problems.push(`department ${d.code}: its parents lead back to it`);
  }
  if (problems.length > 0) throw new InvalidServiceDefinitionError(`city departments are invalid: ${problems.join('; ')}`);
  return directory;
}

let cityDirectory: DepartmentDirectory | undefined;
/** The committed city file's departments, read once. */
function CITY_DIRECTORY(): DepartmentDirectory {
  return (cityDirectory ??= loadDepartments([DEFAULT_CITY_FILE]));
}

/**
 * The catalogue: every definition of the folders (or of one folder, the committed city's departments), each checked
 * whole; a code or a form id defined twice is refused. The departments loaded become known to `departmentName`.
 */
export function loadServiceCatalog(sources: string | CatalogSources = DEFAULT_CATALOG_SOURCES): ServiceCatalog {
  const s = typeof sources === 'string' ? { servicesDirs: [sources], cityFiles: [DEFAULT_CITY_FILE] } : sources;
  const departments = s.cityFiles.length === 1 && s.cityFiles[0] === DEFAULT_CITY_FILE ? CITY_DIRECTORY() : loadDepartments(s.cityFiles);
  const services: LoadedService[] = [];
  for (const dir of s.servicesDirs) {
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json') && (!s.onlyFiles || s.onlyFiles.includes(x))).sort()) {
      const loaded = parseServiceFile(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')), f, departments);
      const clash = services.find((x) => x.definition.code === loaded.definition.code || x.definition.form === loaded.definition.form);
      if (clash) throw new InvalidServiceDefinitionError(`service definition ${f} is invalid: code ${loaded.definition.code} or form ${loaded.definition.form} is already defined`);
      services.push(loaded);
    }
  }
  registerDepartments(departments.list());
  return new ServiceCatalog(services, departments);
}

let committed: ServiceCatalog | undefined;
/** The committed catalogue (data/services, data/city), loaded once: for tools, tests and the document's examples. */
export function committedCatalog(): ServiceCatalog {
  return (committed ??= loadServiceCatalog());
}
