/**
 * `npx tsx bench/platform-profile.ts [--n 60] [--concurrency 16] [--no-baseline] [--cpu-prof]`: the platform's cost
 * per case, for the work on issue 13 (cost per case). A stack of its own (name `profile`, ports 172x3 / 132xx, so it
 * runs beside `npm run bench` and the drills), the bench's load (bench/driver.ts), then the bare baseline on the same
 * Temporal server with the same per-kind profiles. Prints, for both:
 *   - CPU seconds per completed case per process (Temporal server, worker, API, PostgreSQL, the bench process, which
 *     in the baseline phase is also the baseline's worker);
 *   - per kind of case: history events, workflow tasks, activities (and local activities), timers, signals, updates,
 *     search-attribute upserts, read from one finished history of each kind.
 * With --cpu-prof every thread of the worker and the API runs V8's sampling profiler during the platform phase
 * (bench/cpu-profile-preload.cjs, preloaded through NODE_OPTIONS; profiles in logs/profile/cpu/), and the top
 * self-time functions and packages of each thread are printed. CPU per thread (/proc/<pid>/task) is printed always.
 * The histories of one finished case of each kind are written to logs/profile/history-<case>.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig, PROJECT_ROOT } from '../infra/config';
import { openOrm } from '../infra/db/orm';
import { profileOf, runBaseline, type CaseProfile } from './baseline';
import { CpuMeter, formatCpu, postgresPids, type CpuReport } from './cpu';
import { PlatformDriver, watchCases, type CaseRun } from './driver';
import { HttpClient } from './http';
import { runMain, Stack } from './stack';
import { Progress, table } from './stats';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const n = num('n', 60);
const concurrency = num('concurrency', 16);
const cpuProf = argv.includes('--cpu-prof');
const withBaseline = !argv.includes('--no-baseline');
const say = (line: string) => console.log(`▸ ${line}`);
const EventType = temporal.api.enums.v1.EventType;

let stack: Stack | undefined;
const closers: (() => Promise<void>)[] = [];

/** What a history costs the server beyond profileOf's counts. */
async function extraCounts(client: Client, workflowId: string): Promise<{ localActivities: number; updates: number; bytes: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  let localActivities = 0;
  let updates = 0;
  for (const e of history.events ?? []) {
    if (e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.markerName === 'core_local_activity') localActivities += 1;
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) updates += 1;
  }
  const bytes = temporal.api.history.v1.History.encode(history).finish().length;
  fs.mkdirSync(path.join(PROJECT_ROOT, 'logs', 'profile'), { recursive: true });
  fs.writeFileSync(path.join(PROJECT_ROOT, 'logs', 'profile', `history-${workflowId.replace(/[^\w-]/g, '_')}.json`), JSON.stringify(temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History, { enums: String, longs: String }), null, 1));
  return { localActivities, updates, bytes };
}

/** CPU ticks per thread name (comm) of a process, from /proc/<pid>/task. */
function threadTicks(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!pid) return out;
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = tid === String(pid) ? 'main' : `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+$/, '#')}[${tid}]`;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(comm, (out.get(comm) ?? 0) + Number(f[11]) + Number(f[12]));
    } catch {
      /* gone */
    }
  }
  return out;
}

function threadDiff(before: Map<string, number>, after: Map<string, number>, cases: number): string {
  return [...after]
    .map(([k, v]) => [k, (v - (before.get(k) ?? 0)) / 100 / cases] as const)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(', ');
}

function perCase(cpu: CpuReport, cases: number): Record<string, number> {
  return Object.fromEntries(Object.entries(cpu.parts).map(([k, v]) => [k, v / cases]));
}

