/**
 * `npm run bench [-- subcommand] [-- options]`: the platform benchmark (docs/benchmarks.md).
 *
 * Default (no subcommand), `--quick` for CI:
 * 1. Brings up a stack of its own (bench/stack.ts: database onestop_bench, Temporal dev server on :17233 with its data
 *    in .data/bench, worker and API as child processes), or with --attach uses one already running.
 * 2. Saturation search, platform: closed-loop steps of rising concurrency (cases in flight; bench/saturation.ts), each
 *    a fresh batch of cases across the three services through the HTTP API with simulated applicants and reviewers,
 *    until throughput stops rising. CPU of every process of the stack per step (bench/cpu.ts).
 * 3. Saturation search, bare baseline: the same kinds of cases as bare Temporal workflows (same signals, same
 *    activities per case, read from the platform cases' histories), worker in a child process, same ladder.
 * 4. Prints `platform/baseline throughput ratio: X` (each at its saturation) and `platform/baseline CPU per case
 *    ratio: X` (CPU seconds of the stack's processes per completed case at saturation; baseline ÷ platform, so that
 *    1.0 is "costs no more than bare Temporal" and both lines read "higher is better").
 * 5. Latency at half the platform's saturation throughput with open-loop arrivals (a new case every 1/rate s):
 *    submit, decision, case status, reviewer queue, p50/p95/p99/max, targets marked met/MISSED.
 * 6. Writes the results (JSON) and the SVG charts (bench/charts.ts); with --publish into bench/results/ and docs/img/.
 *
 * Subcommands (each starts its own stack; `--full` runs the default and all three):
 *   scale-open-cases    K cases left open (default 10,000): worker RSS curve, cold-case decision latency
 *   scale-certificates  M certificates (default 1,000,000): public verify at a fixed rate, open loop, beside a bare
 *                       Express + pg primary-key lookup on the same table
 *   scale-out           1 vs 2 workers and 1 vs 2 API processes against one Temporal server
 *   charts <file.json>  redraw the charts of a results file (--out DIR, default docs/img)
 *
 * Exit code: 1 when the platform fails (cases not completed, a scale check errs), never because a target is missed.
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
import { profileOf, type BaselineMode, type CaseProfile } from './baseline';
import { BaselineFleet } from './baseline-fleet';
import { writeCharts, type ChartInput } from './charts';
import { CpuMeter, DRIVER, formatCpu, PG_SHARED, postgresBackendsOf, postgresSharedPids, type CpuReport } from './cpu';
import { FAST_TRACKED, planCases, PlatformDriver, watchCases, type CaseRun, type Variant } from './driver';
import { HttpClient } from './http';
import { searchSaturation, measureStep, type SaturationResult, type StepMeasure } from './saturation';
import { certificateCheck, openCasesCheck, prepareBenchEd25519Key, printCertificates, printOpenCases, type CertificateCheckResult, type OpenCasesResult } from './scale';
import { readMemory, runMain, Stack } from './stack';
import { fmtMs, Latencies, latencyTable, Progress, summarize, table, type Summary } from './stats';

const SUBCOMMANDS = ['saturation', 'scale-open-cases', 'scale-certificates', 'scale-out', 'charts'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

interface Args {
  command: Subcommand;
  positional: string[];
  quick: boolean;
  full: boolean;
  publish: boolean;
  out?: string;
  ladder: number[];
  casesPerStep: (c: number) => number;
  halfLoadSeconds: number;
  budgetSeconds?: number;
  minGain: number;
  supplementShare: number;
  attach: boolean;
  baseline: boolean;
  breakdown: boolean;
  keep: boolean;
  openCases: number;
  certificates: number;
  verifyRate: number;
  verifySeconds: number;
  openWaitMinutes: number;
  verifyApis: number;
  scaleOutConcurrency: number;
  statusPollMs: number;
  reviewerPollMs: number;
  fastPollMs: number;
}

function parseArgs(argv: string[]): Args {
  const flag = (name: string) => argv.includes(`--${name}`);
  const valued = new Set(['ladder', 'steps-cases', 'half-load-seconds', 'budget-seconds', 'min-gain', 'supplement-share', 'open-cases', 'certificates', 'verify-rate', 'verify-seconds', 'open-wait-minutes', 'verify-apis', 'scale-out-concurrency', 'status-poll-ms', 'reviewer-poll-ms', 'fast-poll-ms', 'out']);
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
    if (v.length === 0 || v.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`--${name} needs numbers like 4,8,16`);
    return v;
  };
  const known = new Set(['quick', 'full', 'publish', 'attach', 'no-baseline', 'breakdown', 'keep', ...valued]);
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      if (!known.has(a.slice(2))) throw new Error(`unknown option ${a} (see the header of bench/run.ts)`);
      if (valued.has(a.slice(2))) i += 1;
    } else positional.push(a);
  }
  const command = (positional.shift() ?? 'saturation') as Subcommand;
  if (!SUBCOMMANDS.includes(command)) throw new Error(`unknown subcommand ${command}: one of ${SUBCOMMANDS.join(', ')}`);
  const quick = flag('quick');
  const full = flag('full');
  const stepsCases = num('steps-cases', quick ? 2 : 4);
  const outIdx = argv.indexOf('--out');
  return {
    command,
    positional,
    quick,
    full,
    publish: flag('publish'),
    ...(outIdx >= 0 ? { out: argv[outIdx + 1] } : {}),
    ladder: list('ladder', quick ? [4, 8, 16, 32, 64] : [4, 8, 16, 32, 64, 128, 256]),
    // Enough cases per step that the steady window (all C slots busy) holds (stepsCases - 1) × C completions.
    casesPerStep: (c) => Math.max(quick ? 12 : 40, Math.round(stepsCases * c)),
    halfLoadSeconds: num('half-load-seconds', quick ? 20 : 90),
    // --quick must fit 3 minutes with the stack's start: the ladders stop early rather than overrun (total wall time).
    ...(quick || argv.includes('--budget-seconds') ? { budgetSeconds: num('budget-seconds', 160) } : {}),
    minGain: num('min-gain', 0.05),
    supplementShare: num('supplement-share', 0.25),
    attach: flag('attach'),
    baseline: !flag('no-baseline'),
    breakdown: flag('breakdown'),
    keep: flag('keep'),
    openCases: num('open-cases', 10_000),
    certificates: num('certificates', 1_000_000),
    verifyRate: num('verify-rate', 500),
    verifySeconds: num('verify-seconds', 60),
    openWaitMinutes: num('open-wait-minutes', 30),
    verifyApis: num('verify-apis', 2),
    scaleOutConcurrency: num('scale-out-concurrency', 32),
    statusPollMs: num('status-poll-ms', 2000),
    reviewerPollMs: num('reviewer-poll-ms', 250),
    fastPollMs: num('fast-poll-ms', 100),
  };
}

const PROCESS_T0 = Date.now();
const args = parseArgs(process.argv.slice(2));
const cfg = loadConfig();
const say = (line: string) => console.log(`▸ ${line}`);
let stack: Stack | undefined;
let fleet: BaselineFleet | undefined;
const closers: (() => Promise<void>)[] = [];
const COMMAND = `npm run bench --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`.replace(/ --$/, '');

function machine(): string {
  const cli = process.env.TEMPORAL_CLI_PATH ?? path.join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'temporal');
  const v = spawnSync(cli, ['--version'], { encoding: 'utf8' }).stdout?.trim().replace(/^temporal version /, '') ?? '?';
  const cpu = os.cpus()[0]?.model?.trim() ?? '?';
  return `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, Temporal CLI ${v.split(' ')[0]}`;
}

/** Everything a run needs: the stack (its own, or attached), clients, ORM. */
interface Env {
  apis: HttpClient;
  apiBases: string[];
  temporalAddress: string;
  databaseUrl: string;
  database: string;
  jwt: { secret: string; issuer: string };
  client: Client;
  bareClient: Client;
  orm: MikroORM;
  runId: string;
}

