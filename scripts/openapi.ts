/**
 * `npm run web:types`: the OpenAPI document, built offline from the route table (no PostgreSQL, no Temporal), written
 * to web/src/api/openapi.json, then openapi-typescript turns it into web/src/api/schema.d.ts. The web app calls the
 * API only through those types (openapi-fetch), as a portal's developers would; a unit test
 * (test/unit/web-openapi.test.ts) fails when the committed document differs from what the code builds.
 *
 * The document is the development one: it lists the dev sign-in routes (absent in production, docs/frontend.md).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../api/app';
import type { ApiDeps } from '../api/context';
import { HttpMetrics } from '../api/http/metrics';
import { loadWorkingDayCalendar } from '../infra/calendar-store';
import { loadConfig, PROJECT_ROOT } from '../infra/config';
import { DEFAULT_CATALOG_SOURCES, loadServiceCatalog, type ServiceCatalog } from '../infra/services/catalog';

export const OPENAPI_JSON = path.join(PROJECT_ROOT, 'web', 'src', 'api', 'openapi.json');
export const SCHEMA_DTS = path.join(PROJECT_ROOT, 'web', 'src', 'api', 'schema.d.ts');

/**
 * The API's document as createApp builds it. Routes are only registered here, never called, so the database and
 * Temporal client are stubs; the catalog and calendar are the real ones (an example is taken from the catalog).
 */
/** The app as createApp builds it offline: its document and its route table (tests check both). */
export function offlineApp(catalog: ServiceCatalog = loadServiceCatalog()): ReturnType<typeof createApp> {
  const cfg = loadConfig({});
  const deps = {
    orm: {},
    client: {},
    taskQueue: cfg.temporal.taskQueue,
    catalog,
    calendar: loadWorkingDayCalendar(cfg.calendarDir),
    publicKeys: {},
    auth: { secret: cfg.jwt.secret, issuer: cfg.jwt.issuer },
    bodyLimit: cfg.api.bodyLimit,
    metrics: new HttpMetrics(),
    log: () => undefined,
  } as unknown as ApiDeps;
  return createApp(deps);
}

/**
 * The pages are generic over services (they render any form from its definition's `formSchema`), so their types are
 * built from a fixed catalogue: the services the platform was built with. A service added as data (a new file in
 * data/services, or a city's SERVICES_DIRS) then changes no web file; the API's own document at /openapi.json lists
 * every service, as portals need.
 */
export const WEB_TYPES_SERVICES = ['freight-company.json', 'oversize-cargo.json', 'school-bus.json'];

export const buildOpenApiDocument = (): Record<string, unknown> =>
  offlineApp(loadServiceCatalog({ ...DEFAULT_CATALOG_SOURCES, onlyFiles: WEB_TYPES_SERVICES })).openapi;

/** The text written to openapi.json: stable (2-space JSON, newline at the end), so git diffs stay readable. */
export const documentText = (doc: Record<string, unknown>): string => `${JSON.stringify(doc, null, 2)}\n`;

function main(): void {
  fs.writeFileSync(OPENAPI_JSON, documentText(buildOpenApiDocument()));
  const bin = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'openapi-typescript');
  const r = spawnSync(bin, [OPENAPI_JSON, '--output', SCHEMA_DTS, '--alphabetize'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('✖ openapi-typescript failed; see above');
    process.exit(1);
  }
  console.log(`▸ ${path.relative(process.cwd(), OPENAPI_JSON)} and ${path.relative(process.cwd(), SCHEMA_DTS)} written`);
}

if (require.main === module) main();