/** The top self-time functions of a .cpuprofile (V8's format). */
function topFunctions(file: string, k = 25): string[] {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
  };
  const byId = new Map(prof.nodes.map((nd) => [nd.id, nd]));
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const id of prof.samples) {
    const nd = byId.get(id);
    if (!nd) continue;
    const url = nd.callFrame.url.replace(/^file:\/\//, '').replace(`${PROJECT_ROOT}/`, '');
    const key = `${nd.callFrame.functionName || '(anonymous)'} ${url}:${nd.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.startsWith('node:') || url === '' ? url || '(native/gc/idle)' : url.split('/')[0]!);
    byFile.set(pkg, (byFile.get(pkg) ?? 0) + 1);
  }
  const total = prof.samples.length;
  const fmt = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([f, c]) => `${((c / total) * 100).toFixed(1).padStart(5)}%  ${f}`);
  return ['by package/folder:', ...fmt(byFile).slice(0, 15), 'by function (self):', ...fmt(self)];
}

async function main(): Promise<number> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const profDir = path.join(PROJECT_ROOT, 'logs', 'profile', 'cpu');
  if (cpuProf) {
    fs.rmSync(profDir, { recursive: true, force: true });
    fs.mkdirSync(profDir, { recursive: true });
    // Inherited by the worker and the API (the stack spawns them with this process's environment), not by this one.
    // NODE_OPTIONS refuses --cpu-prof: a preload starts the inspector's profiler instead.
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(__dirname, 'cpu-profile-preload.cjs')}`.trim();
    process.env.CPU_PROFILE_DIR = profDir;
  }
  stack = new Stack({ name: 'profile', temporalPort: 17263, temporalUiPort: 18263, apiPort: 13200, workerHealthPort: 13201 });
  await stack.start();
  const cfg = loadConfig();
  const api = new HttpClient(stack.apiBase, { maxSockets: 128 });
  closers.push(async () => api.close());
  const connection = await Connection.connect({ address: stack.temporalAddress });
  closers.push(() => connection.close());
  const client = new Client({ connection, namespace: 'default', dataConverter: stack.dataConverter() });
  const bareClient = new Client({ connection, namespace: 'default' });
  const orm = await openOrm(stack.databaseUrl);
  closers.push(() => orm.close());
  const runId = randomUUID().slice(0, 8);
  const s = stack;
  const parts = () => ({
    'Temporal server': () => (s.temporal?.pid ? [s.temporal.pid] : []),
    worker: () => (s.worker?.pid ? [s.worker.pid] : []),
    API: () => (s.api?.pid ? [s.api.pid] : []),
    PostgreSQL: postgresPids,
    'bench process': () => [process.pid],
  });

  say(`platform: ${n} cases, ${concurrency} in flight`);
  const driver = new PlatformDriver(api, {
    n,
    concurrency,
    jwt: s.jwt,
    runId,
    // As `npm run bench` drives it (bench/run.ts defaults).
    reviewerPollMs: num('reviewer-poll-ms', 250),
    statusPollMs: num('status-poll-ms', 2000),
    fastPollMs: 100,
    watch: (caseNos) => watchCases(orm, caseNos),
    ...(s.poolDeadlock ? { submitParallelism: 8 } : {}),
  });
  const progress = new Progress(() => `  platform: ${driver.completed}/${n} done, ${((Date.now() - driver.startedAt) / 1000).toFixed(0)} s`);
  const meter = new CpuMeter(parts());
  let profiling = false;
  const toggleProfilers = () => {
    if (!cpuProf) return;
    fs.writeFileSync(path.join(profDir, profiling ? '.stop' : '.start'), '');
    profiling = !profiling;
  };
  const threadsBefore = { worker: threadTicks(s.worker?.pid), api: threadTicks(s.api?.pid) };
  toggleProfilers();
  meter.start();
  progress.start();
  await driver.run();
  progress.stop();
  const platformCpu = meter.stop();
  toggleProfilers();
  const threadsAfter = { worker: threadTicks(s.worker?.pid), api: threadTicks(s.api?.pid) };
  const platformRate = driver.completed / ((driver.finishedAt - driver.startedAt) / 1000);

  const variantKey = (c: CaseRun) => `${c.variant.service}${c.variant.supplement ? '+supplement' : ''}`;
  const profiles = new Map<string, CaseProfile & { localActivities: number; updates: number; bytes: number }>();
  for (const c of driver.cases) {
    const key = variantKey(c);
    if (!profiles.has(key) && c.completedAt && c.caseNo) profiles.set(key, { ...(await profileOf(client, c.caseNo)), ...(await extraCounts(client, c.caseNo)) });
  }
  const mix = (f: (p: CaseProfile & { localActivities: number; updates: number; bytes: number }) => number) => {
    let sum = 0;
    let cnt = 0;
    for (const c of driver.cases) {
      const p = profiles.get(variantKey(c));
      if (p) {
        sum += f(p);
        cnt += 1;
      }
    }
    return cnt ? sum / cnt : 0;
  };

  let baselineCpu: CpuReport | undefined;
  let baselineRate: number | undefined;
  let baselineCompleted = 0;
  let baselineSample: CaseProfile | undefined;
  if (withBaseline) {
    say('baseline: the same cases as bare workflows');
    const baselineProfiles = driver.cases.map((c) => profiles.get(variantKey(c))).filter((p): p is NonNullable<typeof p> => p !== undefined);
    const bMeter = new CpuMeter(parts());
    bMeter.start();
    const r = await runBaseline({
      client: bareClient,
      temporalAddress: s.temporalAddress,
      namespace: 'default',
      taskQueue: `onestop-profile-baseline-${runId}`,
      orm,
      profiles: baselineProfiles,
      concurrency,
      tuning: { ...cfg.worker },
      runId,
    });
    baselineCpu = bMeter.stop();
    baselineRate = r.completed / (r.elapsedMs / 1000);
    baselineCompleted = r.completed;
    baselineSample = r.sample;
  }

  console.log('');
  console.log(`platform: ${driver.completed}/${n} in ${((driver.finishedAt - driver.startedAt) / 1000).toFixed(1)} s, ${platformRate.toFixed(2)} cases/s; ${formatCpu(platformCpu)}`);
  if (baselineCpu) console.log(`baseline: ${baselineCompleted} in ${baselineRate!.toFixed(2)} cases/s; ${formatCpu(baselineCpu)}`);
  const pc = perCase(platformCpu, driver.completed);
  const bc = baselineCpu ? perCase(baselineCpu, baselineCompleted) : undefined;
  const sum = (o: Record<string, number>, keys: string[]) => keys.reduce((a, k) => a + (o[k] ?? 0), 0);
  // The stack without the load generator: platform = server + worker + API + PostgreSQL; baseline = server + its worker
  // (in the bench process) + PostgreSQL.
  const platformStack = sum(pc, ['Temporal server', 'worker', 'API', 'PostgreSQL']);
  const baselineStack = bc ? sum(bc, ['Temporal server', 'bench process', 'PostgreSQL']) : undefined;
  console.log('');
  console.log(
    table(
      ['CPU s per completed case', 'platform', 'baseline'],
      [
        ...Object.keys(pc).map((k) => [k, pc[k]!.toFixed(4), bc ? bc[k]!.toFixed(4) : '—']),
        ['stack (excl. load generator; baseline worker = bench process)', platformStack.toFixed(4), baselineStack?.toFixed(4) ?? '—'],
      ],
    ),
  );
  console.log(`worker threads, CPU s per case: ${threadDiff(threadsBefore.worker, threadsAfter.worker, driver.completed)}`);
  console.log(`API threads, CPU s per case: ${threadDiff(threadsBefore.api, threadsAfter.api, driver.completed)}`);
  console.log(`API calls per case: ${driver.lat.names().map((k) => `${k} ${(driver.lat.get(k).length / driver.completed).toFixed(1)}`).join(', ')}`);
  if (baselineStack) console.log(`baseline/platform CPU per case (stack): ${(baselineStack / platformStack).toFixed(2)}`);
  console.log('');
  console.log(
    table(
      ['kind', 'cases', 'events', 'WF tasks', 'activities', 'local acts', 'timers', 'signals', 'updates', 'upserts', 'history KiB', 'phases'],
      [
        ...[...profiles].map(([k, p]) => [
          k,
          String(driver.cases.filter((c) => variantKey(c) === k).length),
          String(p.events),
          String(p.workflowTasks),
          String(p.activities),
          String(p.localActivities),
          String(p.timers),
          String(p.signals),
          String(p.updates),
          String(p.upserts.reduce((a, b) => a + b, 0)),
          (p.bytes / 1024).toFixed(1),
          p.kinds.join(' '),
        ]),
        [
          'mix average',
          String(driver.cases.length),
          mix((p) => p.events).toFixed(1),
          mix((p) => p.workflowTasks).toFixed(1),
          mix((p) => p.activities).toFixed(1),
          mix((p) => p.localActivities).toFixed(1),
          mix((p) => p.timers).toFixed(1),
          mix((p) => p.signals).toFixed(1),
          mix((p) => p.updates).toFixed(1),
          mix((p) => p.upserts.reduce((a, b) => a + b, 0)).toFixed(1),
          mix((p) => p.bytes / 1024).toFixed(1),
          '',
        ],
      ],
    ),
  );
  if (baselineSample) console.log(`baseline sample: ${baselineSample.events} events, ${baselineSample.workflowTasks} WF tasks, ${baselineSample.activities} activities`);
  for (const [k, p] of profiles) console.log(`${k} event types: ${JSON.stringify(p.eventTypes)}`);

  const out = path.join(PROJECT_ROOT, 'logs', 'profile', `profile-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ n, concurrency, platformRate, baselineRate, platformCpu, baselineCpu, pc, bc, platformStack, baselineStack, profiles: Object.fromEntries(profiles) }, null, 2));
  console.log(`results: ${path.relative(process.cwd(), out)}`);

  if (cpuProf) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    closers.length = 0;
    await stack.stop();
    stack = undefined;
    await new Promise((r) => setTimeout(r, 500));
    const files = fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
    for (const f of files) {
      console.log(`\n${f}:`);
      for (const l of topFunctions(path.join(profDir, f))) console.log(`  ${l}`);
    }
  }
  return 0;
}

runMain(main, async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await stack?.stop();
});