async function bringUp(o: { workers?: number; apis?: number; name?: string } = {}): Promise<Env> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let apiBases: string[];
  let temporalAddress: string;
  let databaseUrl: string;
  let jwt = cfg.jwt;
  if (args.attach) {
    apiBases = [process.env.API_URL ?? `http://127.0.0.1:${cfg.api.port}`];
    temporalAddress = cfg.temporal.address;
    databaseUrl = cfg.databaseUrl;
    say(`attached to ${apiBases[0]} (Temporal ${temporalAddress}); only PostgreSQL and the driver are measured (the other processes are not ours)`);
  } else {
    stack = new Stack({
      name: o.name ?? 'bench',
      temporalPort: 17233,
      temporalUiPort: 18233,
      apiPort: 13000,
      workerHealthPort: 13001,
      fresh: !args.keep,
      ...(o.workers ? { workers: o.workers } : {}),
      ...(o.apis ? { apis: o.apis } : {}),
    });
    await stack.start();
    apiBases = stack.apiBases;
    temporalAddress = stack.temporalAddress;
    databaseUrl = stack.databaseUrl;
    jwt = stack.jwt;
  }
  const apis = new HttpClient(apiBases, { maxSockets: 256 });
  closers.push(async () => apis.close());
  const connection = await Connection.connect({ address: temporalAddress });
  closers.push(() => connection.close());
  // Queries and results are encrypted by the platform's payload codec: the bench reads them with the same key.
  const dataConverter = stack ? stack.dataConverter() : payloadDataConverter(loadPayloadCodec(cfg.payloadCodec, { generateIfMissing: false }));
  const client = new Client({ connection, namespace: cfg.temporal.namespace, dataConverter });
  // The baseline is bare Temporal: its worker has no codec, so its client has none either.
  const bareClient = new Client({ connection, namespace: cfg.temporal.namespace });
  const orm = await openOrm(databaseUrl);
  closers.push(() => orm.close());
  return { apis, apiBases, temporalAddress, databaseUrl, database: new URL(databaseUrl).pathname.slice(1), jwt, client, bareClient, orm, runId: randomUUID().slice(0, 8) };
}

