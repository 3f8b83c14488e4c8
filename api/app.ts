/**
 * The HTTP API (Express 5) under /api/v1, its OpenAPI document at /api/v1/openapi.json (generated from the same zod
 * schemas that validate requests) and a page at /docs that renders it. Security headers and rate limits come first
 * (api/http/abuse.ts); Prometheus metrics are a separate app for an internal listener (`metricsApp`).
 */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import path from 'node:path';
import fs from 'node:fs';
import express, { type Express } from 'express';
import swaggerUiDist from 'swagger-ui-dist';
import type { ApiDeps } from './context';
import { caseMetricsSnapshot } from '../infra/repositories/case-metrics';
import { noStore, rateLimiters, securityHeaders, type RateLimitOptions } from './http/abuse';
import { errorHandler, notFoundHandler } from './http/errors';
import type { Logger } from '../infra/logging';
import { logCaseParam, requestLogging } from '../infra/logging/http';
import { httpTracing } from '../infra/tracing/http';
import { createMetricsApp } from './http/metrics';
import { RouteTable, type DeclaredRoute } from './http/route';
import { formComponents } from './schemas/form-components';
import { attentionRoutes } from './routes/attention';
import { accessLogRoutes } from './routes/access-log';
import { caseRoutes } from './routes/cases';
import { catalogRoutes } from './routes/catalog';
import { certificateRoutes } from './routes/certificates';
import { CODEC_PATH, codecRoutes } from './routes/codec';
import { opsRoutes } from './routes/ops';
import { prefillRoutes } from './routes/prefill';
import { reviewRoutes } from './routes/reviews';
import { devRoutes, devSignInEnabled, uiConfigRoutes } from './routes/dev';
import { PROJECT_ROOT } from '../infra/config';
import { trackRoutes } from './routes/track';

export const BASE_PATH = '/api/v1';

/** HTTP hardening of the process (api/main.ts passes its config; tests choose). */
export interface HttpOptions {
  /** Off (no limiter) unless given: api/main.ts always gives RATE_LIMIT_PER_MINUTE / RATE_LIMIT_PER_TOKEN_PER_MINUTE. */
  rateLimit?: RateLimitOptions;
  /** Proxy hops in front of the API (API_TRUST_PROXY_HOPS): the client address is read past them. */
  trustProxyHops?: number;
  production?: boolean;
  /** The process's logger (api/main.ts): one line per request, and the error handler's lines. Tests may leave it out. */
  logger?: Logger;
  /** The built web app's folder; default web/dist (WEB_DIST). Tests give their own. */
  webDist?: string;
}

