/**
 * The OpenAPI document describes every value: no open objects (an object with no properties whose additional
 * properties are anything) and no "any" schemas (`{}`, or only `nullable`), in components, request bodies, parameters
 * and responses alike. A client generated from the document (openapi-typescript) would type those as `unknown`.
 * Every JSON 2xx response of every route also names a schema. And the check every API test runs on every response
 * (test/helpers/response-validator.ts) is shown to refuse what it must.
 */
import { offlineApp } from '../../scripts/openapi';
import { responseValidator } from '../helpers/response-validator';

const { openapi } = offlineApp();

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Keywords that say something about the value itself; a schema with none of them accepts anything. */
const CONSTRAINING = ['type', '$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'enum', 'properties', 'items', 'additionalProperties'];
const isAny = (s: unknown): boolean => s === true || (isObject(s) && !CONSTRAINING.some((k) => k in s));

/**
 * Problems of one schema node (not of its children). `member`: the node is an entry of anyOf/oneOf/allOf, where
 * `{ nullable: true }` alone is how an OpenAPI 3.0 document generated from zod says "or null" (`z.null()`, or a nullable
 * `$ref`): that one is not an "any".
 */
function problemsOf(s: Schema, member: boolean): string[] {
  const out: string[] = [];
  const nullMarker = member && s.nullable === true && Object.keys(s).every((k) => k === 'nullable' || k === 'description');
  if (isAny(s) && !nullMarker) out.push('accepts any value ({} or only nullable/description)');
  const objectLike = s.type === 'object' || (s.type === undefined && ('properties' in s || 'additionalProperties' in s));
  if (objectLike && !('anyOf' in s || 'oneOf' in s || 'allOf' in s)) {
    const hasProperties = isObject(s.properties) && Object.keys(s.properties).length > 0;
    const ap = s.additionalProperties;
    const closedAp = ap === false || (isObject(ap) && !isAny(ap));
    if (!hasProperties && !closedAp) out.push('an open object: no properties and no closed additionalProperties schema');
    if (hasProperties && (ap === true || (isObject(ap) && isAny(ap)))) out.push('properties plus additional properties of any value');
  }
  return out;
}

type Role = 'none' | 'schema' | 'member';
const COMBINERS = ['anyOf', 'oneOf', 'allOf'];

/** Every schema node of the document: where it is and what is wrong with it. */
function walk(node: unknown, path: string, out: [string, string][], role: Role): void {
  if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`, out, role));
  if (!isObject(node)) return;
  const inSchema = role !== 'none';
  if (inSchema) for (const p of problemsOf(node, role === 'member')) out.push([path, p]);
  for (const [k, v] of Object.entries(node)) {
    if (k === 'example' || k === 'examples') continue;
    if (inSchema && k === 'properties' && isObject(v)) {
      for (const [name, child] of Object.entries(v)) walk(child, `${path}/properties/${name}`, out, 'schema');
      continue;
    }
    // Schema positions: `schema` of media types and parameters, every component schema, and the children of a schema.
    let child: Role = 'none';
    if (k === 'schema' || path === '/components/schemas') child = 'schema';
    else if (inSchema && ['items', 'additionalProperties', 'not'].includes(k)) child = 'schema';
    else if (inSchema && COMBINERS.includes(k)) child = 'member';
    walk(v, `${path}/${k}`, out, child);
  }
}

describe('the OpenAPI document has no open schemas', () => {
  it('finds open objects in a schema written to have them (the check itself works)', () => {
    const out: [string, string][] = [];
    walk({ schema: { type: 'object', properties: { a: { type: 'object', properties: {}, additionalProperties: { nullable: true } }, b: {} } } }, '', out, 'none');
    expect(out.map(([p]) => p)).toEqual(['/schema/properties/a', '/schema/properties/a/additionalProperties', '/schema/properties/b']);
    const closed: [string, string][] = [];
    walk({ schema: { type: 'object', additionalProperties: { $ref: '#/components/schemas/JsonValue' } } }, '', closed, 'none');
    expect(closed).toEqual([]);
  });

  it('no schema in the document is an open object or accepts any value', () => {
    const out: [string, string][] = [];
    walk(openapi, '', out, 'none');
    expect(out.map(([p, why]) => `${p}: ${why}`)).toEqual([]);
  });

  it('every JSON success response names a schema', () => {
    const missing: string[] = [];
    for (const [p, methods] of Object.entries(openapi.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>)) {
      for (const [m, op] of Object.entries(methods)) {
        for (const [code, r] of Object.entries(op.responses)) {
          if (Number(code) >= 300) continue;
          for (const [type, media] of Object.entries(r.content ?? {})) if (type === 'application/json' && !isObject(media.schema)) missing.push(`${m} ${p} ${code}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('the response check the API tests run (test/helpers/response-validator.ts) catches what it must', () => {
  const v = responseValidator(openapi);
  const url = (p: string) => `http://127.0.0.1:1/api/v1${p}`;
  const JSON_TYPE = 'application/json; charset=utf-8';
  const receipt = { caseNo: 'JN-SCHOOLBUS-20261126-000042', status: 'in_review', deadline: '2026-12-03T23:59:59+08:00', deadlineProvisional: false };

  it('accepts a conforming body, with and without an optional field', () => {
    expect(v.check('POST', url('/cases'), 201, JSON_TYPE, { ...receipt, accessCode: 'K7MQ2XH9PD' }, '{}')).toEqual([]);
    expect(v.check('POST', url('/cases'), 200, JSON_TYPE, receipt, '{}')).toEqual([]);
  });

  it('refuses an undocumented field, a wrong type, an undocumented status and a bad error body', () => {
    expect(v.check('POST', url('/cases'), 201, JSON_TYPE, { ...receipt, extra: 1 }, '{}').join()).toMatch(/additional properties \(extra\)/);
    expect(v.check('POST', url('/cases'), 201, JSON_TYPE, { ...receipt, deadline: 42 }, '{}').join()).toMatch(/deadline/);
    expect(v.check('POST', url('/cases'), 418, JSON_TYPE, {}, '{}').join()).toMatch(/status 418 is not documented/);
    expect(v.check('GET', url('/cases/JN-SCHOOLBUS-20261126-000042'), 404, JSON_TYPE, { message: 'x' }, '{}').length).toBeGreaterThan(0);
    expect(v.check('GET', url('/no-such-route'), 404, JSON_TYPE, { error: { code: 'not_found', message: 'no route' } }, '{}')).toEqual([]);
  });

  it('reads nullable references and "or null" members as null-or-the-schema', () => {
    const verification = { status: 'unknown', signatureValid: null, revokedAt: null, certificate: null };
    expect(v.check('GET', url('/certificates/verify/ABCDEFGHJKMNPQRSTVWXYZ23'), 200, JSON_TYPE, verification, '{}')).toEqual([]);
    expect(v.check('GET', url('/certificates/verify/ABCDEFGHJKMNPQRSTVWXYZ23'), 200, JSON_TYPE, { ...verification, certificate: 'x' }, '{}').length).toBeGreaterThan(0);
  });

  it('matches fixed path segments before parameters, and text bodies by content type', () => {
    expect(v.check('GET', url('/certificates/public-key'), 200, 'application/x-pem-file', '-----BEGIN', '-----BEGIN')).toEqual([]);
    expect(v.check('GET', url('/certificates/public-key'), 200, 'text/plain', 'x', 'x').join()).toMatch(/content type text\/plain is not documented/);
  });
});