/** The CPU meter's parts for the platform: every process of the stack, PostgreSQL's shared ones and the driver apart. */
function platformParts(env: Env): Record<string, () => number[]> {
  return {
    'Temporal server': () => (stack?.temporal?.pid ? [stack.temporal.pid] : []),
    worker: () => stack?.workerPids ?? [],
    API: () => stack?.apiPids ?? [],
    PostgreSQL: postgresBackendsOf(env.database),
    [PG_SHARED]: postgresSharedPids,
    [DRIVER]: () => [process.pid],
  };
}

function baselineParts(env: Env): Record<string, () => number[]> {
  return {
    'Temporal server': () => (stack?.temporal?.pid ? [stack.temporal.pid] : []),
    'baseline worker': () => (fleet?.pid ? [fleet.pid] : []),
    PostgreSQL: postgresBackendsOf(env.database),
    [PG_SHARED]: postgresSharedPids,
    [DRIVER]: () => [process.pid],
  };
}

const variantKey = (v: Variant) => `${v.service}${v.supplement ? '+supplement' : ''}`;

/** One closed-loop platform step: `cases` new cases, `concurrency` in flight, to completion. */
async function platformStep(env: Env, concurrency: number, cases: number, label: string, extra: { arrivalsPerSecond?: number } = {}): Promise<{ driver: PlatformDriver; cpu: CpuReport }> {
  const driver = new PlatformDriver(env.apis, {
    n: cases,
    concurrency,
    supplementShare: args.supplementShare,
    statusPollMs: args.statusPollMs,
    reviewerPollMs: args.reviewerPollMs,
    fastPollMs: args.fastPollMs,
    watch: (caseNos) => watchCases(env.orm, caseNos),
    jwt: env.jwt,
    runId: `${env.runId}-${label}`,
    ...(extra.arrivalsPerSecond ? { arrivalsPerSecond: extra.arrivalsPerSecond, reviewerParallelism: 16 } : {}),
    ...(stack?.poolDeadlock ? { submitParallelism: 8 } : {}),
  });
  const progress = new Progress(() => {
    const s = (Date.now() - driver.startedAt) / 1000;
    const failed = [...driver.failures.values()].reduce((a, b) => a + b, 0);
    return `    ${label}: ${driver.completed}/${cases} done, ${driver.inFlightCases} in flight, ${s.toFixed(0)} s${failed ? `, ${failed} failed calls` : ''}`;
  });
  const meter = new CpuMeter(platformParts(env));
  meter.start();
  progress.start();
  await driver.run();
  progress.stop();
  return { driver, cpu: meter.stop() };
}

const latencyBrief = (lat: Latencies) =>
  Object.fromEntries(['submit', 'decision', 'status', 'queue'].map((k) => {
    const s = lat.summary(k);
    return [k, s && { p50: s.p50, p99: s.p99, count: s.count }];
  }));

