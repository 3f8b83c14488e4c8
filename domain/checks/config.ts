/**
 * Checks configured by data: a review step lists the library checks it runs, each with its parameters, e.g.
 *
 *   "checks": [
 *     { "id": "D1", "type": "licence-covers-vehicle", "title": "driver {name} licence class fits the vehicles",
 *       "params": { "driver": "drivers[*].idCard", "vehicles": "vehicles[*].plate" }, "basis": "道路运输条例 art. 22" },
 *     { "id": "D2", "title": "driver {name}", "allOf": [
 *         { "type": "age-within-bounds", "params": { "person": "drivers[*].idCard", "max": 60 } },
 *         { "type": "qualification-valid", "params": { "person": "drivers[*].idCard", "qualification": "road-freight" } } ] },
 *     { "id": "C2", "type": "business-licence-active", "params": { "company": "applicant.creditCode" }, "requires": ["C1"] }
 *   ]
 *
 * `checksConfigSchema` is the shape the catalogue parses; `configuredCheckIssues` is what it refuses (an unknown type,
 * bad parameters, a path the form does not have, a title that cannot tell the findings apart), each message naming
 * the step and the check. `recordsNeeded` and `runConfiguredChecks` are what the activity does with a case's form.
 */
import { z } from 'zod';
import { CHECK_TYPES, CHECK_TYPE_NAMES, personKeyFields, runCheckType, type CheckContext, type CheckType } from './library';
import { isListPath, parseFormPath, pathProblemsInSchema, schemaAtPath, textsAt } from './paths';
import type { Finding, RecordRequest } from './records';

const part = z.strictObject({
  type: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
});

export const configuredCheckSchema = z.strictObject({
  /** Unique within the step; `requires` names it. */
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'a check id is a letter then letters, digits or -'),
  /** A library check type (see CHECK_TYPES); or `allOf` instead. */
  type: z.string().min(1).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  /** Several types over the same values, reported as one finding each (ok when all are). */
  allOf: z.array(part).min(2).optional(),
  /** The finding's name; `{field}` names a field of the addressed form entry, or a parameter. */
  title: z.string().min(1).optional(),
  /** The same name in Chinese (the workbench's default language), with the same `{field}` placeholders. */
  titleZh: z.string().min(1).optional(),
  /** Checks that must have passed for this one to run (a licence status means nothing without a registration). */
  requires: z.array(z.string()).optional(),
  /** The rule this check applies, for the report's source and the reviewer. */
  basis: z.string().min(1).optional(),
});

/** The `checks` field of a review step: the library checks it runs, in report order. */
export const checksConfigSchema = z.array(configuredCheckSchema).min(1);

export type ConfiguredCheck = z.infer<typeof configuredCheckSchema>;

export interface CheckConfigIssue {
  path: (string | number)[];
  message: string;
}

/** The parts of a configured check: its own type, or each `allOf` type, with their raw parameters. */
function partsOf(c: ConfiguredCheck): { type: string; params: Record<string, unknown>; at: (string | number)[] }[] {
  if (c.allOf) return c.allOf.map((p, i) => ({ type: p.type, params: p.params, at: ['allOf', i] }));
  return c.type ? [{ type: c.type, params: c.params ?? {}, at: [] }] : [];
}

function titleOf(c: ConfiguredCheck, type: CheckType | undefined): string {
  return c.title ?? type?.defaultTitle ?? c.id;
}

/** The fields of the form entry a path's values sit in (`{ idCard, name }` for drivers[*].idCard), when the schema says. */
function entryProperties(path: string, schema: unknown): string[] | undefined {
  if (schema === undefined) return undefined;
  const at = schemaAtPath(path, schema);
  if (!at || 'problem' in at) return undefined;
  const props = at.holder.properties;
  return typeof props === 'object' && props !== null ? Object.keys(props) : undefined;
}

/**
 * What is wrong with a step's configured checks, each message naming the step and the check: an unknown type, bad or
 * unknown parameters, a form path that does not parse or that the form (its JSON Schema, when given) does not have,
 * an `allOf` whose parts are not about the same values, a title that names the ID number or cannot tell apart the
 * findings of a list, a duplicate id, a `requires` that is not an earlier check.
 */
