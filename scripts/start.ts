/**
 * `npm start`: brings the whole platform up on this machine and keeps it up until Ctrl-C.
 * Order: PostgreSQL (create, migrate, seed) -> Temporal (embedded dev server unless TEMPORAL_ADDRESS) -> worker -> API.
 * Each child logs to logs/<name>.log; each is waited for until ready; SIGINT/SIGTERM stop all of them, in reverse.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../infra/config';
import { ensureDatabase, migrate, openOrm } from '../infra/db/orm';
import { seedDemoData } from '../infra/db/seed';
import { assertPortFree, startDevServer, StartupError } from '../infra/temporal/dev-server';

const cfg = loadConfig();
const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;

function say(line: string): void {
  console.log(`▸ ${line}`);
}

async function waitForHttp(url: string, name: string, proc: ChildProcess, logFile: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  proc.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
  for (;;) {
    if (exited) throw new StartupError(`${name} ${exited} during start; see ${logFile}`);
    if (Date.now() > deadline) throw new StartupError(`${name} did not become ready in ${timeoutMs / 1000} s; see ${logFile}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

function startNode(name: string, entry: string): { proc: ChildProcess; logFile: string } {
  const logFile = path.join(cfg.logDir, `${name}.log`);
  const log = fs.openSync(logFile, 'a');
  const compiled = path.join(PROJECT_ROOT, 'dist', entry.replace(/\.ts$/, '.js'));
  // Prefer the compiled build when `npm run build` made one; otherwise run the sources through tsx.
  const [cmd, args] = fs.existsSync(compiled)
    ? [process.execPath, [compiled]]
    : [process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, entry)]]; // no wrapper process: signals reach the child
  // A file is no terminal: JSON lines (one object per line, `npx pino-pretty < logs/api.log` to read them), whatever
  // LOG_FORMAT the shell running `npm start` has.
  const proc = spawn(cmd, args, { stdio: ['ignore', log, log], env: { ...process.env, LOG_FORMAT: 'json' } });
  children.push({ name, proc });
  return { proc, logFile };
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping…');
    for (const { name, proc } of [...children].reverse()) {
      if (proc.exitCode !== null || proc.signalCode !== null) continue;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 25_000);
      await done;
      clearTimeout(timer);
      say(`${name} stopped`);
    }
  }
  process.exit(code);
}

async function main(): Promise<void> {
  fs.mkdirSync(cfg.logDir, { recursive: true });
  const started = Date.now();

  say(`PostgreSQL: ${cfg.databaseUrl.replace(/\/\/[^@]*@/, '//…@')}`);
  try {
    if (await ensureDatabase(cfg.databaseUrl)) say('database created');
  } catch (err) {
    throw new StartupError(
      `PostgreSQL is not reachable at ${cfg.databaseUrl} (${(err as Error).message}). Start it (e.g. pg_ctlcluster --skip-systemctl-redirect 15 main start) or set DATABASE_URL.`,
    );
  }
  const orm = await openOrm(cfg.databaseUrl);
  const applied = await migrate(orm);
  say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'schema up to date');
  await seedDemoData(orm);
  await orm.close();
  say('demo data seeded');

  await assertPortFree(cfg.api.port, 'API', 'API_PORT');
  await assertPortFree(cfg.worker.healthPort, 'worker health', 'WORKER_HEALTH_PORT');

  let uiUrl = '(external cluster: use its own UI)';
  if (!cfg.temporal.external) {
    const logFile = path.join(cfg.logDir, 'temporal.log');
    say('starting the Temporal dev server…');
    // The dev UI has no login, so it cannot send the ops token the codec endpoint asks for. Instead a random secret,
    // new on every start, goes into the endpoint's path: the UI is given the URL and the API (its child) the secret.
    // The API accepts it only outside production and on loopback (api/routes/codec.ts).
    const production = !!process.env.NODE_ENV?.startsWith('prod');
    const devSecret = randomBytes(24).toString('base64url');
    if (!production) process.env.PAYLOAD_CODEC_DEV_SECRET = devSecret;
    const proc = await startDevServer({
      cliPath: process.env.TEMPORAL_CLI_PATH ?? path.join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'temporal'),
      dataDir: cfg.devServer.dataDir,
      port: Number(cfg.temporal.address.split(':').pop()),
      uiPort: cfg.devServer.uiPort,
      namespace: cfg.temporal.namespace,
      logFile,
      ...(production ? {} : { uiCodecEndpoint: `http://127.0.0.1:${cfg.api.port}/api/v1/codec/dev/${devSecret}` }),
    });
    children.push({ name: 'temporal', proc });
    proc.once('exit', () => !stopping && (console.error(`✖ the Temporal dev server stopped; see ${logFile}`), void stopAll(1)));
    uiUrl = `http://127.0.0.1:${cfg.devServer.uiPort}`;
  }

  say('starting the worker…');
  const worker = startNode('worker', 'worker/main.ts');
  await waitForHttp(`http://127.0.0.1:${cfg.worker.healthPort}/`, 'the worker', worker.proc, worker.logFile);
  worker.proc.once('exit', () => !stopping && (console.error(`✖ the worker stopped; see ${worker.logFile}`), void stopAll(1)));

  say('starting the API…');
  const api = startNode('api', 'api/main.ts');
  const base = `http://127.0.0.1:${cfg.api.port}`;
  await waitForHttp(`${base}/healthz`, 'the API', api.proc, api.logFile);
  api.proc.once('exit', () => !stopping && (console.error(`✖ the API stopped; see ${api.logFile}`), void stopAll(1)));

  console.log(`
OneStop is running (ready in ${Math.round((Date.now() - started) / 1000)} s). Ctrl-C stops everything.
  API:          ${base}/api/v1
  Workbench:    ${base}/workbench   (reviewers; development sign-in)
  Verify:       ${base}/verify   (certificate verification, public)
  OpenAPI:      ${base}/api/v1/openapi.json   (rendered at ${base}/docs)
  Temporal UI:  ${uiUrl}   (namespace ${cfg.temporal.namespace})
  Logs:         ${path.relative(process.cwd(), cfg.logDir) || '.'}/{temporal,worker,api}.log
  Dev token:    npm run token -- --role portal
`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stopAll(0));

main().catch((err: unknown) => {
  console.error(`✖ ${err instanceof StartupError ? err.message : (err as Error).message}`);
  if (!(err instanceof StartupError) && process.env.DEBUG) console.error(err);
  void stopAll(1);
});
