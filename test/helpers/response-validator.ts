/**
 * Every response an API test receives, checked against the OpenAPI document the API serves: the operation for
 * (method, path template) must document the status, and a JSON body must match that status's schema. Objects are
 * checked closed (a field the document does not list is a violation), so "documents every field" is tested, not only
 * "has the right types".
 *
 * The document is OpenAPI 3.0; ajv validates JSON Schema. The conversion handles what the generator emits:
 * `nullable` (with a type, or alone as the "or null" member of an anyOf), boolean `exclusiveMinimum`/`exclusiveMaximum`,
 * and `$ref`s into `#/components/schemas`. Not checked: the codec endpoint (Temporal's remote codec protocol, not part
 * of the document) and anything outside the API's base path.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { PLATFORM_FORMATS } from '../../infra/services/form-schema';

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** OpenAPI 3.0 schema → JSON Schema (draft-07), objects closed. */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const s: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'example' || k === 'examples' || k === 'nullable' || k === 'description') continue;
    if (k === 'properties' && isObject(v)) s.properties = Object.fromEntries(Object.entries(v).map(([name, child]) => [name, toJsonSchema(child)]));
    else s[k] = toJsonSchema(v);
  }
  for (const bound of ['Minimum', 'Maximum'] as const) {
    const flag = node[`exclusive${bound}`];
    if (typeof flag === 'boolean') {
      delete s[`exclusive${bound}`];
      if (flag) {
        s[`exclusive${bound}`] = node[bound.toLowerCase()];
        delete s[bound.toLowerCase()];
      }
    }
  }
  // An object that lists its properties is closed unless it says otherwise.
  if (isObject(s.properties) && !('additionalProperties' in s) && !('allOf' in s)) s.additionalProperties = false;
  if (node.nullable === true) {
    const constraining = Object.keys(s).length > 0;
    if (!constraining) return { type: 'null' }; // `{ nullable: true }` alone: the generator's "or null"
    if (typeof s.type === 'string' && !('$ref' in s) && !('anyOf' in s) && !('oneOf' in s) && !('allOf' in s)) {
      s.type = [s.type, 'null'];
      if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...s.enum, null];
      return s;
    }
    return { anyOf: [s, { type: 'null' }] };
  }
  // `allOf: [$ref, { nullable: true }]`: the generator's nullable reference.
  if (Array.isArray(s.allOf) && s.allOf.some((m) => isObject(m) && m.type === 'null')) {
    const rest = s.allOf.filter((m) => !(isObject(m) && m.type === 'null'));
    const { allOf: _allOf, ...others } = s;
    return { anyOf: [rest.length === 1 ? rest[0] : { allOf: rest }, { type: 'null' }], ...others };
  }
  return s;
}

type Operation = { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };

export interface ResponseValidator {
  /** Violations of one response; empty when it conforms. */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown, rawText: string): string[];
}

export function responseValidator(openapi: Record<string, unknown>, basePath = '/api/v1', skipPrefixes = ['/api/v1/codec']): ResponseValidator {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // The platform's identifier formats of the forms (credit-code, id-card, plate), checked as the API checks them.
  for (const [name, f] of Object.entries(PLATFORM_FORMATS)) ajv.addFormat(name, { type: 'string', validate: f.validate });
  const components = (openapi.components as { schemas?: Record<string, unknown> } | undefined)?.schemas ?? {};
  ajv.addSchema({ $id: 'openapi', components: { schemas: toJsonSchema(components) } });
  const compiled = new Map<unknown, ValidateFunction>();
  const validatorFor = (schema: unknown): ValidateFunction => {
    let v = compiled.get(schema);
    if (!v) {
      // Local refs point into the document added above.
      const rebased = JSON.parse(JSON.stringify(toJsonSchema(schema)).replaceAll('"#/components/', '"openapi#/components/'));
      v = ajv.compile(rebased);
      compiled.set(schema, v);
    }
    return v;
  };
  const errorSchema = { $ref: '#/components/schemas/Error' };

  const paths = Object.entries((openapi.paths ?? {}) as Record<string, Record<string, Operation>>).map(([template, ops]) => {
    const names = template.match(/\{[^}]+\}/g) ?? [];
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
    return { template, ops, pattern, params: names.length };
  });
  // Fixed segments win over parameters (`/certificates/public-key` before `/certificates/{no}`), as in the router.
  paths.sort((a, b) => a.params - b.params);

  const validate = (schema: unknown, body: unknown, where: string): string[] => {
    const v = validatorFor(schema);
    if (v(body)) return [];
    return (v.errors ?? []).slice(0, 10).map((e) => `${where}: body${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
  };

  return {
    check(method, url, status, contentType, body, rawText) {
      const path = new URL(url).pathname.replace(/\/+$/, '') || '/';
      const m = method.toLowerCase();
      if (!path.startsWith(basePath) || skipPrefixes.some((p) => path.startsWith(p)) || m === 'head' || m === 'options') return [];
      if (path === `${basePath}/openapi.json`) return [];
      const where = `${method.toUpperCase()} ${path} → ${status}`;
      const isJson = !!contentType && /application\/json/.test(contentType);
      const found = paths.find((p) => p.pattern.test(path));
      const op = found?.ops[m];
      if (!op) {
        // No such route or method: the router's 404/405 (or a limit that ran first), with the error body.
        if (status < 400) return [`${where}: answered ${status} for an operation the document does not have`];
        return isJson ? validate(errorSchema, body, where) : [`${where}: an error without a JSON body`];
      }
      const documented = op.responses[String(status)];
      if (!documented) return [`${where}: status ${status} is not documented for ${m.toUpperCase()} ${found!.template} (documented: ${Object.keys(op.responses).join(', ')})`];
      const content = documented.content ?? {};
      const types = Object.keys(content);
      if (types.length === 0) return rawText.length === 0 ? [] : [`${where}: a body where the document says there is none`];
      if (isJson && content['application/json']?.schema) return validate(content['application/json'].schema, body, where);
      const media = contentType?.split(';')[0]?.trim() ?? '';
      return types.includes(media) ? [] : [`${where}: content type ${media || '(none)'} is not documented (${types.join(', ')})`];
    },
  };
}
