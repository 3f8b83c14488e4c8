/**
 * A service's form as data: the definition file's `formSchema` (JSON Schema 2020-12) and `formRules`, compiled once
 * when the catalogue loads into a validator (the API wraps it as a zod schema: api/schemas/forms.ts `formSchemaOf`).
 *
 * Why ajv, not a JSON Schema -> zod converter: ajv (with ajv-formats) implements the whole 2020-12 vocabulary a form
 * needs — `if`/`then`/`else`, `dependentRequired`, `$defs`/`$ref`, `const`, exact date and date-time formats — and takes
 * the platform's own formats (`credit-code`, `id-card`, `plate`) as functions, with their check characters
 * (domain/identifiers.ts). zod 4.6's `z.fromJSONSchema` is marked experimental, throws on `if`/`then`/`else` and
 * `dependentRequired`, and silently ignores unknown formats, so a check character would not be checked. The API's zod
 * schema (api/schemas/forms.ts) reports each ajv error as a zod issue at its field path (so the API's 400 names `body.form.vehicle.plate`), and
 * the OpenAPI document gets the JSON Schema itself, translated to OpenAPI 3.0 (api/schemas/forms.ts), under one name
 * per service.
 *
 * Conventions (docs/adding-a-service.md): every object of the form is closed (a field the schema does not list is
 * refused, by name); every property carries `x-title: { zh, en }` so pages can label it; units are in field names
 * (`...Mm`, `...Kg`); `x-messages: { <keyword>: <message> }` replaces the generic message of a keyword at that node.
 * Comparisons between fields that JSON Schema cannot say (a sum, a count, "after") are `formRules`: data, evaluated
 * here, never code per service.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { shanghaiDate } from '../../domain/calendar';
import { isBirthDateAfter, isValidCreditCode, isValidIdCardNumber, isValidPlate } from '../../domain/identifiers';

export type JsonSchema = { [keyword: string]: unknown };

/** A problem with a submitted form: where (path into the form) and what. */
export interface FormIssue {
  path: (string | number)[];
  message: string;
}

/**
 * The platform's string formats. A format is a pure function of the string except `id-card`, which also refuses a
 * birth date after today (Asia/Shanghai) when the form is checked: nobody applies with the number of someone unborn.
 */
export const PLATFORM_FORMATS: Record<string, { validate: (s: string) => boolean; message: (s: string) => string }> = {
  'credit-code': {
    validate: isValidCreditCode,
    message: () => 'not a valid unified social credit code (18 characters, GB 32100-2015 check character)',
  },
  'id-card': {
    validate: (s) => isValidIdCardNumber(s) && !isBirthDateAfter(s, shanghaiDate(Date.now())),
    message: (s) =>
      isValidIdCardNumber(s)
        ? 'the birth date in this identity card number is in the future'
        : 'not a valid resident identity card number (18 characters, GB 11643-1999 check digit, born 1900 or later)',
  },
  plate: {
    validate: isValidPlate,
    message: () => 'not a valid plate number (e.g. 鲁H12345, new-energy 鲁HD12345)',
  },
};

/** Annotation keywords a form schema may carry besides JSON Schema's own: labels and messages for people. */
export const FORM_ANNOTATIONS = ['x-title', 'x-messages', 'x-enumTitles'] as const;

/** Messages for the standard formats, in the words the API used before forms were data. */
const STANDARD_FORMAT_MESSAGES: Record<string, string> = {
  date: 'a calendar date, YYYY-MM-DD',
  'date-time': 'an ISO 8601 date-time with offset, e.g. 2026-03-02T22:00:00+08:00',
};

/** One ajv for every form: formats and annotation keywords registered once. */
function makeAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false });
  addFormats(ajv, ['date', 'date-time', 'time', 'email', 'uri']);
  for (const [name, f] of Object.entries(PLATFORM_FORMATS)) ajv.addFormat(name, { type: 'string', validate: f.validate });
  ajv.addVocabulary([...FORM_ANNOTATIONS]);
  return ajv;
}
let sharedAjv: Ajv2020 | undefined;
const ajv = (): Ajv2020 => (sharedAjv ??= makeAjv());

// ---- Cross-field rules ----

/** A field's value, or that value times a factor (2 tyres per axle: `{ "field": "vehicle.axles", "times": 2 }`). */
export type FormRuleTerm = number | { field: string; times?: number };

/**
 * A comparison JSON Schema cannot say: `field` (or its number of items, with `count`) against the sum of `compareTo`.
 * Numbers compare as numbers; ISO date-times (a single field term) as instants. A rule whose values are missing or not
 * comparable is skipped: the schema reports those.
 */
export interface FormRule {
  field: string;
  count?: boolean;
  op: '>=' | '>' | '<=' | '<' | '==';
  compareTo: FormRuleTerm[];
  /** What is wrong when the rule fails, in the applicant's terms; the values compared are appended. */
  message?: string;
}

const OP_WORDS: Record<FormRule['op'], string> = { '>=': 'at least', '>': 'more than', '<=': 'at most', '<': 'less than', '==': 'equal to' };

const getPath = (obj: unknown, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), obj);

