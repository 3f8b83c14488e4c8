/**
 * The OpenAPI document against the API's own checks: every example in it passes the schema that validates that very
 * input (or describes that very answer), and every status code the API can answer is documented with the error
 * schema. Built from createApp's route table; no database or Temporal is touched while building.
 */
import { loadServiceCatalog } from '../../infra/services/catalog';
import { offlineApp } from '../../scripts/openapi';
import { getOpenApiMetadata } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { createApp } from '../../api/app';
import { EXAMPLES } from '../../api/schemas/examples';
import { caseSubmissionSchema, FORM_SCHEMAS } from '../../api/schemas/forms';
import type { DeclaredRoute } from '../../api/http/route';

const { openapi, routes } = offlineApp();
const catalog = loadServiceCatalog();

type Def = { type: string; innerType?: ZodType; in?: ZodType; out?: ZodType; element?: ZodType; shape?: Record<string, ZodType>; options?: ZodType[]; valueType?: ZodType; left?: ZodType; right?: ZodType; items?: ZodType[] };
const defOf = (s: ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Every (schema node, example) pair in a zod tree, with the path that leads to it. */
function examplesIn(schema: ZodType, path: string, out: { path: string; schema: ZodType; example: unknown }[] = [], seen = new Set<ZodType>()) {
  if (seen.has(schema)) return out;
  seen.add(schema);
  const meta = getOpenApiMetadata(schema);
  if (meta?.example !== undefined) out.push({ path, schema, example: meta.example });
  for (const e of (meta?.examples as unknown[] | undefined) ?? []) out.push({ path, schema, example: e });
  const d = defOf(schema);
  const children: [string, ZodType | undefined][] = [
    ['', d.innerType],
    ['', d.in],
    ['', d.out],
    ['[]', d.element],
    ['{}', d.valueType],
    ['', d.left],
    ['', d.right],
    ...Object.entries(d.shape ?? {}).map(([k, v]) => [`.${k}`, v] as [string, ZodType]),
    ...(d.options ?? []).map((o, i) => [`|${i}`, o] as [string, ZodType]),
    ...(d.items ?? []).map((o, i) => [`[${i}]`, o] as [string, ZodType]),
  ];
  for (const [suffix, child] of children) if (child) examplesIn(child, path + suffix, out, seen);
  return out;
}

function requestExamples(r: DeclaredRoute) {
  const where = `${r.method.toUpperCase()} ${r.path}`;
  return [
    ...(r.params ? examplesIn(r.params, `${where} params`) : []),
    ...(r.query ? examplesIn(r.query, `${where} query`) : []),
    ...(r.body ? examplesIn(r.body, `${where} body`) : []),
  ];
}

describe('OpenAPI examples pass the API’s own validation', () => {
  const all = [...routes.flatMap(requestExamples), ...Object.entries(FORM_SCHEMAS).flatMap(([kind, schema]) => examplesIn(schema, `form ${kind}`))];
  // One check per (place, example): a wrapper (optional, default) reports its inner schema's example again.
  const unique = new Map(all.map((e) => [`${e.path} ${JSON.stringify(e.example)}`, e]));
  const requestCases = [...unique.values()].map((e) => [e.path, e] as const);
  it('the document has request examples to check', () => {
    expect(requestCases.length).toBeGreaterThan(3);
  });

  it.each(requestCases)('%s', (_path, e) => {
    // Query and path values arrive as text: an example must also pass in its string form when it is a scalar.
    const r = e.schema.safeParse(e.example);
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  });

  it.each(Object.keys(EXAMPLES))('the %s submission example passes the envelope and its service’s form schema', (code) => {
    const example = EXAMPLES[code]!();
    const kind = catalog.get(code)!.form;
    expect(caseSubmissionSchema.safeParse(example).success).toBe(true);
    const r = FORM_SCHEMAS[kind]!.safeParse(example.form);
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  });

  const responseCases = routes.flatMap((r) =>
    Object.entries(r.responses).flatMap(([code, resp]) =>
      Object.entries(resp.content ?? {}).flatMap(([type, media]) => {
        const m = media as { schema?: ZodType; example?: unknown };
        return m.example !== undefined && m.schema && typeof (m.schema as { safeParse?: unknown }).safeParse === 'function'
          ? [[`${r.method.toUpperCase()} ${r.path} ${code} ${type}`, m.schema, m.example] as const]
          : [];
      }),
    ),
  );
  it.each(responseCases)('response example %s', (_what, schema, example) => {
    const r = schema.safeParse(example);
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  });
});

describe('every status code the API can answer is documented with the error schema', () => {
  type Op = { responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>; requestBody?: unknown };
  const paths = openapi.paths as Record<string, Record<string, Op>>;
  const ops = Object.entries(paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => [`${m.toUpperCase()} ${p}`, op] as const));

  it.each(ops)('%s', (_what, op) => {
    const codes = Object.keys(op.responses);
    for (const c of ['400', '404', '405', '429', '500', '503']) expect(codes).toContain(c);
    if (op.requestBody) expect(codes).toContain('413');
    for (const c of codes.filter((x) => Number(x) >= 400)) {
      expect(op.responses[c]!.content?.['application/json']?.schema?.$ref).toBe('#/components/schemas/Error');
    }
  });
});
