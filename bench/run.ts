/**
 * `npm run bench [-- options]`: the platform benchmark.
 *
 * 1. Brings up a stack of its own (bench/stack.ts: database onestop_bench, Temporal dev server on :17233 with its data
 *    in .data/bench, worker and API as child processes), or with --attach uses one already running (API_URL, and
 *    TEMPORAL_ADDRESS / DATABASE_URL / TEMPORAL_TASK_QUEUE as `npm start` has them).
 * 2. Platform phase: N cases across the three services through the HTTP API, simulated applicants (with supplements)
 *    and reviewers, at most --concurrency cases in flight, to completion.
 * 3. Baseline phase: the same N cases as bare Temporal workflows with the same signals and activities per case (counted
 *    from the platform cases' histories), same concurrency, same Temporal server; prints the throughput ratio.
 * 4. Optional scale checks: --open-cases K (K cases waiting on reviewers: worker memory, queue and /stats latency),
 *    --certificates M (M certificates in PostgreSQL, public verify latency under load from a second process).
 *
 * Options: --quick (60 cases), --n N, --concurrency C, --supplement-share F, --full (= --open-cases 10000
 * --certificates 1000000), --breakdown (two more baseline phases: + search-attribute upserts, + queries),
 * --verify-concurrency 1,4,8, --verify-requests R, --status-poll-ms, --reviewer-poll-ms, --attach, --no-baseline,
 * --keep (do not recreate the bench database and Temporal data).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, PROJECT_ROOT } from '../infra/config';
import { openOrm } from '../infra/db/orm';
import { loadPayloadCodec, payloadDataConverter } from '../infra/temporal/codec';
import { profileOf, runBaseline, type BaselineMode, type CaseProfile } from './baseline';
import { CpuMeter, formatCpu, postgresPids, type CpuReport } from './cpu';
import { FAST_TRACKED, PlatformDriver, watchCases, type CaseRun } from './driver';
import { HttpClient } from './http';
import { certificateCheck, openCasesCheck, type CertificateCheckResult, type OpenCasesResult } from './scale';
import { readMemory, runMain, Stack, type ProcessMemory } from './stack';
import { fmtMs, latencyTable, Progress, summarize, table, type Summary } from './stats';

interface Args {
  quick: boolean;
  n: number;
  concurrency: number;
  supplementShare: number;
  attach: boolean;
  baseline: boolean;
  breakdown: boolean;
  keep: boolean;
  openCases: number;
  certificates: number;
  verifyConcurrency: number[];
  verifyRequests: number;
  statusPollMs: number;
  reviewerPollMs: number;
  fastPollMs: number;
}

function parseArgs(argv: string[]): Args {
  const flag = (name: string) => argv.includes(`--${name}`);
  const num = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a number`);
    return v;
  };
  const list = (name: string, fallback: number[]) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = (argv[i + 1] ?? '').split(',').map(Number);
    if (v.length === 0 || v.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`--${name} needs numbers like 1,4,8`);
    return v;
  };
  const known = new Set([
    'quick', 'full', 'attach', 'no-baseline', 'breakdown', 'keep', 'n', 'concurrency', 'supplement-share', 'open-cases', 'certificates',
    'verify-concurrency', 'verify-requests', 'status-poll-ms', 'reviewer-poll-ms', 'fast-poll-ms',
  ]);
  for (const a of argv) if (a.startsWith('--') && !known.has(a.slice(2))) throw new Error(`unknown option ${a} (see the header of bench/run.ts)`);
  const quick = flag('quick');
  const full = flag('full');
  return {
    quick,
    n: num('n', quick ? 60 : 600),
    concurrency: num('concurrency', 16),
    supplementShare: num('supplement-share', 0.25),
    attach: flag('attach'),
    baseline: !flag('no-baseline'),
    breakdown: flag('breakdown'),
    keep: flag('keep'),
    openCases: num('open-cases', full ? 10_000 : 0),
    certificates: num('certificates', full ? 1_000_000 : 0),
    verifyConcurrency: list('verify-concurrency', [1, 4, 8]),
    verifyRequests: num('verify-requests', 20_000),
    statusPollMs: num('status-poll-ms', 2000),
    reviewerPollMs: num('reviewer-poll-ms', 250),
    fastPollMs: num('fast-poll-ms', 100),
  };
}

const args = parseArgs(process.argv.slice(2));
const cfg = loadConfig();
const say = (line: string) => console.log(`▸ ${line}`);
let stack: Stack | undefined;
const closers: (() => Promise<void>)[] = [];

function machine(): string {
  const cli = process.env.TEMPORAL_CLI_PATH ?? path.join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'temporal');
  const v = spawnSync(cli, ['--version'], { encoding: 'utf8' }).stdout?.trim().replace(/^temporal version /, '') ?? '?';
  const cpu = os.cpus()[0]?.model ?? '?';
  return `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, Temporal CLI ${v.split(' ')[0]}`;
}

const mib = (m?: ProcessMemory) => (m ? `${m.peakMiB.toFixed(0)} MiB` : 'n/a');

/** Wall-clock `case_completed` time per case from the audit log: when the certificates had been stored. */
async function completionTimes(orm: MikroORM, caseNos: string[]): Promise<Map<string, number>> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<{ case_no: string; at: Date }[]>(
      `select case_no, at from case_event where type = 'case_completed' and case_no in (select jsonb_array_elements_text(?::jsonb))`,
      [JSON.stringify(caseNos)],
    );
  return new Map(rows.map((r) => [r.case_no, new Date(r.at).getTime()]));
}