export function configuredCheckIssues(stepId: string, checks: readonly ConfiguredCheck[], formSchema?: unknown): CheckConfigIssue[] {
  const issues: CheckConfigIssue[] = [];
  const seen = new Set<string>();
  checks.forEach((c, i) => {
    const where = `step ${stepId}, check ${c.id}${c.type ? ` (${c.type})` : ''}`;
    const add = (path: (string | number)[], message: string) => issues.push({ path: [i, ...path], message: `${where}: ${message}` });
    if (seen.has(c.id)) add(['id'], `duplicate check id ${c.id}`);
    for (const r of c.requires ?? []) if (!seen.has(r)) add(['requires'], `requires ${r}, which is not an earlier check of this step`);
    seen.add(c.id);
    if ((c.type === undefined) === (c.allOf === undefined)) {
      add(['type'], 'give either a type (with params) or allOf (a list of types), not both or neither');
      return;
    }
    if (c.allOf && c.params) add(['params'], 'with allOf, each part carries its own params');
    const overPaths = new Set<string>();
    let placeholdersForbidden: string[] = [];
    let entryFields: string[] | undefined;
    let anyParams: Record<string, unknown> = {};
    for (const p of partsOf(c)) {
      const type = CHECK_TYPES.get(p.type);
      if (!type) {
        add([...p.at, 'type'], `unknown check type '${p.type}' (known: ${CHECK_TYPE_NAMES.join(', ')})`);
        continue;
      }
      const parsed = type.params.safeParse(p.params);
      if (!parsed.success) {
        for (const e of parsed.error.issues) {
          const at = e.path.length ? `params.${e.path.join('.')}` : 'params';
          add([...p.at, 'params', ...e.path.map((x) => (typeof x === 'symbol' ? String(x) : x))], `${at}: ${e.message} (type ${p.type})`);
        }
        continue;
      }
      const params = parsed.data as Record<string, unknown>;
      anyParams = { ...anyParams, ...params };
      for (const { param, path } of type.paths(params)) {
        const syntax = parseFormPath(path);
        if ('problem' in syntax) add([...p.at, 'params', param], `params.${param}: ${syntax.problem}`);
        else if (formSchema !== undefined) for (const problem of pathProblemsInSchema(path, formSchema)) add([...p.at, 'params', param], `params.${param}: ${problem}`);
      }
      const over = params[type.over] as string;
      overPaths.add(over);
      placeholdersForbidden = [...placeholdersForbidden, ...personKeyFields(type, params)];
      entryFields = entryProperties(over, formSchema);
    }
    if (overPaths.size > 1) add(['allOf'], `the parts read different values (${[...overPaths].join(', ')}): allOf reports one finding per value, so they must read the same`);
    const title = titleOf(c, c.type ? CHECK_TYPES.get(c.type) : undefined);
    const placeholdersOf = (text: string) => [...text.matchAll(/\{([A-Za-z_$][A-Za-z0-9_$]*)\}/g)].map((m) => m[1]!);
    const placeholders = placeholdersOf(title);
    if (c.titleZh !== undefined && placeholdersOf(c.titleZh).sort().join() !== [...placeholders].sort().join()) {
      add(['titleZh'], `titleZh names {${placeholdersOf(c.titleZh).join('}, {')}} where the title names {${placeholders.join('}, {')}}: the two must name the same fields`);
    }
    for (const ph of placeholders) {
      if (placeholdersForbidden.includes(ph)) add(['title'], `the title names {${ph}}, the ID number: a report names people by name, never by ID number`);
      else if (entryFields && !entryFields.includes(ph) && !(ph in anyParams)) add(['title'], `the title names {${ph}}, which is neither a field of the form entry (${entryFields.join(', ')}) nor a parameter`);
    }
    const listed = [...overPaths].some(isListPath);
    const fromEntry = placeholders.filter((ph) => !(ph in anyParams));
    if (listed && fromEntry.length === 0) {
      add(['title'], `it gives one finding per entry of ${[...overPaths].join(', ')}: its title must name a field of the entry, e.g. "{name}", so that the findings differ`);
    }
  });
  return issues;
}

/** Which records a step's checks read for this form: the keys (ID numbers, plates, credit codes) its paths address. */
export function recordsNeeded(checks: readonly ConfiguredCheck[], form: unknown): RecordRequest {
  const sets = { person: new Set<string>(), vehicle: new Set<string>(), company: new Set<string>(), insurance: new Set<string>() };
  for (const c of checks) {
    for (const p of partsOf(c)) {
      const type = CHECK_TYPES.get(p.type);
      if (!type) continue;
      const params = type.params.parse(p.params) as Record<string, unknown>;
      for (const { path, record } of type.paths(params)) if (record) for (const key of textsAt(form, path)) sets[record].add(key);
    }
  }
  return { people: [...sets.person], vehicles: [...sets.vehicle], companies: [...sets.company], insurance: [...sets.insurance] };
}

/** The owners of the form's vehicles that are not the applicant: the report names them (by name, from the registers). */
export function ownersToName(checks: readonly ConfiguredCheck[], form: unknown, ownerOf: (plate: string) => string | undefined): string[] {
  const owners = new Set<string>();
  for (const c of checks) {
    for (const p of partsOf(c)) {
      if (p.type !== 'vehicle-registered-to-applicant') continue;
      const params = CHECK_TYPES.get(p.type)!.params.parse(p.params) as { vehicle: string; owner: string };
      const applicant = textsAt(form, params.owner)[0];
      for (const plate of textsAt(form, params.vehicle)) {
        const owner = ownerOf(plate);
        if (owner !== undefined && owner !== applicant) owners.add(owner);
      }
    }
  }
  return [...owners];
}

/**
 * Runs a step's configured checks on a form with the records loaded for it: their findings in configuration order,
 * and the rules they come from (the report's `source`). A check whose `requires` did not all pass is left out.
 */
