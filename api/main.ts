/**
 * The API process. Separate from the worker so each scales on its own. SIGTERM/SIGINT: stop accepting connections,
 * finish the requests in flight, then close PostgreSQL and Temporal connections.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import { loadWorkingDayCalendar } from '../infra/calendar-store';
import { assertApiSecrets, loadConfig } from '../infra/config';
import { openOrm } from '../infra/db/orm';
import { fatal } from '../infra/process';
import { createLogger, errorSummary } from '../infra/logging';
import { startTracing } from '../infra/tracing';
import { catalogSourcesFromEnv, loadServiceCatalog } from '../infra/services/catalog';
import { ensureDevSigningKeys, PublicKeyRing } from '../infra/signing/certificate-signer';
import { loadPayloadCodec, payloadDataConverter } from '../infra/temporal/codec';
import { connectClient } from '../infra/temporal/connection';
import { createApp } from './app';
import { codecEndpointConfig } from './routes/codec';
import { checkAuthConfig, type AuthConfig } from './http/auth';
import { HttpMetrics } from './http/metrics';

// JSON lines on stdout (logs/api.log under `npm start`, the container log in production); pretty on a terminal.
const logger = createLogger({ service: 'api' });
// Before any connection: the Temporal client's interceptors find the provider. Off (undefined) without OTEL_* export.
const tracing = startTracing({ service: 'onestop-api' });

async function main(): Promise<void> {
  // Before anything else: in production, no start on a missing, published or short token secret (one line).
  assertApiSecrets();
  const cfg = loadConfig();
  // Payload encryption first: without its key (production) the API refuses to start, one line naming the variable.
  const production = !!process.env.NODE_ENV?.startsWith('prod');
  const codec = loadPayloadCodec(cfg.payloadCodec, { generateIfMissing: !production });
  const payloadCodec = codecEndpointConfig(codec, cfg.payloadCodec, { production, apiHost: cfg.api.host, warn: (line) => logger.warn(line) });
  const orm = await openOrm(cfg.databaseUrl);
  const client = await connectClient(cfg.temporal, payloadDataConverter(codec));
  // Public keys only: the worker signs, the API verifies. In development the first start creates the dev key pair
  // (API and worker start together); in production the public key is a deployed file and SIGNING_KEY_PATH is unused.
  if (!process.env.NODE_ENV?.startsWith('prod')) ensureDevSigningKeys(cfg.signing.privateKeyPath, cfg.signing.publicKeyPath, cfg.signing.keyId, { algorithm: cfg.signing.algorithm });
  const publicKeys = PublicKeyRing.fromFiles({
    currentKeyId: cfg.signing.keyId,
    currentPublicKeyPath: cfg.signing.publicKeyPath,
    retiredKeysDir: cfg.signing.retiredPublicKeysDir,
    // Development: the dev keys of both algorithms verify, whichever SIGNING_ALGORITHM is set now.
    devSiblings: !process.env.NODE_ENV?.startsWith('prod'),
  });
  const auth: AuthConfig = {
    secret: cfg.jwt.secret,
    issuer: cfg.jwt.issuer,
    audience: cfg.jwt.audience,
    maxAgeSeconds: cfg.jwt.maxAgeSeconds,
    ...(cfg.jwt.publicKeyPath ? { publicKey: fs.readFileSync(cfg.jwt.publicKeyPath, 'utf8') } : {}),
  };
  checkAuthConfig(auth);
  const { app, metricsApp } = createApp({
    orm,
    client,
    taskQueue: cfg.temporal.taskQueue,
    // data/services and data/city/departments.json, or SERVICES_DIRS and CITY_FILES: services added as data.
    catalog: loadServiceCatalog(catalogSourcesFromEnv(process.env)),
    calendar: loadWorkingDayCalendar(cfg.calendarDir),
    publicKeys,
    auth,
    bodyLimit: cfg.api.bodyLimit,
    metrics: new HttpMetrics(),
    // Name, code and constraint of an error only: a driver error's message carries the SQL parameters.
    log: (msg, err) => logger.error(err === undefined ? {} : { error: errorSummary(err) }, msg),
    payloadCodec,
    production,
  }, {
    rateLimit: cfg.api.rateLimit,
    trustProxyHops: cfg.api.trustProxyHops,
    production,
    logger,
  });
  const server: Server = app.listen(cfg.api.port, cfg.api.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.keepAliveTimeout = 5_000;
  // Metrics on their own listener (loopback unless METRICS_HOST says otherwise), never on the public port.
  const metricsServer: Server = metricsApp.listen(cfg.api.metrics.port, cfg.api.metrics.host);
  await new Promise<void>((resolve, reject) => {
    metricsServer.once('listening', resolve);
    // In development a second API (a test, a bench stack) must not die for its metrics port; production must not run blind.
    metricsServer.once('error', (err) => (production ? reject(err) : (logger.warn(`metrics listener not started: ${err.message}`), resolve())));
  });
  logger.info(`api ready: http://${cfg.api.host}:${cfg.api.port}/api/v1 (docs at /docs, metrics at http://${cfg.api.metrics.host}:${cfg.api.metrics.port}/metrics)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, finishing open requests`);
    metricsServer.close();
    server.close(() => {
      void Promise.allSettled([orm.close(), client.connection.close(), tracing?.shutdown()]).then(() => {
        logger.info('api stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
    // Requests still open after 20 s are cut: the orchestrator's grace period is longer.
    setTimeout(() => process.exit(1), 20_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch(fatal('api', logger));
