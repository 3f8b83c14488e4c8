/**
 * What the web app (web/) asks of the API beyond the business routes:
 *
 * - `GET /ui-config` (public, every environment): where the Temporal UI is, so the workbench can link a case to its
 *   history, and whether development sign-in is on.
 * - `GET /dev/reviewers` and `POST /dev/token` (development only): the workbench's sign-in page lists the seeded
 *   reviewers and mints the same dev token as `npm run token` (signDevToken). They are registered only when
 *   NODE_ENV is not production and tokens are HS256 with the shared secret (no JWT_PUBLIC_KEY_PATH); otherwise the
 *   paths do not exist (404) and the page asks for a bearer token from the city's identity system (docs/frontend.md).
 */
import { z } from '../schemas/zod';
import { DEFAULT_MAX_AGE_SECONDS, ROLES, signDevToken } from '../http/auth';
import { DEMO } from '../../infra/db/seed';
import { loadConfig } from '../../infra/config';
import type { ApiDeps } from '../context';
import { ApiError, validationError } from '../http/errors';
import { json, type RouteTable } from '../http/route';
import { bilingual, department } from '../schemas/responses';

/** Development sign-in is possible: not production, and tokens are verified with the shared HS256 secret. */
export const devSignInEnabled = (deps: Pick<ApiDeps, 'production' | 'auth'>): boolean => !deps.production && !deps.auth.publicKey;

const uiConfig = z
  .object({
    temporalUiUrl: z.string().nullable().openapi({ description: "The Temporal Web UI's base URL; null when not known (TEMPORAL_UI_URL unset with an external cluster)", example: 'http://127.0.0.1:8233' }),
    namespace: z.string().openapi({ example: 'default' }),
    devSignIn: z.boolean().openapi({ description: 'Whether POST /dev/token exists (development only)' }),
  })
  .openapi('UiConfig');

const devReviewer = z.object({ id: z.string(), name: z.string(), department }).openapi('DevReviewer');
const departmentInfo = z.object({ code: department, name: bilingual }).openapi('DepartmentInfo');

const tokenRequest = z
  .object({
    role: z.enum(ROLES),
    department: department.optional(),
    sub: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/).optional().openapi({ description: 'The person or system; default: a name for the role' }),
    applicant: z.string().regex(/^[0-9A-Z]{18}$/).optional().openapi({ description: 'Portal tokens: the applicant the identity system authenticated' }),
  })
  .strict()
  .refine((b) => b.role !== 'reviewer' || b.department !== undefined, { message: 'reviewer tokens need a department', path: ['department'] })
  .refine((b) => b.role === 'reviewer' || b.department === undefined, { message: 'only reviewer tokens carry a department', path: ['department'] })
  .refine((b) => b.role === 'portal' || b.applicant === undefined, { message: 'only portal tokens carry an applicant', path: ['applicant'] })
  .openapi('DevTokenRequest');

const tokenResponse = z
  .object({ token: z.string(), expiresInSeconds: z.number().int(), sub: z.string(), role: z.enum(ROLES), department: department.nullable() })
  .openapi('DevToken');

export function uiConfigRoutes(t: RouteTable, deps: ApiDeps): void {
  // Read once, at start: TEMPORAL_UI_URL names the UI of a real cluster; the dev server's UI is on loopback.
  const cfg = loadConfig();
  const body = {
    temporalUiUrl: process.env.TEMPORAL_UI_URL || (cfg.temporal.external ? null : `http://127.0.0.1:${cfg.devServer.uiPort}`),
    namespace: cfg.temporal.namespace,
    devSignIn: devSignInEnabled(deps),
  };
  t.add({
    method: 'get',
    path: '/ui-config',
    summary: "The web app's settings: the Temporal UI base URL and namespace, and whether development sign-in is on",
    tags: ['web'],
    access: 'public',
    responses: { 200: json(uiConfig, 'Settings') },
    handler: async () => ({ status: 200, body }),
  });
}

export function devRoutes(t: RouteTable, deps: ApiDeps): void {
  t.add({
    method: 'get',
    path: '/dev/reviewers',
    summary: 'Development only (404 in production): the departments and the seeded reviewers, for the workbench sign-in',
    tags: ['web'],
    access: 'public',
    responses: {
      200: json(z.object({ departments: z.array(departmentInfo), reviewers: z.array(devReviewer) }).openapi('DevReviewers'), 'Departments and reviewers'),
    },
    handler: async () => ({
      status: 200,
      body: {
        departments: deps.catalog.departments.list().map((d) => ({ code: d.code, name: d.name })),
        reviewers: DEMO.reviewers.map((r) => ({ id: r.id, name: r.name, department: r.department })),
      },
    }),
  });

  t.add({
    method: 'post',
    path: '/dev/token',
    summary: 'Development only (404 in production): mint a dev token, the same as `npm run token`',
    description:
      'Signs a token with the shared development secret (HS256), as `npm run token -- --role … --department … --sub …` does. ' +
      'It does not exist when NODE_ENV=production or when tokens come from an identity provider (JWT_PUBLIC_KEY_PATH). ' +
      'The answer is the credential: keep it in memory, never in logs.',
    tags: ['web'],
    access: 'public',
    body: tokenRequest,
    responses: { 200: json(tokenResponse, 'The token') },
    handler: async ({ body }) => {
      if (!devSignInEnabled(deps)) throw new ApiError('not_found', 'development sign-in is off');
      if (body.department !== undefined && !deps.catalog.departments.has(body.department)) {
        throw validationError([{ path: 'body.department', message: `not a department of the city: ${deps.catalog.departments.codes().join(', ')}` }]);
      }
      const life = Math.min(12 * 3600, deps.auth.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS);
      const sub = body.sub ?? (body.role === 'reviewer' ? `${body.department}-reviewer` : body.role === 'portal' ? 'portal-system' : 'ops-staff');
      const token = signDevToken({ sub, role: body.role, department: body.department, applicant: body.applicant }, deps.auth, life);
      return { status: 200, body: { token, expiresInSeconds: life, sub, role: body.role, department: body.department ?? null } };
    },
  });
}
