/**
 * The OpenAPI components of the catalogue's forms, built from each definition's JSON Schema:
 *
 * - `<Form>Form` (e.g. SchoolBusForm): what a portal submits, the service's compiled zod schema with the form schema
 *   translated to OpenAPI 3.0 (formats such as `credit-code`, `id-card`, `plate` kept; `x-title` labels kept).
 * - `<Form>Application` and `<Form>CaseForm`: the form as the views show it (values may be masked, so no format,
 *   pattern or bound; the shape and the labels stay), the case form with its scenario answers and materials.
 * - `ServiceForm`, `ApplicationForm`, `CaseForm`: one of the above, per service (placeholders in the route schemas).
 *
 * createApp merges them into the document it generates, so a service added as data appears in the document with no
 * code change.
 */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import type { ServiceCatalog } from '../../infra/services/catalog';
import type { JsonSchema } from '../../infra/services/form-schema';
import { z } from './zod';
import { formSchemaOf, formStem } from './forms';
import { materialReference, purgedForm, submittedExtras } from './responses';

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keywords OpenAPI 3.0 has no room for; the cross-field ones are listed in the description instead. */
const DROPPED = new Set(['$schema', '$id', '$defs', '$comment', 'if', 'then', 'else', 'dependentRequired', 'dependentSchemas', 'x-messages', 'examples']);
/** What a view drops: values on a view may be masked (`3708**********1234`), so only the shape and labels stay. */
const VALUE_CONSTRAINTS = ['format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems', 'multipleOf'];

/** A form's JSON Schema (2020-12) as an OpenAPI 3.0 schema object: `$ref`s to `$defs` inlined, `const` as an enum. */
export function openApiSchemaOf(root: JsonSchema, opts: { view?: boolean } = {}): JsonSchema {
  const defs = (root.$defs ?? {}) as Record<string, JsonSchema>;
  const convert = (node: unknown, depth: number): unknown => {
    if (!isObject(node)) return node;
    if (depth > 32) throw new Error('form schema nests too deep (a $ref cycle?)');
    let n: JsonSchema = node;
    if (typeof n.$ref === 'string' && n.$ref.startsWith('#/$defs/')) {
      const { $ref, ...siblings } = n;
      n = { ...(defs[$ref.slice(8)] ?? {}), ...siblings };
    }
    const out: JsonSchema = {};
    const rules: string[] = [];
    for (const [k, v] of Object.entries(n)) {
      if (k === 'if' || k === 'dependentRequired' || k === 'dependentSchemas') rules.push(k);
      if (DROPPED.has(k) || (opts.view && VALUE_CONSTRAINTS.includes(k))) continue;
      if (k === 'properties' && isObject(v)) out.properties = Object.fromEntries(Object.entries(v).map(([p, c]) => [p, convert(c, depth + 1)]));
      else if (['items', 'not'].includes(k) || (k === 'additionalProperties' && isObject(v))) out[k] = convert(v, depth + 1);
      else if (['allOf', 'anyOf', 'oneOf'].includes(k) && Array.isArray(v)) out[k] = v.map((c) => convert(c, depth + 1));
      else if (k === 'const') out.enum = [v];
      else if (k === 'exclusiveMinimum' || k === 'exclusiveMaximum') {
        // 2020-12's number is 3.0's bound with a boolean flag.
        out[k === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = v;
        out[k] = true;
      } else out[k] = v;
    }
    if (rules.length > 0) {
      const note = `Cross-field rules (${rules.join(', ')}) of the service's formSchema apply (GET /services/{code}).`;
      out.description = typeof out.description === 'string' ? `${out.description} ${note}` : note;
    }
    // A view has every field as the form had it, closed; additionalProperties false is implied by the response check.
    if (opts.view && out.additionalProperties === false) delete out.additionalProperties;
    return out;
  };
  return convert(root, 0) as JsonSchema;
}

/** Every form component of the catalogue, by name (see the module comment). */
export function formComponents(catalog: ServiceCatalog): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const forms: string[] = [];
  const applications: string[] = [];
  const caseForms: string[] = [];
  const extras = z.object(submittedExtras).openapi('SubmittedExtras');
  registry.register('MaterialReference', materialReference);
  registry.register('PurgedForm', purgedForm);
  registry.register('SubmittedExtras', extras);
  for (const def of catalog.list()) {
    const compiled = catalog.form(def.code)!;
    const stem = formStem(def.form);
    const request = openApiSchemaOf(compiled.jsonSchema);
    const description = `The ${def.name.en} form (${def.name.zh}, service ${def.code}).`;
    registry.register(`${stem}Form`, formSchemaOf(compiled).openapi(`${stem}Form`, { ...request, description } as never));
    registry.registerComponent('schemas', `${stem}Application`, { ...openApiSchemaOf(compiled.jsonSchema, { view: true }), description } as never);
    forms.push(`${stem}Form`);
    applications.push(`${stem}Application`);
    caseForms.push(`${stem}CaseForm`);
  }
  const generated = new OpenApiGeneratorV3(registry.definitions).generateComponents().components?.schemas as Record<string, JsonSchema>;
  const extrasSchema = generated.SubmittedExtras!;
  const out: Record<string, unknown> = {};
  for (const def of catalog.list()) {
    const stem = formStem(def.form);
    out[`${stem}Form`] = generated[`${stem}Form`];
    const view = generated[`${stem}Application`]!;
    out[`${stem}Application`] = view;
    out[`${stem}CaseForm`] = {
      ...view,
      properties: { ...(view.properties as JsonSchema), ...(extrasSchema.properties as JsonSchema) },
      required: [...((view.required as string[] | undefined) ?? []), ...((extrasSchema.required as string[] | undefined) ?? [])],
    };
  }
  out.ServiceForm = { anyOf: forms.map(ref), description: "The service's form, chosen by `serviceCode`: one of the catalogue's forms" };
  out.ApplicationForm = { anyOf: applications.map(ref) };
  out.CaseForm = {
    anyOf: [...caseForms.map(ref), ref('PurgedForm')],
    description:
      "The submitted application with its scenario answers and materials, or the purge marker. In clear for the data subject and the deciding reviewers; for a portal that does not assert the applicant, ID numbers, phones, persons' names and school-bus stops and times are masked.",
  };
  out.PurgedForm = generated.PurgedForm;
  return out;
}