async function main(): Promise<number> {
  console.log(`OneStop benchmark — ${args.quick ? 'quick' : 'full'}: ${args.n} cases, ${args.concurrency} in flight, ${Math.round(args.supplementShare * 100)}% of school-bus and freight cases with a supplement round`);
  console.log(`machine: ${machine()}`);
  const t0 = Date.now();
  Runtime.install({ logger: new DefaultLogger('WARN') });

  let apiBase: string;
  let temporalAddress: string;
  let databaseUrl: string;
  let jwt = cfg.jwt;
  if (args.attach) {
    apiBase = process.env.API_URL ?? `http://127.0.0.1:${cfg.api.port}`;
    temporalAddress = cfg.temporal.address;
    databaseUrl = cfg.databaseUrl;
    say(`attached to ${apiBase} (Temporal ${temporalAddress}); peak memory is not measured (not our processes)`);
  } else {
    stack = new Stack({ name: 'bench', temporalPort: 17233, temporalUiPort: 18233, apiPort: 13000, workerHealthPort: 13001, fresh: !args.keep });
    await stack.start();
    apiBase = stack.apiBase;
    temporalAddress = stack.temporalAddress;
    databaseUrl = stack.databaseUrl;
    jwt = stack.jwt;
  }
  const api = new HttpClient(apiBase, { maxSockets: 128 });
  closers.push(async () => api.close());
  const connection = await Connection.connect({ address: temporalAddress });
  closers.push(() => connection.close());
  // Queries and results are encrypted by the platform's payload codec: the bench reads them with the same key.
  const dataConverter = stack ? stack.dataConverter() : payloadDataConverter(loadPayloadCodec(cfg.payloadCodec, { generateIfMissing: false }));
  const client = new Client({ connection, namespace: cfg.temporal.namespace, dataConverter });
  // The baseline is bare Temporal: its worker has no codec, so its client has none either.
  const bareClient = new Client({ connection, namespace: cfg.temporal.namespace });
  const orm = await openOrm(databaseUrl);
  closers.push(() => orm.close());
  const runId = randomUUID().slice(0, 8);

  // ---- Platform phase ----
  say(`platform phase: ${args.n} cases through the API`);
  const driver = new PlatformDriver(api, {
    n: args.n,
    concurrency: args.concurrency,
    supplementShare: args.supplementShare,
    statusPollMs: args.statusPollMs,
    reviewerPollMs: args.reviewerPollMs,
    fastPollMs: args.fastPollMs,
    watch: (caseNos) => watchCases(orm, caseNos),
    jwt,
    runId,
    ...(stack?.poolDeadlock ? { submitParallelism: 8 } : {}),
  });
  const rssPeak = { worker: 0, api: 0 };
  const sampleRss = () => {
    const m = stack?.memory();
    rssPeak.worker = Math.max(rssPeak.worker, m?.worker?.rssMiB ?? 0);
    rssPeak.api = Math.max(rssPeak.api, m?.api?.rssMiB ?? 0);
  };
  const progress = new Progress(() => {
    const s = (Date.now() - driver.startedAt) / 1000;
    const failed = [...driver.failures.values()].reduce((a, b) => a + b, 0);
    return `  platform: ${driver.completed}/${args.n} done, ${driver.inFlightCases} in flight, ${s.toFixed(0)} s, ${(driver.completed / Math.max(s, 0.001)).toFixed(2)} cases/s${failed ? `, ${failed} failed calls` : ''}`;
  });
  const cpuParts = () => ({
    'Temporal server': () => (stack?.temporal?.pid ? [stack.temporal.pid] : []),
    worker: () => (stack?.worker?.pid ? [stack.worker.pid] : []),
    API: () => (stack?.api?.pid ? [stack.api.pid] : []),
    PostgreSQL: postgresPids,
    'bench (load + baseline worker)': () => [process.pid],
  });
  const platformCpuMeter = new CpuMeter(cpuParts());
  platformCpuMeter.start();
  progress.start();
  await driver.run(sampleRss);
  progress.stop();
  const platformCpu = platformCpuMeter.stop();
  const platformMs = driver.finishedAt - driver.startedAt;
  const failedCases = driver.cases.filter((c) => c.failed);
  const platformRate = driver.completed / (platformMs / 1000);
  if (failedCases.length) {
    console.log(`✖ ${failedCases.length} case(s) did not complete: ${failedCases.slice(0, 5).map((c) => `#${c.index} ${c.caseNo ?? ''} ${c.failed}`).join('; ')}`);
  }

  // What each kind of case costs in Temporal, read from one finished case of each kind.
  const variantKey = (c: CaseRun) => `${c.variant.service}${c.variant.supplement ? '+supplement' : ''}`;
  const profiles = new Map<string, CaseProfile>();
  for (const c of driver.cases) {
    const key = variantKey(c);
    if (!profiles.has(key) && c.completedAt && c.caseNo) profiles.set(key, await profileOf(client, c.caseNo));
  }

  // Time from the last approval (or, fast-tracked, from the submission) to the stored certificates.
  const done = await completionTimes(orm, driver.cases.filter((c) => c.caseNo && c.completedAt).map((c) => c.caseNo!));
  const toCerts: number[] = [];
  const fastTrack: number[] = [];
  for (const c of driver.cases) {
    const at = c.caseNo ? done.get(c.caseNo) : undefined;
    if (at === undefined) continue;
    if (FAST_TRACKED.includes(c.variant.service)) fastTrack.push(at - c.submitStartedAt!);
    else if (c.lastApprovalAt) toCerts.push(at - c.lastApprovalAt);
  }
  const memory = stack?.memory() ?? {};

  // ---- Baseline phase(s) ----
  // The baseline's worker gets the platform worker's tuning (including the pool workaround's activity limit).
  const tuning = { ...cfg.worker };
  const workerMaxActivities = stack?.o.workerEnv?.WORKER_MAX_ACTIVITIES;
  if (workerMaxActivities) tuning.maxConcurrentActivityTaskExecutions = Number(workerMaxActivities);
  const baselineProfiles = driver.cases.map((c) => profiles.get(variantKey(c))).filter((p): p is CaseProfile => p !== undefined);
  const baselineRuns: { mode: BaselineMode; rate: number; cpu: CpuReport; line: string; sample?: CaseProfile }[] = [];
  const modes: BaselineMode[] = !args.baseline ? [] : args.breakdown ? ['bare', 'search-attributes', 'search-attributes+queries'] : ['bare'];
  for (const mode of modes) {
    say(`baseline phase (${mode}): ${baselineProfiles.length} workflows on the raw Temporal client, same signals and activities per case, same concurrency`);
    let bDone = 0;
    let bStart = Date.now();
    const bProgress = new Progress(() => `  baseline: ${bDone}/${baselineProfiles.length} done, ${((Date.now() - bStart) / 1000).toFixed(0)} s`);
    bProgress.start();
    const meter = new CpuMeter(cpuParts());
    meter.start();
    const result = await runBaseline({
      client: bareClient,
      temporalAddress,
      namespace: cfg.temporal.namespace,
      taskQueue: `onestop-bench-baseline-${runId}-${mode}`,
      orm,
      profiles: baselineProfiles,
      mode,
      statusPollMs: args.statusPollMs,
      concurrency: args.concurrency,
      tuning,
      runId: `${runId}-${mode}`,
      onProgress: (n) => {
        if (bDone === 0) bStart = Date.now();
        bDone = n;
      },
    });
    bProgress.stop();
    const rate = result.completed / (result.elapsedMs / 1000);
    baselineRuns.push({
      mode,
      rate,
      cpu: meter.stop(),
      sample: result.sample,
      line: `baseline (${mode}): ${result.completed} workflows in ${(result.elapsedMs / 1000).toFixed(1)} s: ${rate.toFixed(2)} cases/s${result.failures ? ` (${result.failures} failures)` : ''}`,
    });
  }
  const bare = baselineRuns.find((r) => r.mode === 'bare');
  const baselineRate = bare?.rate;

  // ---- Scale checks ----
  let open: OpenCasesResult | undefined;
  let certs: CertificateCheckResult | undefined;
  if (args.openCases > 0) open = await openCasesCheck({ api, orm, stack, count: args.openCases, jwt, runId, say, concurrency: stack?.poolDeadlock ? 8 : 16 });
  if (args.certificates > 0) {
    certs = await certificateCheck({ orm, apiBase, count: args.certificates, concurrencies: args.verifyConcurrency, requests: args.verifyRequests, say });
  }

  // ---- Report ----
  const lat = driver.lat;
  const dec = lat.summary('decision');
  const sub = lat.summary('submit');
  // The verify target: the heaviest load level (concurrent requests) at which p99 stays under 10 ms.
  const verifyMet = certs?.levels.filter((l) => l.latency && l.latency.p99 < 10).pop();
  const verifyHeaviest = certs?.levels[certs.levels.length - 1];
  const ratio = baselineRate ? platformRate / baselineRate : undefined;
  console.log('');
  console.log(`platform: ${driver.completed}/${args.n} cases completed in ${(platformMs / 1000).toFixed(1)} s: ${platformRate.toFixed(2)} cases/s`);
  for (const b of baselineRuns) console.log(b.line);
  if (!args.baseline) console.log('baseline: skipped (--no-baseline)');
  if (ratio !== undefined) console.log(`platform/baseline throughput ratio: ${ratio.toFixed(2)} (target >= 0.8)`);
  console.log(`platform ${formatCpu(platformCpu)}`);
  for (const b of baselineRuns) console.log(`baseline (${b.mode}) ${formatCpu(b.cpu)}`);
  if (args.breakdown && baselineRuns.length > 1) {
    const perCase = (cpu: CpuReport, n: number) => Object.values(cpu.parts).reduce((a, b) => a + b, 0) / n;
    console.log('');
    console.log('Overhead breakdown (the baseline with the platform\'s extras added one at a time):');
    console.log(
      table(
        ['run', 'cases/s', 'platform ÷ run', 'CPU s per case (stack)', 'Temporal server CPU s per case'],
        [
          ...baselineRuns.map((b) => [`baseline: ${b.mode}`, b.rate.toFixed(2), (platformRate / b.rate).toFixed(2), perCase(b.cpu, args.n).toFixed(3), ((b.cpu.parts['Temporal server'] ?? 0) / args.n).toFixed(3)]),
          ['platform (API + worker)', platformRate.toFixed(2), '1.00', perCase(platformCpu, args.n).toFixed(3), ((platformCpu.parts['Temporal server'] ?? 0) / args.n).toFixed(3)],
        ],
      ),
    );
  }
  console.log('');
  console.log('Per case (read from one finished case history of each kind; the baseline copies signals and activities):');
  console.log(
    table(
      ['kind', 'cases', 'signals', 'activities', 'timers', 'workflow tasks', 'history events', 'activities per phase'],
      [...profiles].map(([k, p]) => [
        k,
        String(driver.cases.filter((c) => variantKey(c) === k).length),
        String(p.signals),
        String(p.activities),
        String(p.timers),
        String(p.workflowTasks),
        String(p.events),
        p.phases.join(' '),
      ]),
    ),
  );
  console.log('');
  console.log('Latency (client side, successful calls; 409s are a step not yet open and are retried):');
  console.log(
    latencyTable(lat, [
      { key: 'submit', label: 'submit (POST /cases)', target: 'p99 < 150' },
      { key: 'decision', label: 'decision (POST …/decision)', target: 'p99 < 50' },
      { key: 'status', label: 'case status (GET /cases/:no)', target: '' },
      { key: 'supplement', label: 'supplement (POST …/supplements)' },
      { key: 'queue', label: 'department queue (GET /reviews)' },
    ]),
  );
  const row = (label: string, s: Summary | undefined) => [label, String(s?.count ?? 0), fmtMs(s?.p50), fmtMs(s?.p95), fmtMs(s?.p99), fmtMs(s?.max)];
  console.log('');
  console.log(
    table(['to the certificates', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], [
      row('last approval → certificates stored', summarize(toCerts)),
      row('fast track: submit → certificates stored', summarize(fastTrack)),
    ]),
  );
  console.log(`409 answers (decision before the step opened, retried): ${driver.conflicts}`);
  if (driver.failures.size) console.log(`failed calls: ${[...driver.failures].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  console.log(`peak memory (VmHWM) after the platform phase: worker ${mib(memory.worker)}, API ${mib(memory.api)}, Temporal dev server ${mib(memory.temporal)}, bench ${mib(readMemory(process.pid))}; highest RSS sampled during the phase: worker ${rssPeak.worker.toFixed(0)} MiB, API ${rssPeak.api.toFixed(0)} MiB`);
  if (open) {
    console.log('');
    console.log(`open cases: ${open.open} waiting on reviewers (submitted in ${(open.submitMs / 1000).toFixed(0)} s, ${open.rate.toFixed(1)} cases/s); worker cache ${open.cacheSize}`);
    console.log(`worker RSS with them: ${open.workerRssMiB?.toFixed(0) ?? 'n/a'} MiB now, ${open.workerPeakMiB?.toFixed(0) ?? 'n/a'} MiB peak (target < 1024); API ${open.apiRssMiB?.toFixed(0) ?? 'n/a'} MiB`);
    console.log(open.table);
  }
  if (certs) {
    console.log('');
    console.log(`certificates: ${certs.total} in PostgreSQL (${certs.inserted} inserted in ${(certs.insertMs / 1000).toFixed(0)} s); public verify from a second process:`);
    console.log(
      table(
        ['GET /certificates/:no/verify', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        certs.levels.map((l) => [`${l.concurrency} concurrent`, String(l.latency?.count ?? 0), l.rps.toFixed(0), fmtMs(l.latency?.p50), fmtMs(l.latency?.p95), fmtMs(l.latency?.p99), fmtMs(l.latency?.max)]),
      ),
    );
    const odd = certs.levels.flatMap((l) => Object.entries(l.unexpected).map(([k, v]) => `${k} ×${v} (${l.concurrency} concurrent)`));
    if (odd.length) console.log(`unexpected verify answers: ${odd.join(', ')}`);
  }
  console.log('');
  const mark = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED');
  const targets: string[][] = [
    ['platform/baseline throughput', '>= 0.8', ratio?.toFixed(2) ?? '—', mark(ratio === undefined ? undefined : ratio >= 0.8)],
    ['complete cases per second', '>= 3.75', platformRate.toFixed(2), mark(platformRate >= 3.75)],
    ['decision p99', '< 50 ms', fmtMs(dec?.p99), mark(dec ? dec.p99 < 50 : undefined)],
    ['submit p99', '< 150 ms', fmtMs(sub?.p99), mark(sub ? sub.p99 < 150 : undefined)],
    [
      `public verify p99 (${certs ? `${(certs.total / 1e6).toFixed(2)}M` : '1M'} certificates)`,
      '< 10 ms',
      certs ? `${fmtMs(verifyHeaviest?.latency?.p99)} at ${verifyHeaviest?.concurrency} concurrent${verifyMet ? `; < 10 up to ${verifyMet.concurrency} (${verifyMet.rps.toFixed(0)} req/s)` : ''}` : '—',
      !certs ? 'not measured' : certs.total < 1_000_000 ? 'not at 1M' : verifyMet ? `met up to ${verifyMet.concurrency} concurrent` : 'MISSED',
    ],
    [
      `worker RSS with ${open ? open.open.toLocaleString('en') : '10,000'} open cases`,
      '< 1024 MiB',
      open?.workerRssMiB?.toFixed(0) ?? '—',
      !open || open.workerRssMiB === undefined ? 'not measured' : open.open < 10_000 ? 'not at 10,000' : mark(open.workerRssMiB < 1024),
    ],
  ];
  console.log(table(['target', 'goal', 'measured', ''], targets));
  console.log(`total time ${((Date.now() - t0) / 1000).toFixed(0)} s (including the stack's start)`);

  const out = path.join(PROJECT_ROOT, 'logs', 'bench', `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        args,
        machine: machine(),
        platform: { completed: driver.completed, ms: platformMs, rate: platformRate },
        baseline: baselineRuns.map((b) => ({ mode: b.mode, rate: b.rate, cpu: b.cpu, sample: b.sample })),
        ratio,
        profiles: Object.fromEntries(profiles),
        latency: Object.fromEntries(lat.names().map((n) => [n, lat.summary(n)])),
        toCertificates: summarize(toCerts),
        fastTrack: summarize(fastTrack),
        memory,
        rssPeak,
        cpu: { platform: platformCpu },
        open: open && { ...open, table: undefined },
        certificates: certs,
        failures: Object.fromEntries(driver.failures),
        conflicts: driver.conflicts,
      },
      null,
      2,
    ),
  );
  console.log(`results: ${path.relative(process.cwd(), out)}`);
  return failedCases.length > 0 ? 1 : 0;
}

runMain(main, async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await stack?.stop();
});