export function createApp(
  deps: ApiDeps,
  http: HttpOptions = {},
): { app: Express; openapi: Record<string, unknown>; routes: DeclaredRoute[]; metricsApp: Express } {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (http.trustProxyHops) app.set('trust proxy', http.trustProxyHops);
  // First: a span per request (a no-op without tracing), then its X-Request-Id on every response, a rate-limited or
  // refused one too, and its context (with the trace id) on every log line.
  app.use(httpTracing());
  app.use(requestLogging({ logger: http.logger }));
  app.use(securityHeaders({ production: http.production ?? false }));
  app.use(deps.metrics.middleware());
  // Before the body is read: a flood costs as little as possible.
  if (http.rateLimit) app.use(...rateLimiters(http.rateLimit));
  app.use(express.json({ limit: deps.bodyLimit, strict: true }));

  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const router = express.Router();
  // The case a request is about, for its log lines (api/case-intake.ts's start records a new one through the client).
  for (const param of ['caseNo', 'taskId']) {
    router.param(param, (_req, _res, next, value) => {
      logCaseParam(value);
      next();
    });
  }
  const table = new RouteTable(router, registry, deps.auth, BASE_PATH);
  // Fixed paths before parameterised ones (`/certificates/public-key` before `/certificates/:no`).
  catalogRoutes(table, deps);
  prefillRoutes(table, deps);
  certificateRoutes(table, deps);
  caseRoutes(table, deps);
  attentionRoutes(table, deps);
  reviewRoutes(table, deps);
  trackRoutes(table, deps);
  opsRoutes(table, deps);
  accessLogRoutes(table, deps);
  uiConfigRoutes(table, deps);
  // Development sign-in for the workbench: absent (404) in production and with an identity provider's keys.
  if (devSignInEnabled(deps)) devRoutes(table, deps);
  table.finish();

  const openapi = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'OneStop API',
      version: '1.0.0',
      description:
        'One-stop government cases (高效办成一件事): one application, joint review by several departments, 5-working-day deadlines, signed electronic certificates. ' +
        'Mint a dev token with `npm run token -- --role portal` (roles: portal, reviewer with --department, ops).',
    },
    servers: [{ url: '/' }],
  }) as unknown as Record<string, unknown>;
  // The catalogue's forms, built from each definition's JSON Schema (the route schemas name only placeholders).
  Object.assign((openapi.components as { schemas: Record<string, unknown> }).schemas, formComponents(deps.catalog));

  app.get(`${BASE_PATH}/openapi.json`, (_req, res) => void res.json(openapi));
  app.use(BASE_PATH + CODEC_PATH, codecRoutes(deps));
  app.use(BASE_PATH, noStore, router);
  // Health and readiness also at the root, where orchestrators look for them.
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (req, res, next) => {
    req.url = '/readyz'; // the router is mounted at BASE_PATH: its own path, not the full one
    router(req, res, next);
  });
  app.get('/docs', (_req, res) => void res.type('html').send(DOCS_PAGE));
  app.get('/docs/init.js', (_req, res) => void res.type('text/javascript').send(DOCS_INIT));
  app.use('/docs/assets', express.static(swaggerUiDist.getAbsoluteFSPath()));
  webApp(app, http.webDist ?? WEB_DIST);
  app.use(notFoundHandler);
  app.use(errorHandler(http.logger ?? { error: (fields, msg) => deps.log(msg, fields) }));

  // Case metrics are read from PostgreSQL at each scrape; while it is down the request metrics are still served.
  const metricsApp = createMetricsApp(
    () =>
      deps.metrics.render({
        snapshot: () => caseMetricsSnapshot(deps.orm.em.fork()),
        calendar: deps.calendar,
        services: deps.catalog.list().map((d) => d.code),
        onError: (err) => deps.log('metrics: case metrics not read from PostgreSQL', err),
      }),
    deps.metrics.contentType,
  );
  return { app, openapi, routes: table.routes, metricsApp };
}

/** The built web app (web/, `npm run build:web`): the workbench, tracking, verification, ops and print pages. */
export const WEB_DIST = path.join(PROJECT_ROOT, 'web', 'dist');
/** The pages the single-page app answers; anything else stays the API's 404. */
export const WEB_ROUTES = ['/workbench', '/workbench/*rest', '/track', '/track/*rest', '/verify', '/verify/*rest', '/ops', '/ops/*rest', '/certificates/:no/print'];

function webApp(app: Express, dist: string): void {
  app.get('/', (_req, res) => res.redirect(302, '/workbench'));
  // Hashed file names: a new build has new names, so the files may be cached for good.
  app.use('/assets', express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  app.get(WEB_ROUTES, (_req, res) => {
    const index = path.join(dist, 'index.html');
    // Checked per request: `npm run build:web` while the API runs is picked up without a restart.
    if (!fs.existsSync(index)) {
      res.status(503).type('text').send('The web app is not built: run `npm run build:web` (npm start builds it).\n');
      return;
    }
    // The page itself is never cached: it names the current build's assets.
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OneStop API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;

// A file, not an inline script: the Content-Security-Policy allows scripts from this origin only. Tokens typed into
// the page are not kept in the browser's storage (persistAuthorization: false).
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '${BASE_PATH}/openapi.json', dom_id: '#ui', persistAuthorization: false });\n`;
