/**
 * One route table: each route is declared once with its zod schemas, and that single declaration both validates the
 * request in Express and documents it in the OpenAPI registry, so the document can never drift from the checks.
 */
import type { Request, Response, Router } from 'express';
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z, type ZodType } from '../schemas/zod';
import { authorize, type Access, type AuthConfig, type Principal } from './auth';
import { ApiError, fromZod } from './errors';

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

export class RouteTable {
  constructor(
    private readonly router: Router,
    private readonly registry: OpenAPIRegistry,
    private readonly auth: AuthConfig,
    private readonly basePath: string,
  ) {}

  add<P extends ZodType = z.ZodObject, Q extends ZodType = z.ZodObject, B extends ZodType = z.ZodUnknown>(spec: RouteSpec<P, Q, B>): void {
    const responses: Record<number, ResponseConfig> = { ...spec.responses, 400: errorResponse('Invalid input: every failing field is listed') };
    if (spec.access !== 'public') {
      responses[401] = errorResponse('Missing or invalid token');
      responses[403] = errorResponse('Wrong role or department');
    }
    responses[503] = errorResponse('PostgreSQL or Temporal unavailable');
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

    this.router[spec.method](spec.path, async (req, res) => {
      const principal = authorize(req, spec.access, this.auth);
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
      const reply = await spec.handler({ params, query, body, principal, req, res });
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      if (reply.text) res.status(reply.status).type(reply.text.contentType).send(reply.text.content);
      else if (reply.body === undefined) res.status(reply.status).end();
      else res.status(reply.status).json(reply.body);
    });
  }
}