async function saturationRun(env: Env): Promise<number> {
  const t0 = Date.now();
  // The time budget (--quick): the ladders share what is left after the stack's start, less the half-load phase and
  // the report; the platform's gets the first half of it.
  const budgetMs = args.budgetSeconds !== undefined ? args.budgetSeconds * 1000 - (t0 - PROCESS_T0) - (args.halfLoadSeconds + 20) * 1000 : undefined;
  let failedCases = 0;
  const profiles = new Map<string, CaseProfile>();
  const allPlatformCases: CaseRun[] = [];
  const platformLat = new Latencies();

  // ---- Platform ----
  say(`platform: saturation search over ${args.ladder.join(', ')} cases in flight (stop when two steps in a row gain < ${(args.minGain * 100).toFixed(0)}%)`);
  const platform = await searchSaturation({
    ladder: args.ladder,
    minGain: args.minGain,
    ...(budgetMs !== undefined ? { budgetMs: budgetMs * 0.5, since: t0 } : {}),
    say,
    run: async (c) => {
      const n = args.casesPerStep(c);
      const { driver, cpu } = await platformStep(env, c, n, `platform ${c} in flight`);
      failedCases += driver.cases.filter((x) => x.failed).length;
      for (const x of driver.cases.filter((x) => x.failed).slice(0, 3)) console.log(`    ✖ case #${x.index} ${x.caseNo ?? ''}: ${x.failed}`);
      allPlatformCases.push(...driver.cases);
      for (const name of driver.lat.names()) for (const v of driver.lat.get(name)) platformLat.add(name, v);
      // What each kind of case costs in Temporal, read from one finished case of each kind (the baseline copies it).
      for (const x of driver.cases) {
        const key = variantKey(x.variant);
        if (!profiles.has(key) && x.completedAt && x.caseNo) profiles.set(key, await profileOf(env.client, x.caseNo));
      }
      return measureStep({
        concurrency: c,
        cases: n,
        completions: driver.cases.flatMap((x) => (x.completedAt ? [x.completedAt] : [])),
        failed: driver.cases.filter((x) => x.failed).length,
        startedAt: driver.startedAt,
        lastHandoutAt: driver.lastHandoutAt,
        finishedAt: driver.finishedAt,
        cpu,
        latency: latencyBrief(driver.lat),
      });
    },
  });
  say(`platform saturation: ${platform.saturation.throughput.toFixed(2)} cases/s at ${platform.saturation.concurrency} in flight (${platform.stoppedBecause})`);

  // ---- Baseline ----
  let baseline: SaturationResult | undefined;
  const breakdown: { mode: BaselineMode; step: StepMeasure }[] = [];
  const missing = planCases(3, args.supplementShare).map(variantKey).filter((k) => !profiles.has(k));
  if (args.baseline && profiles.size > 0) {
    const tuning = { ...cfg.worker };
    const workerMaxActivities = stack?.o.workerEnv?.WORKER_MAX_ACTIVITIES;
    if (workerMaxActivities) tuning.maxConcurrentActivityTaskExecutions = Number(workerMaxActivities);
    fleet = new BaselineFleet({
      client: env.bareClient,
      temporalAddress: env.temporalAddress,
      namespace: cfg.temporal.namespace,
      taskQueue: `onestop-bench-baseline-${env.runId}`,
      databaseUrl: env.databaseUrl,
      tuning,
      logFile: path.join(PROJECT_ROOT, 'logs', 'bench', 'baseline-worker.log'),
    });
    closers.push(() => fleet!.stop());
    await fleet.start();
    // Each baseline case copies the platform case of the same kind (supplement kinds fall back to the plain one).
    const profilesFor = (n: number) =>
      planCases(n, args.supplementShare).map((v) => profiles.get(variantKey(v)) ?? profiles.get(v.service) ?? [...profiles.values()][0]!);
    let stepNo = 0;
    const baselineStep = async (c: number, mode: BaselineMode): Promise<StepMeasure> => {
      const n = args.casesPerStep(c);
      const meter = new CpuMeter(baselineParts(env));
      let done = 0;
      const progress = new Progress(() => `    baseline ${c} in flight${mode === 'bare' ? '' : ` (${mode})`}: ${done}/${n} done`);
      meter.start();
      progress.start();
      const r = await fleet!.runStep({ profiles: profilesFor(n), concurrency: c, runId: `${env.runId}-${stepNo++}`, mode, statusPollMs: args.statusPollMs, onProgress: (d) => (done = d) });
      progress.stop();
      return measureStep({ concurrency: c, cases: n, completions: r.completions, failed: r.failures, startedAt: r.startedAt, lastHandoutAt: r.lastHandoutAt, finishedAt: r.finishedAt, cpu: meter.stop() });
    };
    say(`bare baseline: saturation search over the same ladder (worker in a child process, same tuning, same Temporal server)`);
    const baselineBudget = budgetMs !== undefined ? { budgetMs, since: t0 } : {};
    baseline = await searchSaturation({ ladder: args.ladder, minGain: args.minGain, ...baselineBudget, say, run: (c) => baselineStep(c, 'bare') });
    say(`baseline saturation: ${baseline.saturation.throughput.toFixed(2)} cases/s at ${baseline.saturation.concurrency} in flight (${baseline.stoppedBecause})`);
    if (args.breakdown) {
      for (const mode of ['search-attributes', 'search-attributes+queries'] as const) {
        breakdown.push({ mode, step: await baselineStep(baseline.saturation.concurrency, mode) });
      }
    }
    await fleet.stop();
  } else if (args.baseline) {
    console.log('✖ no platform case completed: no profile for the baseline');
  }
  if (missing.length) say(`(kinds without a profile of their own, copied from a sibling: ${missing.join(', ')})`);

  // ---- Half load, open loop ----
  const rate = platform.saturation.throughput / 2;
  const halfN = Math.max(6, Math.round(rate * args.halfLoadSeconds));
  say(`latency at half the saturation throughput: ${rate.toFixed(2)} new cases/s for ${args.halfLoadSeconds} s (${halfN} cases), open loop`);
  const half = await platformStep(env, halfN, halfN, 'half load', { arrivalsPerSecond: rate });
  failedCases += half.driver.cases.filter((x) => x.failed).length;
  const halfLat = half.driver.lat;
  const lag = summarize(half.driver.arrivalLagMs);

  // Time from the last approval (or, fast-tracked, from the submission) to the stored certificates, at half load.
  const done = await completionTimes(env.orm, half.driver.cases.filter((c) => c.caseNo && c.completedAt).map((c) => c.caseNo!));
  const toCerts: number[] = [];
  const fastTrack: number[] = [];
  for (const c of half.driver.cases) {
    const at = c.caseNo ? done.get(c.caseNo) : undefined;
    if (at === undefined) continue;
    if (FAST_TRACKED.includes(c.variant.service)) fastTrack.push(at - c.submitStartedAt!);
    else if (c.lastApprovalAt) toCerts.push(at - c.lastApprovalAt);
  }

  // ---- Report ----
  const sat = platform.saturation;
  const bsat = baseline?.saturation;
  const ratio = bsat ? sat.throughput / bsat.throughput : undefined;
  const cpuRatio = bsat ? bsat.cpuPerCase / sat.cpuPerCase : undefined;
  console.log('');
  console.log('Saturation search (closed loop; throughput in the steady window, CPU s per completed case of the stack):');
  const curveRows = (name: string, r: SaturationResult) =>
    r.steps.map((s) => [
      `${name}${s === r.saturation ? ' ◀ saturation' : ''}`,
      String(s.concurrency),
      `${s.completed}/${s.cases}`,
      s.throughput.toFixed(2),
      s.cpuPerCase.toFixed(3),
      `${(s.cpu.machineBusy * 100).toFixed(0)}%`,
      fmtMs(s.latency?.decision?.p99),
      fmtMs(s.latency?.submit?.p99),
    ]);
  console.log(
    table(['phase', 'in flight', 'cases', 'cases/s', 'CPU s/case', 'machine busy', 'decision p99', 'submit p99'], [
      ...curveRows('platform', platform),
      ...(baseline ? curveRows('baseline', baseline) : []),
    ]),
  );
  console.log('');
  console.log(`platform: ${sat.throughput.toFixed(2)} cases/s at saturation (${sat.concurrency} in flight), ${sat.cpuPerCase.toFixed(3)} CPU s per case`);
  if (bsat) console.log(`baseline: ${bsat.throughput.toFixed(2)} cases/s at saturation (${bsat.concurrency} in flight), ${bsat.cpuPerCase.toFixed(3)} CPU s per case`);
  if (ratio !== undefined) console.log(`platform/baseline throughput ratio: ${ratio.toFixed(2)}`);
  if (cpuRatio !== undefined) console.log(`platform/baseline CPU per case ratio: ${cpuRatio.toFixed(2)}`);
  if (ratio !== undefined) console.log('  (both read "higher is better", target >= 0.8: the CPU line is baseline ÷ platform CPU seconds per case)');
  // CPU per case falls with concurrency (polling and timers are shared by more cases): also at the same concurrency.
  const same = baseline ? platform.steps.filter((p) => baseline.steps.some((b) => b.concurrency === p.concurrency)).pop() : undefined;
  const sameB = same ? baseline?.steps.find((b) => b.concurrency === same.concurrency) : undefined;
  if (same && sameB && (same !== sat || sameB !== bsat)) {
    console.log(`  at the same concurrency (${same.concurrency} in flight): CPU s per case platform ${same.cpuPerCase.toFixed(3)}, baseline ${sameB.cpuPerCase.toFixed(3)}, ratio ${(sameB.cpuPerCase / same.cpuPerCase).toFixed(2)}`);
  }
  console.log('');
  console.log('CPU seconds per completed case at saturation, by process (the load driver is not part of the stack):');
  const partNames = [...new Set([...Object.keys(sat.cpuPerCasePart), ...Object.keys(bsat?.cpuPerCasePart ?? {})])];
  console.log(
    table(['process', 'platform', 'baseline'], [
      ...partNames.map((k) => [k, sat.cpuPerCasePart[k]?.toFixed(3) ?? '—', bsat?.cpuPerCasePart[k]?.toFixed(3) ?? '—']),
      ['stack total (without driver and shared)', sat.cpuPerCase.toFixed(3), bsat?.cpuPerCase.toFixed(3) ?? '—'],
    ]),
  );
  console.log(`platform at saturation: ${formatCpu(sat.cpu)}`);
  if (bsat) console.log(`baseline at saturation: ${formatCpu(bsat.cpu)}`);
  if (breakdown.length && bsat) {
    console.log('');
    console.log(`Overhead breakdown (the baseline with the platform's extras added one at a time, ${bsat.concurrency} in flight):`);
    console.log(
      table(['run', 'cases/s', 'CPU s per case', 'Temporal server CPU s per case'], [
        ['baseline: bare', bsat.throughput.toFixed(2), bsat.cpuPerCase.toFixed(3), (bsat.cpuPerCasePart['Temporal server'] ?? 0).toFixed(3)],
        ...breakdown.map((b) => [`baseline: ${b.mode}`, b.step.throughput.toFixed(2), b.step.cpuPerCase.toFixed(3), (b.step.cpuPerCasePart['Temporal server'] ?? 0).toFixed(3)]),
        ['platform', sat.throughput.toFixed(2), sat.cpuPerCase.toFixed(3), (sat.cpuPerCasePart['Temporal server'] ?? 0).toFixed(3)],
      ]),
    );
  }
  console.log('');
  console.log('Per case (read from one finished case history of each kind; the baseline copies signals and activities):');
  console.log(
    table(
      ['kind', 'signals', 'activities', 'timers', 'workflow tasks', 'history events', 'activities per phase'],
      [...profiles].map(([k, p]) => [k, String(p.signals), String(p.activities), String(p.timers), String(p.workflowTasks), String(p.events), p.phases.join(' ')]),
    ),
  );
  console.log('');
  console.log(`Latency at half load: ${rate.toFixed(2)} new cases/s (open loop, ${half.driver.completed}/${halfN} cases completed; arrivals late by p99 ${fmtMs(lag?.p99)} ms):`);
  console.log(
    latencyTable(halfLat, [
      { key: 'submit', label: 'submit (POST /cases)', target: 'p99 < 150' },
      { key: 'decision', label: 'decision (POST …/decision)', target: 'p99 < 50' },
      { key: 'status', label: 'case status (GET /cases/:no)' },
      { key: 'queue', label: 'reviewer queue (GET /reviews)' },
      { key: 'supplement', label: 'supplement (POST …/supplements)' },
      { key: 'claim', label: 'claim (POST /reviews/:id/claim)' },
    ]),
  );
  const row = (label: string, s: Summary | undefined) => [label, String(s?.count ?? 0), fmtMs(s?.p50), fmtMs(s?.p95), fmtMs(s?.p99), fmtMs(s?.max)];
  console.log(
    table(['to the certificates (half load)', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], [
      row('last approval → certificates stored', summarize(toCerts)),
      row('fast track: submit → certificates stored', summarize(fastTrack)),
    ]),
  );
  console.log(`half load ${formatCpu(half.cpu)}`);
  const fails = new Map<string, number>();
  for (const [k, v] of half.driver.failures) fails.set(k, (fails.get(k) ?? 0) + v);
  if (fails.size) console.log(`failed calls at half load: ${[...fails].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  const memory = stack?.memory() ?? {};
  console.log(`peak memory (VmHWM): worker ${memory.worker?.peakMiB.toFixed(0) ?? 'n/a'} MiB, API ${memory.api?.peakMiB.toFixed(0) ?? 'n/a'} MiB, Temporal dev server ${memory.temporal?.peakMiB.toFixed(0) ?? 'n/a'} MiB, bench ${readMemory(process.pid)?.peakMiB.toFixed(0)} MiB`);

  const dec = halfLat.summary('decision');
  const sub = halfLat.summary('submit');
  const mark = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED');
  console.log('');
  console.log(
    table(['target', 'goal', 'measured', ''], [
      ['platform/baseline throughput ratio', '>= 0.8', ratio?.toFixed(2) ?? '—', mark(ratio === undefined ? undefined : ratio >= 0.8)],
      ['platform/baseline CPU per case ratio', '>= 0.8', cpuRatio?.toFixed(2) ?? '—', mark(cpuRatio === undefined ? undefined : cpuRatio >= 0.8)],
      ['decision p99 at half load', '< 50 ms', fmtMs(dec?.p99), mark(dec ? dec.p99 < 50 : undefined)],
      ['submit p99 at half load', '< 150 ms', fmtMs(sub?.p99), mark(sub ? sub.p99 < 150 : undefined)],
    ]),
  );

  // ---- Results and charts ----
  const date = new Date().toISOString();
  const results = {
    date,
    command: COMMAND,
    machine: machine(),
    cores: os.cpus().length,
    ramGiB: os.totalmem() / 2 ** 30,
    args: { ...args, casesPerStep: args.ladder.map((c) => args.casesPerStep(c)) },
    saturation: { platform, baseline },
    ratio,
    cpuRatio,
    breakdown,
    profiles: Object.fromEntries(profiles),
    halfLoad: {
      arrivalsPerSecond: rate,
      cases: halfN,
      completed: half.driver.completed,
      arrivalLag: lag,
      latency: Object.fromEntries(halfLat.names().map((n) => [n, halfLat.summary(n)])),
      toCertificates: summarize(toCerts),
      fastTrack: summarize(fastTrack),
      cpu: half.cpu,
      failures: Object.fromEntries(half.driver.failures),
    },
    closedLoopLatency: Object.fromEntries(platformLat.names().map((n) => [n, platformLat.summary(n)])),
    memory,
    failedCases,
    wallSeconds: (Date.now() - t0) / 1000,
  };
  saveResults(results, 'saturation');
  return failedCases > 0 ? 1 : 0;
}

/** Results JSON and charts: logs/bench/ always; bench/results/ and docs/img/ with --publish. */
function saveResults(results: { date: string } & Record<string, unknown>, kind: string): void {
  const stamp = results.date.replace(/[:.]/g, '-').slice(0, 19);
  const dirs = [path.join(PROJECT_ROOT, 'logs', 'bench')];
  if (args.publish) dirs.push(path.join(PROJECT_ROOT, 'bench', 'results'));
  for (const dir of dirs) {
    fs.mkdirSync(dir, { recursive: true });
    const f = path.join(dir, `${stamp}-${kind}${args.quick ? '-quick' : ''}.json`);
    fs.writeFileSync(f, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`results: ${path.relative(process.cwd(), f)}`);
  }
  if (kind === 'saturation') {
    const charts = writeCharts(results as unknown as ChartInput, args.publish ? path.join(PROJECT_ROOT, 'docs', 'img') : path.join(PROJECT_ROOT, 'logs', 'bench'));
    console.log(`charts: ${charts.map((c) => path.relative(process.cwd(), c)).join(', ')}`);
  }
}

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

async function openCasesRun(env: Env): Promise<number> {
  const open: OpenCasesResult = await openCasesCheck({ api: env.apis, orm: env.orm, stack, client: env.client, count: args.openCases, jwt: env.jwt, runId: env.runId, say, concurrency: stack?.poolDeadlock ? 8 : 48, waitMinutes: args.openWaitMinutes });
  printOpenCases(open);
  saveResults({ date: new Date().toISOString(), command: COMMAND, machine: machine(), open: { ...open, table: undefined } }, 'open-cases');
  return 0;
}

async function certificatesRun(env: Env): Promise<number> {
  // A real signed certificate to copy: a few cases through the platform first (the oversize one is fast-tracked).
  say('a few cases through the platform first: the certificates to copy');
  const { driver } = await platformStep(env, 3, 3, 'seed cases');
  if (driver.completed === 0) throw new Error('no case completed: no certificate to copy');
  const certs: CertificateCheckResult = await certificateCheck({ orm: env.orm, apiBase: env.apiBases[0]!, databaseUrl: env.databaseUrl, stack, count: args.certificates, rate: args.verifyRate, seconds: args.verifySeconds, apis: args.verifyApis, say });
  printCertificates(certs);
  saveResults({ date: new Date().toISOString(), command: COMMAND, machine: machine(), certificates: certs }, 'certificates');
  return 0;
}

/**
 * Scale-out: the same closed-loop step (args.scaleOutConcurrency in flight) with 1 worker + 1 API, 2 workers + 1 API,
 * 2 + 2 and 1 + 2, on one Temporal server and one database, processes added and removed between the runs.
 */
async function scaleOutRun(env: Env): Promise<number> {
  const c = args.scaleOutConcurrency;
  const n = args.casesPerStep(c);
  const rows: { config: string; step: StepMeasure }[] = [];
  let failed = 0;
  const measure = async (config: string, apiBases: string[]) => {
    const apis = new HttpClient(apiBases, { maxSockets: 256 });
    const e = { ...env, apis };
    say(`scale-out: ${config}, ${c} in flight, ${n} cases`);
    const { driver, cpu } = await platformStep(e, c, n, config);
    apis.close();
    failed += driver.cases.filter((x) => x.failed).length;
    const step = measureStep({ concurrency: c, cases: n, completions: driver.cases.flatMap((x) => (x.completedAt ? [x.completedAt] : [])), failed: driver.cases.filter((x) => x.failed).length, startedAt: driver.startedAt, lastHandoutAt: driver.lastHandoutAt, finishedAt: driver.finishedAt, cpu, latency: latencyBrief(driver.lat) });
    say(`  ${step.throughput.toFixed(2)} cases/s, ${step.cpuPerCase.toFixed(3)} CPU s per case, machine ${(cpu.machineBusy * 100).toFixed(0)}% busy`);
    rows.push({ config, step });
  };
  if (!stack) throw new Error('scale-out needs a stack of its own (no --attach)');
  const base = stack.apiBases[0]!;
  const second = `http://127.0.0.1:${stack.o.apiPort + 10}`;
  await measure('1 worker, 1 API', [base]);
  await stack.addProcess('worker');
  await measure('2 workers, 1 API', [base]);
  await stack.addProcess('api');
  await measure('2 workers, 2 APIs', [base, second]);
  await stack.removeExtra('worker');
  await measure('1 worker, 2 APIs', [base, second]);
  console.log('');
  const parts = [...new Set(rows.flatMap((r) => Object.keys(r.step.cpuPerCasePart)))].filter((k) => k !== PG_SHARED);
  console.log(
    table(['configuration', 'cases/s', 'CPU s/case', ...parts.map((p) => `${p} s/case`), 'machine busy', 'decision p99', 'submit p99'], rows.map(({ config, step }) => [
      config,
      step.throughput.toFixed(2),
      step.cpuPerCase.toFixed(3),
      ...parts.map((p) => step.cpuPerCasePart[p]?.toFixed(3) ?? '—'),
      `${(step.cpu.machineBusy * 100).toFixed(0)}%`,
      fmtMs(step.latency?.decision?.p99),
      fmtMs(step.latency?.submit?.p99),
    ])),
  );
  console.log(`(${os.cpus().length} cores: a second process adds capacity only where a process, not the machine, was the bound)`);
  saveResults({ date: new Date().toISOString(), command: COMMAND, machine: machine(), concurrency: c, cases: n, scaleOut: rows }, 'scale-out');
  return failed > 0 ? 1 : 0;
}

function chartsRun(): number {
  const file = args.positional[0];
  if (!file) throw new Error('charts needs a results file: npm run bench -- charts bench/results/<file>.json');
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as ChartInput;
  const out = args.out ?? path.join(PROJECT_ROOT, 'docs', 'img');
  for (const f of writeCharts(results, out)) console.log(`chart: ${path.relative(process.cwd(), f)}`);
  return 0;
}

async function main(): Promise<number> {
  if (args.command === 'charts') return chartsRun();
  const t0 = Date.now();
  console.log(`OneStop benchmark — ${args.command}${args.quick ? ' (quick)' : ''}${args.full ? ' (full)' : ''}`);
  console.log(`machine: ${machine()}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} before the start`);
  console.log(`command: ${COMMAND}`);
  let code = 0;
  if (args.command === 'scale-out') {
    const env = await bringUp();
    code = await scaleOutRun(env);
  } else {
    // The certificate check's Ed25519 key must exist before the API starts (it loads its sibling keys at start).
    if (args.command === 'scale-certificates' || args.full) prepareBenchEd25519Key(path.join(PROJECT_ROOT, '.data', 'bench', 'keys'));
    const env = await bringUp();
    if (args.command === 'saturation') code = await saturationRun(env);
    if (args.command === 'scale-open-cases' || args.full) code = Math.max(code, await openCasesRun(env));
    if (args.command === 'scale-certificates' || args.full) code = Math.max(code, await certificatesRun(env));
  }
  console.log(`total time ${((Date.now() - t0) / 1000).toFixed(0)} s (including the stack's start)`);
  if (args.full && args.command === 'saturation') console.log('scale-out is a run of its own (it adds processes): npm run bench -- scale-out');
  return code;
}

runMain(main, async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await stack?.stop();
});
