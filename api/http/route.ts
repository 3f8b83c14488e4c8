/**
 * One route table: each route is declared once with its zod schemas, and that single declaration both validates the
 * request in Express and documents it in the OpenAPI registry, so the document can never drift from the checks.
 *
 * Before any schema sees a request, the table applies what every route needs and no route should write again:
 * text hygiene on every string (params, query, the headers the API reads, the JSON body and its keys), strict
 * query parsing (one value per parameter, canonical decimal integers), 405 with `Allow` for undeclared methods, and
 * the error schema on every documented 4xx/5xx.
 */
import type { Request, Response, Router } from 'express';
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z, type ZodType } from '../schemas/zod';
import { textProblem } from '../../domain/text';
import { authorize, type Access, type AuthConfig, type Principal } from './auth';
import { ApiError, fromZod, validationError, type FieldIssue } from './errors';
import { logCaller } from '../../infra/logging/http';

type Method = 'get' | 'post' | 'put' | 'delete';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | undefined;
  req: Request;
  res: Response;
}

export interface Reply {
  status: number;
  body?: unknown;
  text?: { contentType: string; content: string };
  headers?: Record<string, string>;
}

export interface RouteSpec<P extends ZodType, Q extends ZodType, B extends ZodType> {
  method: Method;
  /** Express style (`/cases/:caseNo`); converted to `{caseNo}` for OpenAPI. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  headers?: z.ZodObject;
  responses: Record<number, ResponseConfig>;
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<Reply>;
}

/** What the table keeps of each route: enough for the tests to check the document against the validation. */
export type DeclaredRoute = Omit<RouteSpec<ZodType, ZodType, ZodType>, 'handler'>;

export const errorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

const errorResponse = (description: string): ResponseConfig => ({ description, content: { 'application/json': { schema: errorBody } } });

export function json(schema: ZodType, description: string, example?: unknown): ResponseConfig {
  return { description, content: { 'application/json': { schema, ...(example !== undefined ? { example } : {}) } } };
}

/** Headers every route reads when present (the Idempotency-Key of messages), whether or not it declares them. */
const ALWAYS_READ_HEADERS = ['idempotency-key'];

/** Deepest JSON nesting walked; no form of the API comes near it, and the walk must not be a stack-exhaustion vector. */
const MAX_DEPTH = 64;

/**
 * Every string and every object key in `value`, checked with `textProblem`. Iterative (an explicit stack), so a
 * deeply nested body cannot exhaust the call stack. Paths name the field (`body.form.applicant.name`); a bad key is
 * reported at its parent, never echoed (it may hold the control character or personal data).
 */
export function textIssues(value: unknown, root: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: root, depth: 0 }];
  while (stack.length > 0 && issues.length < 50) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const why = textProblem(v);
      if (why) issues.push({ path, message: why });
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) {
        issues.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
        continue;
      }
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
      for (const [k, child] of entries) {
        if (!Array.isArray(v)) {
          const why = textProblem(k);
          if (why) issues.push({ path, message: `a property name ${why}` });
        }
        stack.push({ v: child, path: `${path}.${k}`, depth: depth + 1 });
      }
    }
  }
  return issues.reverse();
}

/** Canonical decimal integers only: `0x10`, `1e1`, ` 5`, `+5`, `05`, `5.0` are not numbers a client meant. */
const STRICT_INTEGER = /^-?(0|[1-9][0-9]{0,14})$/;

type ZodDef = { type: string; innerType?: ZodType; in?: ZodType; coerce?: boolean; shape?: Record<string, ZodType> };
const defOf = (s: ZodType): ZodDef => (s as unknown as { _zod: { def: ZodDef } })._zod.def;

/** The schema under optional/default/nullable wrappers: what kind of value the field is. */
function coreOf(s: ZodType): ZodType {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const d = defOf(cur);
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'prefault') && d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else break;
  }
  return cur;
}

/** Query fields that are numbers (`z.coerce.number()` or the `queryInt` helper): their raw text must be strict. */
function numericQueryFields(query: ZodType | undefined): Set<string> {
  const out = new Set<string>();
  if (!query || defOf(query).type !== 'object') return out;
  const shape = (query as unknown as z.ZodObject).shape as Record<string, ZodType>;
  for (const [name, field] of Object.entries(shape)) {
    const t = defOf(coreOf(field)).type;
    if (t === 'number' || t === 'int' || t === 'bigint') out.add(name);
  }
  return out;
}

/**
 * A query integer for routes: documented as an integer, parsed strictly (the route table refuses anything but a
 * canonical decimal before this runs). Use instead of `z.coerce.number()`.
 */
export function queryInt(o: { min: number; max: number; default?: number }) {
  const base = z.coerce.number().int().min(o.min).max(o.max);
  return o.default === undefined ? base.optional() : base.default(o.default);
}

/** Query strings: one value each, text-clean, numbers strict. Returns every problem at once. */
function queryIssues(query: Record<string, unknown>, numeric: Set<string>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [name, raw] of Object.entries(query)) {
    const keyProblem = textProblem(name);
    if (keyProblem) {
      issues.push({ path: 'query', message: `a parameter name ${keyProblem}` });
      continue;
    }
    const path = `query.${name}`;
    if (typeof raw !== 'string') {
      issues.push({ path, message: 'given more than once; send each query parameter once' });
      continue;
    }
    const why = textProblem(raw);
    if (why) issues.push({ path, message: why });
    else if (numeric.has(name) && !STRICT_INTEGER.test(raw)) issues.push({ path, message: 'must be a decimal integer (digits only, no sign, spaces, exponent or hex)' });
  }
  return issues;
}

