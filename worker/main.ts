/**
 * The worker process: runs case workflows and their activities. Scales on its own, separately from the API.
 * SIGINT/SIGTERM drain it: no new tasks are polled, in-flight activities get a grace period to finish.
 */
import http from 'node:http';
import { createActivities } from '../activities';
import { loadConfig } from '../infra/config';
import { openOrm } from '../infra/db/orm';
import { CertificateSigner } from '../infra/signing/certificate-signer';
import { loadPayloadCodec, payloadDataConverter } from '../infra/temporal/codec';
import { connectWorker } from '../infra/temporal/connection';
import { createCaseWorker } from './create-worker';
import { sdkMetricsBindAddress, WorkerMetrics } from './metrics';
import { installRuntime } from './runtime';
import { ensureSchedules } from './schedules';
import { fatal } from '../infra/process';
import { createLogger } from '../infra/logging';
import { temporalLogger } from '../infra/logging/temporal';
import { startTracing } from '../infra/tracing';

// JSON lines on stdout (logs/worker.log under `npm start`, the container log in production); pretty on a terminal.
const logger = createLogger({ service: 'worker' });
// Off (undefined) without OTEL_* export: then the workflows' spans are dropped at the sink.
const tracing = startTracing({ service: 'onestop-worker' });

async function main(): Promise<void> {
  const cfg = loadConfig();
  // First: without its key (production) the worker refuses to start, with one line naming the variable.
  const codec = loadPayloadCodec(cfg.payloadCodec, { generateIfMissing: !process.env.NODE_ENV?.startsWith('prod') });
  const production = !!process.env.NODE_ENV?.startsWith('prod');
  const sdkMetrics = sdkMetricsBindAddress(cfg.workerMetrics);
  const sdkMetricsOn = installRuntime({ ...(sdkMetrics ? { metrics: { bindAddress: sdkMetrics } } : {}), production, warn: (line) => logger.warn(line), logger: temporalLogger(logger) });
  const metrics = new WorkerMetrics(cfg.workerMetrics.retryAlertAttempts);
  const orm = await openOrm(cfg.databaseUrl);
  const signer = CertificateSigner.fromFile(cfg.signing.privateKeyPath, cfg.signing.keyId, !process.env.NODE_ENV?.startsWith('prod'), { algorithm: cfg.signing.algorithm, warn: (line) => logger.warn(line) });
  // The API reads only the public key: publish it in development, check the deployed one matches in production.
  signer.syncPublicKeyFile(cfg.signing.publicKeyPath, { publish: !process.env.NODE_ENV?.startsWith('prod') });
  const connection = await connectWorker(cfg.temporal);
  const worker = await createCaseWorker({
    connection,
    namespace: cfg.temporal.namespace,
    taskQueue: cfg.temporal.taskQueue,
    // Webhooks are signed with each portal client's own secret: the worker holds no JWT secret.
    activities: createActivities({ orm, signer, calendarDir: cfg.calendarDir, webhooks: { production: !!process.env.NODE_ENV?.startsWith('prod') } }),
    tuning: cfg.worker,
    dataConverter: payloadDataConverter(codec),
    metrics,
    ...(tracing ? { tracing } : {}),
    log: (line) => logger.info(line),
  });

  await ensureSchedules(cfg, payloadDataConverter(codec), (line) => logger.info(line));

  // Liveness/readiness for orchestrators and for `npm start`: 200 while the worker is running. GET /metrics here is the
  // activity metrics (prom-client); the SDK's own metrics are on the exporter's port.
  const health = http.createServer((req, res) => {
    if (metrics.serve(req, res)) return;
    const state = worker.getState();
    res.writeHead(state === 'RUNNING' ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ state }));
  });
  // Ready only once it listens: whoever reads the ready line may probe health (or scrape /metrics) at once.
  await new Promise<void>((resolve, reject) => {
    health.once('listening', resolve);
    health.once('error', reject);
    health.listen(cfg.worker.healthPort, cfg.worker.healthHost);
  });
  logger.info(`worker ready: task queue ${cfg.temporal.taskQueue} on ${cfg.temporal.address} (health :${cfg.worker.healthPort}, SDK metrics ${sdkMetricsOn ? `http://${sdkMetrics}/metrics` : 'off'})`);
  try {
    await worker.run();
  } finally {
    health.close();
    await connection.close();
    await orm.close();
    await tracing?.shutdown(); // the last spans are flushed
    logger.info('worker stopped');
  }
}

main().catch(fatal('worker', logger));
