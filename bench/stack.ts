/**
 * A whole OneStop stack of the benchmark's (or a drill's) own, brought up through the same code paths as `npm start`
 * (scripts/start.ts): a dedicated PostgreSQL database (create, migrate, seed), the Temporal dev server on SQLite
 * (startDevServer, with its WAL pragmas) in a data folder of its own on ports of its own, then the worker and the API
 * as child processes (`node --import tsx`, so signals reach the real process). Everything it started is stopped on
 * stop(), on Ctrl-C and on errors; the worker, the API and the dev server can also be killed and restarted one by
 * one, which the drills do. For the scale-out run it can start more than one worker (same task queue) and more
 * than one API process (ports apiPort, apiPort + 10, …), all against the same Temporal server and database.
 */
import type { DataConverter } from '@temporalio/common';
import { loadPayloadCodec, payloadDataConverter } from '../infra/temporal/codec';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../infra/config';
import { dropDatabase, ensureDatabase, migrate, openOrm } from '../infra/db/orm';
import { seedDemoData } from '../infra/db/seed';
import { CertificateSigner } from '../infra/signing/certificate-signer';
import { assertPortFree, startDevServer } from '../infra/temporal/dev-server';
import { probePoolDeadlock, type PoolProbe } from './pool-probe';

export interface StackOptions {
  /** Names the data folder (.data/<name>), the log folder (logs/<name>) and the database (onestop_<name>). */
  name: string;
  temporalPort: number;
  temporalUiPort: number;
  apiPort: number;
  workerHealthPort: number;
  taskQueue?: string;
  /** Drop the database and the Temporal data file first (default true): every run starts from the same state. */
  fresh?: boolean;
  /** Extra environment for the worker (WORKER_CACHE_SIZE, …). */
  workerEnv?: Record<string, string>;
  /** Worker processes on the task queue (default 1); the second and later get health ports workerHealthPort + 10 × i. */
  workers?: number;
  /** API processes (default 1), on apiPort + 10 × i; a client spreads its calls over apiBases. */
  apis?: number;
  log?: (line: string) => void;
}

export interface ProcessMemory {
  /** Peak resident set size (VmHWM), MiB. */
  peakMiB: number;
  /** Current resident set size (VmRSS), MiB. */
  rssMiB: number;
}