const STANDARD_ERRORS: Record<number, string> = {
  404: 'No such resource (or route)',
  405: 'Method not allowed on this path (the Allow header lists the methods that are)',
  429: 'Too many requests (per token or per client address); retry after the Retry-After header’s seconds',
  500: 'Internal error (never a stack trace)',
  503: 'PostgreSQL or Temporal unavailable; retry after the Retry-After header’s seconds',
};

export class RouteTable {
  /** Every declared route, in order: the tests validate the document's examples against these schemas. */
  readonly routes: DeclaredRoute[] = [];
  private readonly methodsByPath = new Map<string, Set<string>>();

  constructor(
    private readonly router: Router,
    private readonly registry: OpenAPIRegistry,
    private readonly auth: AuthConfig,
    private readonly basePath: string,
  ) {}

  add<P extends ZodType = z.ZodObject, Q extends ZodType = z.ZodObject, B extends ZodType = z.ZodUnknown>(spec: RouteSpec<P, Q, B>): void {
    const { handler, ...declared } = spec;
    this.routes.push(declared as DeclaredRoute);
    const methods = this.methodsByPath.get(spec.path) ?? new Set<string>();
    methods.add(spec.method.toUpperCase());
    this.methodsByPath.set(spec.path, methods);

    // Declared errors get the one error schema, whatever the route wrote (their descriptions are kept).
    const responses: Record<number, ResponseConfig> = {};
    for (const [code, r] of Object.entries(spec.responses)) {
      responses[Number(code)] = Number(code) >= 400 ? errorResponse(r.description ?? 'Error') : r;
    }
    responses[400] = errorResponse('Invalid input: every failing field is listed (including control characters, repeated or non-decimal query parameters)');
    if (spec.access !== 'public') {
      responses[401] = errorResponse('Missing, invalid or expired token, or a token for another audience');
      responses[403] ??= errorResponse('Wrong role or department');
    }
    if (spec.body) responses[413] = errorResponse('The request body is larger than the limit');
    for (const [code, description] of Object.entries(STANDARD_ERRORS)) responses[Number(code)] ??= errorResponse(description);
    this.registry.registerPath({
      method: spec.method,
      path: this.basePath + spec.path.replace(/:(\w+)/g, '{$1}'),
      summary: spec.summary,
      description: spec.description,
      tags: spec.tags,
      ...(spec.access !== 'public' ? { security: [{ bearerAuth: [] }] } : {}),
      request: {
        ...(spec.params ? { params: spec.params as unknown as z.ZodObject } : {}),
        ...(spec.query ? { query: spec.query as unknown as z.ZodObject } : {}),
        ...(spec.headers ? { headers: spec.headers } : {}),
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
      },
      responses,
    });

    const numeric = numericQueryFields(spec.query);
    const readHeaders = [...ALWAYS_READ_HEADERS, ...Object.keys(spec.headers?.shape ?? {}).map((h) => h.toLowerCase())];
    this.router[spec.method](spec.path, async (req, res) => {
      const principal = await authorize(req, spec.access, this.auth);
      if (principal) logCaller(principal); // role and client id on the request's log lines
      // Hygiene first, for every input at once: a control character is a 400 naming the field, never a 500 or a
      // workflow write that fails on every retry.
      const headerValues: Record<string, unknown> = {};
      for (const h of readHeaders) if (req.headers[h] !== undefined) headerValues[h] = req.headers[h];
      const issues = [
        ...textIssues(req.params, 'params'),
        ...queryIssues((req.query ?? {}) as Record<string, unknown>, numeric),
        ...textIssues(headerValues, 'headers'),
        ...textIssues(req.body, 'body'),
      ];
      if (issues.length > 0) throw validationError(issues);

      const parse = <S extends ZodType>(schema: S | undefined, value: unknown, where: string): z.infer<S> => {
        if (!schema) return undefined as z.infer<S>;
        const r = schema.safeParse(value ?? {});
        if (!r.success) throw fromZod(r.error, where);
        return r.data;
      };
      const params = parse(spec.params, req.params, 'params');
      const query = parse(spec.query, req.query, 'query');
      if (spec.body && (req.body === undefined || req.body === null)) {
        throw new ApiError('validation', 'a JSON body is required (Content-Type: application/json)');
      }
      const body = parse(spec.body, req.body, 'body');
      const reply = await handler({ params, query, body, principal, req, res });
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      if (reply.text) res.status(reply.status).type(reply.text.contentType).send(reply.text.content);
      else if (reply.body === undefined) res.status(reply.status).end();
      else res.status(reply.status).json(reply.body);
    });
  }

  /**
   * After every route: a known path with an undeclared method is 405 with `Allow`, not a 404 that says the resource
   * does not exist. OPTIONS answers 204 with the same `Allow`.
   */
  finish(): void {
    for (const [path, methods] of this.methodsByPath) {
      const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
      this.router.all(path, (req, res) => {
        res.setHeader('Allow', allow);
        if (req.method === 'OPTIONS') return void res.status(204).end();
        throw new ApiError('method_not_allowed', `${req.method} is not allowed here; allowed: ${allow}`);
      });
    }
  }
}