/** A number, or an ISO date-time as epoch ms (only where the term is a bare field). */
function comparable(v: unknown, allowInstant: boolean): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (allowInstant && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

const show = (n: number) => n.toLocaleString('en-US');

/** The rules' failures on a form that already passed its schema. */
export function evaluateFormRules(rules: readonly FormRule[], form: unknown): FormIssue[] {
  const issues: FormIssue[] = [];
  for (const rule of rules) {
    const raw = getPath(form, rule.field);
    const single = rule.compareTo.length === 1 && typeof rule.compareTo[0] === 'object' && rule.compareTo[0].times === undefined;
    const left = rule.count ? (Array.isArray(raw) ? raw.length : undefined) : comparable(raw, single);
    if (left === undefined) continue;
    let right = 0;
    let ok = true;
    for (const t of rule.compareTo) {
      const v = typeof t === 'number' ? t : comparable(getPath(form, t.field), single);
      if (v === undefined) ok = false;
      else right += typeof t === 'number' ? v : v * (t.times ?? 1);
    }
    if (!ok) continue;
    const holds = { '>=': left >= right, '>': left > right, '<=': left <= right, '<': left < right, '==': left === right }[rule.op];
    if (holds) continue;
    const what = rule.compareTo.map((t) => (typeof t === 'number' ? show(t) : t.times ? `${t.times} × ${t.field}` : t.field)).join(' + ');
    const values = single && !rule.count && typeof raw === 'string'
      ? `${String(raw)} vs ${String(getPath(form, (rule.compareTo[0] as { field: string }).field))}`
      : `${show(left)}${rule.count ? ' items' : ''} vs ${show(right)}`;
    const base = rule.message ?? `must be ${OP_WORDS[rule.op]} ${what}`;
    issues.push({ path: rule.field.split('.'), message: `${base} (${values})` });
  }
  return issues;
}

// ---- Compilation ----

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The schema with every structural object closed (`additionalProperties: false` where it says nothing): the root, the
 * properties, array items and `$defs`. Conditions (`if`, `not`, `anyOf`, ...) are left open, or they could never match
 * an object with more fields than they name.
 */
export function closeObjects(schema: JsonSchema): JsonSchema {
  const close = (node: unknown): unknown => {
    if (!isObject(node)) return node;
    const out: JsonSchema = { ...node };
    if (isObject(out.properties)) {
      out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, close(v)]));
      if (!('additionalProperties' in out)) out.additionalProperties = false;
    }
    if (out.items !== undefined) out.items = close(out.items);
    if (Array.isArray(out.prefixItems)) out.prefixItems = out.prefixItems.map(close);
    if (isObject(out.$defs)) out.$defs = Object.fromEntries(Object.entries(out.$defs).map(([k, v]) => [k, close(v)]));
    return out;
  };
  return close(schema) as JsonSchema;
}

const decodePointer = (p: string): string[] => (p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));

/** One ajv error as a field issue, or undefined for the ones that only repeat another (a failed `if`, a union's branches). */
function issueOf(e: ErrorObject): FormIssue | undefined {
  if (e.keyword === 'if') return undefined; // its `then`/`else` errors name the fields
  if (/\/(anyOf|oneOf)\/\d+\//.test(e.schemaPath)) return undefined; // the union's own error says it once
  const path: (string | number)[] = decodePointer(e.instancePath).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const params = e.params as { missingProperty?: string; additionalProperty?: string; format?: string };
  if (params.missingProperty !== undefined) return { path: [...path, params.missingProperty], message: 'required' };
  if (params.additionalProperty !== undefined) return { path: [...path, params.additionalProperty], message: 'not a field of this form' };
  const custom = isObject(e.parentSchema) && isObject(e.parentSchema['x-messages']) ? e.parentSchema['x-messages'][e.keyword] : undefined;
  if (typeof custom === 'string') return { path, message: custom };
  if (e.keyword === 'format' && params.format) {
    const platform = PLATFORM_FORMATS[params.format];
    if (platform) return { path, message: platform.message(String(e.data)) };
    const standard = STANDARD_FORMAT_MESSAGES[params.format];
    if (standard) return { path, message: standard };
  }
  return { path, message: e.message ?? `fails ${e.keyword}` };
}

export interface CompiledForm {
  /** The form's id (the definition's `form`). */
  id: string;
  /** The schema as checked: the definition's, objects closed. */
  jsonSchema: JsonSchema;
  rules: readonly FormRule[];
  /** Every problem of a submitted form (schema first; the rules only once the schema passes); empty when it is valid. */
  issues(form: unknown): FormIssue[];
}

export class InvalidFormSchemaError extends Error {}

/** Compiles a form (throws InvalidFormSchemaError naming `source` when the schema is not valid JSON Schema). */
export function compileForm(id: string, formSchema: JsonSchema, rules: readonly FormRule[], source: string): CompiledForm {
  const jsonSchema = closeObjects(formSchema);
  let validate: ValidateFunction;
  try {
    validate = ajv().compile(jsonSchema);
  } catch (err) {
    throw new InvalidFormSchemaError(`${source}: formSchema is not a valid form schema: ${(err as Error).message}`);
  }
  const issues = (form: unknown): FormIssue[] => {
    if (!isObject(form)) return [{ path: [], message: "expected an object: the service's form" }];
    if (!validate(form)) {
      const seen = new Set<string>();
      const out: FormIssue[] = [];
      for (const e of validate.errors ?? []) {
        const i = issueOf(e);
        const key = i && `${i.path.join('.')}\u0000${i.message}`;
        if (i && key && !seen.has(key)) {
          seen.add(key);
          out.push(i);
        }
      }
      return out;
    }
    return evaluateFormRules(rules, form);
  };
  return { id, jsonSchema, rules, issues };
}

/** A condition on a form (a `materialsWhen` entry's `when`), compiled: true when the form matches. */
export function compileCondition(schema: JsonSchema, source: string): (form: unknown) => boolean {
  try {
    const fn = ajv().compile(schema);
    return (form) => fn(form) === true;
  } catch (err) {
    throw new InvalidFormSchemaError(`${source}: a materialsWhen condition is not valid JSON Schema: ${(err as Error).message}`);
  }
}