/** VmRSS / VmHWM of a process from /proc (Linux); undefined when the process is gone. */
export function readMemory(pid: number | undefined): ProcessMemory | undefined {
  if (!pid) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMiB: kb('VmHWM') / 1024, rssMiB: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

export function databaseUrlFor(dbName: string): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/onestop');
  url.pathname = `/${dbName}`;
  return url.toString();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitForHttp(url: string, what: string, proc: ChildProcess | undefined, logFile: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && (proc.exitCode !== null || proc.signalCode !== null)) {
      throw new Error(`${what} exited (${proc.signalCode ?? proc.exitCode}) during start; see ${logFile}`);
    }
    if (Date.now() > deadline) throw new Error(`${what} did not become ready in ${timeoutMs / 1000} s; see ${logFile}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await sleep(250);
  }
}

async function stopProcess(proc: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const done = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

const live = new Set<Stack>();
let hooksInstalled = false;

/** Last resort: whatever a stack still runs when this process exits is killed (synchronously, so it always happens). */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', () => {
    for (const s of live) s.killAllNow();
  });
}

export class Stack {
  readonly dataDir: string;
  readonly logDir: string;
  readonly databaseUrl: string;
  readonly taskQueue: string;
  readonly apiBase: string;
  readonly temporalAddress: string;
  readonly jwt = loadConfig().jwt;
  temporal?: ChildProcess;
  worker?: ChildProcess;
  api?: ChildProcess;
  /** The scale-out run's second and later workers and API processes. */
  readonly extraWorkers: ChildProcess[] = [];
  readonly extraApis: ChildProcess[] = [];
  /** The pool-deadlock probe's result (bench/pool-probe.ts); while it deadlocks, the stack works around it. */
  poolProbe?: PoolProbe;
  private workerStarts = 0;
  private readonly say: (line: string) => void;

  constructor(readonly o: StackOptions) {
    this.dataDir = path.join(PROJECT_ROOT, '.data', o.name);
    this.logDir = path.join(PROJECT_ROOT, 'logs', o.name);
    this.databaseUrl = databaseUrlFor(`onestop_${o.name.replace(/[^A-Za-z0-9_]/g, '_')}`);
    this.taskQueue = o.taskQueue ?? `onestop-${o.name}`;
    this.apiBase = `http://127.0.0.1:${o.apiPort}`;
    this.temporalAddress = `127.0.0.1:${o.temporalPort}`;
    this.say = o.log ?? ((line) => console.log(`▸ ${line}`));
  }

  /** Base URLs of every API process (one unless `apis` > 1). */
  get apiBases(): string[] {
    return Array.from({ length: this.o.apis ?? 1 }, (_, i) => `http://127.0.0.1:${this.o.apiPort + 10 * i}`);
  }

  get workerPids(): number[] {
    return [this.worker, ...this.extraWorkers].flatMap((p) => (p?.pid && p.exitCode === null ? [p.pid] : []));
  }

  get apiPids(): number[] {
    return [this.api, ...this.extraApis].flatMap((p) => (p?.pid && p.exitCode === null ? [p.pid] : []));
  }

  get poolDeadlock(): boolean {
    return this.poolProbe !== undefined && (this.poolProbe.recordCaseProgress === 'deadlocks' || this.poolProbe.submitCase === 'deadlocks');
  }

  get signingKeyPath(): string {
    return path.join(this.dataDir, 'keys', 'certificate-signing.pem');
  }

  /**
   * The data converter of this stack's processes (their payload codec key, from the same configuration): a client of
   * the bench or a drill reads queries and results as the API does.
   */
  dataConverter(): DataConverter {
    return payloadDataConverter(loadPayloadCodec(loadConfig(this.childEnv()).payloadCodec, { generateIfMissing: true }));
  }

  /** Environment of the worker and the API: everything `npm start` would give them, pointed at this stack. */
  childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      API_PORT: String(this.o.apiPort),
      WORKER_HEALTH_PORT: String(this.o.workerHealthPort),
      SIGNING_KEY_PATH: this.signingKeyPath,
      SIGNING_KEY_ID: `${this.o.name}-1`,
      LOG_DIR: this.logDir,
      // The benchmark is one client sending thousands of requests a minute: the abuse limits would measure themselves.
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_TOKEN_PER_MINUTE: '1000000',
      // An ephemeral metrics port: a stack beside `npm start` (9464) must not collide with it.
      METRICS_PORT: '0',
      ...extra,
    };
  }

  async start(): Promise<this> {
    live.add(this);
    installExitHooks();
    const t0 = Date.now();
    fs.mkdirSync(this.logDir, { recursive: true });
    await assertPortFree(this.o.apiPort, 'bench API', 'the bench --api-port');
    await assertPortFree(this.o.workerHealthPort, 'bench worker health', 'the bench --worker-port');
    if (this.o.fresh ?? true) {
      await dropDatabase(this.databaseUrl).catch(() => undefined);
      fs.rmSync(path.join(this.dataDir, 'temporal.sqlite'), { force: true });
      fs.rmSync(path.join(this.dataDir, 'temporal.sqlite-wal'), { force: true });
      fs.rmSync(path.join(this.dataDir, 'temporal.sqlite-shm'), { force: true });
      for (const f of ['temporal.log', 'worker.log', 'api.log']) fs.rmSync(path.join(this.logDir, f), { force: true });
    }
    await ensureDatabase(this.databaseUrl);
    const orm = await openOrm(this.databaseUrl);
    try {
      await migrate(orm);
      await seedDemoData(orm);
    } finally {
      await orm.close();
    }
    this.poolProbe = await probePoolDeadlock(this.databaseUrl);
    if (this.poolDeadlock) {
      const max = Math.min(8, Number(this.o.workerEnv?.WORKER_MAX_ACTIVITIES ?? process.env.WORKER_MAX_ACTIVITIES ?? 8));
      this.o.workerEnv = { ...this.o.workerEnv, WORKER_MAX_ACTIVITIES: String(max) };
      this.say(
        `⚠ known bug (bench/pool-probe.ts): recordCaseProgress ${this.poolProbe.recordCaseProgress}, submitCase ${this.poolProbe.submitCase} on a pool of one connection; ` +
          `working around it: WORKER_MAX_ACTIVITIES=${max}, at most 8 submissions in flight`,
      );
    }
    // Made here, once, so the worker (which signs) and the API (which serves the public key) read the same key.
    CertificateSigner.fromFile(this.signingKeyPath, `${this.o.name}-1`, true);
    this.say(`PostgreSQL database ${new URL(this.databaseUrl).pathname.slice(1)} ready`);
    await this.startTemporal();
    await this.startWorker();
    for (let i = 1; i < (this.o.workers ?? 1); i++) await this.startExtra('worker', i);
    await this.startApi();
    for (let i = 1; i < (this.o.apis ?? 1); i++) await this.startExtra('api', i);
    this.say(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s (API ${this.apiBase}, Temporal ${this.temporalAddress}, logs ${path.relative(process.cwd(), this.logDir)}/)`);
    return this;
  }

  async startTemporal(): Promise<void> {
    this.temporal = await startDevServer({
      cliPath: process.env.TEMPORAL_CLI_PATH ?? path.join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'temporal'),
      dataDir: this.dataDir,
      port: this.o.temporalPort,
      uiPort: this.o.temporalUiPort,
      namespace: 'default',
      logFile: path.join(this.logDir, 'temporal.log'),
    });
    this.say(`Temporal dev server up on ${this.temporalAddress} (SQLite ${path.relative(process.cwd(), path.join(this.dataDir, 'temporal.sqlite'))}, WAL)`);
  }

  async stopTemporal(): Promise<void> {
    await stopProcess(this.temporal, 20_000);
    this.temporal = undefined;
  }

  /** Scale-out: one more worker or API process while the stack runs. */
  async addProcess(kind: 'worker' | 'api'): Promise<void> {
    const i = 1 + (kind === 'worker' ? this.extraWorkers.length : this.extraApis.length);
    await this.startExtra(kind, i);
    if (kind === 'worker') this.o.workers = i + 1;
    else this.o.apis = i + 1;
  }

  /** Scale-out: stops the last extra worker or API process (SIGTERM: a worker drains its tasks first). */
  async removeExtra(kind: 'worker' | 'api'): Promise<void> {
    const list = kind === 'worker' ? this.extraWorkers : this.extraApis;
    const proc = list.pop();
    await stopProcess(proc, 30_000);
    if (kind === 'worker') this.o.workers = list.length + 1;
    else this.o.apis = list.length + 1;
    this.say(`${kind} ${list.length + 2} stopped`);
  }

  /** The scale-out run's i-th extra worker or API process (i >= 1), on ports of its own. */
  private async startExtra(kind: 'worker' | 'api', i: number): Promise<void> {
    const t0 = Date.now();
    if (kind === 'worker') {
      const port = this.o.workerHealthPort + 10 * i;
      // The SDK metrics port is one per machine: the extra workers export none.
      const proc = this.spawnNode(`worker-${i + 1}`, 'worker/main.ts', { ...this.o.workerEnv, WORKER_HEALTH_PORT: String(port), WORKER_METRICS_PORT: 'off' });
      this.extraWorkers.push(proc);
      await waitForHttp(`http://127.0.0.1:${port}/`, `worker ${i + 1}`, proc, path.join(this.logDir, `worker-${i + 1}.log`));
      this.say(`worker ${i + 1} up (pid ${proc.pid}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } else {
      const port = this.o.apiPort + 10 * i;
      const proc = this.spawnNode(`api-${i + 1}`, 'api/main.ts', { API_PORT: String(port) });
      this.extraApis.push(proc);
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, `API ${i + 1}`, proc, path.join(this.logDir, `api-${i + 1}.log`));
      this.say(`API ${i + 1} up on :${port} (pid ${proc.pid}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }

  private spawnNode(name: string, entry: string, extraEnv: Record<string, string> = {}): ChildProcess {
    const logFile = path.join(this.logDir, `${name}.log`);
    const log = fs.openSync(logFile, 'a');
    // No tsx wrapper process: a signal sent to this pid reaches the worker / API itself.
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, entry)], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', log, log],
      env: this.childEnv(extraEnv),
    });
    fs.closeSync(log);
    return proc;
  }

  async startWorker(): Promise<void> {
    this.workerStarts += 1;
    const t0 = Date.now();
    this.worker = this.spawnNode('worker', 'worker/main.ts', this.o.workerEnv);
    await waitForHttp(`http://127.0.0.1:${this.o.workerHealthPort}/`, 'the worker', this.worker, path.join(this.logDir, 'worker.log'));
    this.say(`worker ${this.workerStarts > 1 ? 'restarted' : 'up'} (pid ${this.worker.pid}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }

  /** The drills' SIGKILL: no drain, no goodbye; resolves once the process is gone. */
  async killWorker(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const w = this.worker;
    if (!w || w.exitCode !== null || w.signalCode !== null) return;
    const done = new Promise((r) => w.once('exit', r));
    w.kill(signal);
    await done;
  }

  async startApi(): Promise<void> {
    const t0 = Date.now();
    this.api = this.spawnNode('api', 'api/main.ts');
    await waitForHttp(`${this.apiBase}/healthz`, 'the API', this.api, path.join(this.logDir, 'api.log'));
    this.say(`API up (pid ${this.api.pid}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }

  memory(): { worker?: ProcessMemory; api?: ProcessMemory; temporal?: ProcessMemory } {
    return { worker: readMemory(this.worker?.pid), api: readMemory(this.api?.pid), temporal: readMemory(this.temporal?.pid) };
  }

  /** API, then worker, then Temporal: the reverse of the start order, each with a grace period, then SIGKILL. */
  async stop(): Promise<void> {
    await Promise.all([this.api, ...this.extraApis].map((p) => stopProcess(p, 25_000)));
    await Promise.all([this.worker, ...this.extraWorkers].map((p) => stopProcess(p, 30_000)));
    await stopProcess(this.temporal, 20_000);
    live.delete(this);
  }

  killAllNow(): void {
    for (const p of [this.api, ...this.extraApis, this.worker, ...this.extraWorkers, this.temporal]) {
      if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
  }
}

/**
 * Runs `main` with `cleanup` guaranteed: on success, on an error, and on SIGINT / SIGTERM (Ctrl-C), then exits with
 * the right code. A second Ctrl-C kills whatever is left at once.
 */
export function runMain(main: () => Promise<number | void>, cleanup: () => Promise<void>): void {
  let cleaning: Promise<void> | undefined;
  const clean = () => (cleaning ??= cleanup().catch((err: unknown) => console.error(`cleanup: ${(err as Error).message}`)));
  let interrupted = 0;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      interrupted += 1;
      if (interrupted > 1) {
        for (const s of live) s.killAllNow();
        process.exit(130);
      }
      console.error(`\n${sig}: stopping everything this run started…`);
      void clean().then(() => process.exit(130));
    });
  }
  main().then(
    async (code) => {
      await clean();
      process.exit(typeof code === 'number' ? code : 0);
    },
    async (err: unknown) => {
      console.error(`✖ ${(err as Error).stack ?? String(err)}`);
      await clean();
      process.exit(1);
    },
  );
}