export function runConfiguredChecks(checks: readonly ConfiguredCheck[], ctx: CheckContext): { findings: Finding[]; source: string } {
  const findings: Finding[] = [];
  const passed = new Set<string>();
  const sources: string[] = [];
  for (const c of checks) {
    if ((c.requires ?? []).some((r) => !passed.has(r))) continue;
    const parts = partsOf(c).map((p) => {
      const type = CHECK_TYPES.get(p.type);
      if (!type) throw new RangeError(`unknown check type ${p.type}`);
      return { type, params: type.params.parse(p.params) as Record<string, unknown> };
    });
    const title = titleOf(c, parts.length === 1 ? parts[0]!.type : undefined);
    const results = parts.map((p) => runCheckType(p.type, p.params, title, ctx, c.titleZh));
    const own = results.length === 1 ? results[0]! : mergeParts(results);
    findings.push(...own);
    if (own.every((f) => f.ok)) passed.add(c.id);
    const basis = c.basis ?? parts.map((p) => p.type.source).join('; ');
    if (!sources.includes(basis)) sources.push(basis);
  }
  return { findings, source: sources.join('; ') };
}

/** `allOf`: the parts' findings about the same value become one, ok when all are, with every distinct detail. */
function mergeParts(results: Finding[][]): Finding[] {
  const first = results[0] ?? [];
  return first.map((f, i) => {
    const same = results.map((r) => r[i]).filter((x): x is Finding => x !== undefined);
    const details = [...new Set(same.map((x) => x.detail))];
    return { check: f.check, ...(f.checkZh !== undefined ? { checkZh: f.checkZh } : {}), ok: same.every((x) => x.ok), detail: details.join('; ') };
  });
}


/**
 * What the catalogue refuses in a review step's automatic check, paths relative to the step: configured checks on a
 * human step, a `check` that names neither a code check nor the step's configured checks, and every issue of
 * `configuredCheckIssues` (checked against the form's JSON Schema when the definition carries one).
 */
export function stepCheckIssues(
  step: { id: string; kind: string; check?: string | undefined; checks?: readonly ConfiguredCheck[] | undefined },
  codeChecks: readonly string[],
  formSchema?: unknown,
): CheckConfigIssue[] {
  const issues: CheckConfigIssue[] = [];
  if (step.checks && step.kind === 'human') issues.push({ path: ['checks'], message: `step ${step.id}: a human step runs no checks` });
  if (step.check !== undefined && !step.checks && !codeChecks.includes(step.check)) {
    issues.push({
      path: ['check'],
      message: `step ${step.id}: check '${step.check}' is not a code check (${codeChecks.join(', ')}); a step that runs library checks lists them under "checks"`,
    });
  }
  if (step.checks && step.check !== undefined && codeChecks.includes(step.check)) {
    issues.push({ path: ['check'], message: `step ${step.id}: '${step.check}' is a code check; a step runs either a code check or library checks, so name its checks otherwise` });
  }
  if (step.checks) for (const i of configuredCheckIssues(step.id, step.checks, formSchema)) issues.push({ path: ['checks', ...i.path], message: i.message });
  return issues;
}

/**
 * The JSON Schema of a step's `checks` (draft 2020-12), from the same zod schemas the catalogue uses: one branch per
 * check type with its own parameters, so an editor validates a definition as it is typed. Committed as
 * data/schema/checks.schema.json (the definition schema refers to it); a unit test keeps the two equal.
 */
export function checksJsonSchema(): Record<string, unknown> {
  const params = (t: CheckType) => {
    const { $schema: _drop, ...schema } = z.toJSONSchema(t.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    return schema;
  };
  const common = {
    id: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9-]*$', description: 'Unique in the step; `requires` names it.' },
    title: { type: 'string', minLength: 1, description: "The finding's name; {field} names a field of the form entry or a parameter." },
    titleZh: { type: 'string', minLength: 1, description: 'The same name in Chinese, with the same {field} placeholders (the workbench shows it in Chinese).' },
    requires: { type: 'array', items: { type: 'string' }, description: 'Earlier checks that must all have passed for this one to run.' },
    basis: { type: 'string', minLength: 1, description: 'The rule the check applies (the report shows it as its source).' },
  };
  const types = [...CHECK_TYPES.values()];
  const single = types.map((t) => ({
    type: 'object',
    description: t.compares,
    required: ['id', 'type', 'params'],
    additionalProperties: false,
    properties: { ...common, type: { const: t.type }, params: params(t) },
  }));
  const part = types.map((t) => ({
    type: 'object',
    required: ['type', 'params'],
    additionalProperties: false,
    properties: { type: { const: t.type }, params: params(t) },
  }));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'checks.schema.json',
    title: "A review step's library checks (docs/checks.md)",
    type: 'array',
    minItems: 1,
    items: {
      oneOf: [
        ...single,
        {
          type: 'object',
          description: 'Several types over the same values, one finding per value (ok when every part is).',
          required: ['id', 'allOf'],
          additionalProperties: false,
          properties: { ...common, allOf: { type: 'array', minItems: 2, items: { oneOf: part } } },
        },
      ],
    },
  };
}
