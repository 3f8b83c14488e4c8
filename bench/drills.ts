/**
 * `npm run drill -- kill-worker|restart-temporal|postgres-outage|duplicates|all`: scripted, repeatable failure
 * drills. Each brings up a stack of its own (bench/stack.ts: database onestop_drill, Temporal dev server on :17243 with
 * its data in .data/drill, worker and API as child processes), runs the platform load (bench/driver.ts) or a scripted
 * sequence through the HTTP API, does its damage mid-run, and ends with the automatic check that nothing was lost or
 * duplicated (bench/checks.ts). Exit code 0 only if every drill run passed.
 *
 *   kill-worker       SIGKILL the worker while 100+ cases are in flight, start a new one
 *   restart-temporal  stop the Temporal dev server mid-run (its SQLite file persists), start it again
 * Both print the recovery time of the slowest case (from the fault, or for restart-temporal from the server being
 * back, to that case's next completed workflow task or activity; cases that owed nothing at the fault, waiting on a
 * person or a clock, are not counted) and fail when it is over 30 s (issue 13).
 *   postgres-outage   stop PostgreSQL for 30 s mid-run (pg_ctlcluster; always restarted, also on errors and Ctrl-C)
 *   duplicates        the same decision twice and the same supplement twice, through the API: applied once
 *   all               all four, the PostgreSQL outage last
 *
 * Options: --cases N (default 150 for kill-worker, 120 otherwise), --outage-seconds S (default 30).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import { signDevToken } from '../api/http/auth';
import { freightCompanyExample, schoolBusExample } from '../api/schemas/examples';
import { openOrm } from '../infra/db/orm';
import { humanReviewOrder, loadServiceCatalog } from '../infra/services/catalog';
import { checkNothingLostOrDuplicated, type CheckedCase } from './checks';
import { CpuMeter, formatCpu, postgresPids } from './cpu';
import { PlatformDriver, watchCases, type ServiceCode } from './driver';
import { HttpClient, type Reply } from './http';
import { runMain, Stack } from './stack';
import { Progress } from './stats';

const DRILLS = ['duplicates', 'kill-worker', 'restart-temporal', 'postgres-outage'] as const;
type Drill = (typeof DRILLS)[number];

const argv = process.argv.slice(2);
const which = argv.find((a) => !a.startsWith('--')) ?? '';
const numArg = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : undefined;
};
const say = (line: string) => console.log(`▸ ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const elapsed = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

let stack: Stack | undefined;
let postgresStopped = false;
const closers: (() => Promise<void>)[] = [];

// ---- PostgreSQL control (this machine: a local PostgreSQL cluster run as root) ----
function pgCluster(): { version: string; name: string } {
  const version = process.env.PG_CLUSTER_VERSION ?? fs.readdirSync('/etc/postgresql').sort().pop();
  if (!version) throw new Error('no cluster under /etc/postgresql: the postgres-outage drill needs a local PostgreSQL managed by pg_ctlcluster');
  return { version, name: process.env.PG_CLUSTER_NAME ?? 'main' };
}
function pgCtl(action: 'stop' | 'start'): void {
  const { version, name } = pgCluster();
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action], { stdio: 'inherit' });
  postgresStopped = action === 'stop';
}
// Last resort, synchronous, so it runs whatever way this process ends (short of SIGKILL).
process.once('exit', () => {
  if (!postgresStopped) return;
  const { version, name } = pgCluster();
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start'], { stdio: 'inherit' });
});
async function ensurePostgresStarted(): Promise<void> {
  if (!postgresStopped) return;
  console.log('▸ restarting PostgreSQL (cleanup)');
  pgCtl('start');
}

interface DrillResult {
  drill: Drill;
  ok: boolean;
  lines: string[];
  problems: string[];
}

async function startStack(): Promise<{ stack: Stack; api: HttpClient; client: Client; orm: MikroORM }> {
  // The worker with its defaults (10 workflow tasks at once since b339c29: with 40, restart-temporal's slowest case
  // took 30.5 s, its tasks timing out and retried; with 10, 21.1 s).
  stack = new Stack({ name: 'drill', temporalPort: 17243, temporalUiPort: 18243, apiPort: 13100, workerHealthPort: 13101 });
  await stack.start();
  const api = new HttpClient(stack.apiBase, { maxSockets: 256, timeoutMs: 60_000 });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, namespace: 'default', dataConverter: stack.dataConverter() });
  const orm = await openOrm(stack.databaseUrl);
  const s = stack;
  const close = async () => {
    api.close();
    await orm.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await s.stop();
    if (stack === s) stack = undefined;
  };
  closers.push(close);
  return { stack: s, api, client, orm };
}

async function stopStack(): Promise<void> {
  await closers.pop()?.();
}

function checkedCases(driver: PlatformDriver): CheckedCase[] {
  return driver.cases
    .filter((c) => c.caseNo)
    .map((c) => ({ caseNo: c.caseNo!, service: c.variant.service, supplement: c.variant.supplement, acceptedDecisions: c.decisions.map((d) => d.decisionId) }));
}

function failureSummary(driver: PlatformDriver): string {
  return driver.failures.size ? [...driver.failures].map(([k, v]) => `${k} ×${v}`).join(', ') : 'none';
}

/** The load of the three long drills: the bench's applicants and reviewers, with a progress line. */
function makeDriver(s: Stack, api: HttpClient, orm: MikroORM, n: number, concurrency: number): PlatformDriver {
  return new PlatformDriver(api, {
    n,
    concurrency,
    jwt: s.jwt,
    timeoutMs: 15 * 60_000,
    watch: (caseNos) => watchCases(orm, caseNos),
    ...(s.poolDeadlock ? { submitParallelism: 8 } : {}),
  });
}

async function runWithProgress(driver: PlatformDriver, label: string, during: (driver: PlatformDriver) => Promise<void>): Promise<void> {
  const progress = new Progress(
    () => `  ${label}: ${driver.completed}/${driver.cases.length} done, ${driver.inFlightCases} in flight, ${elapsed(driver.startedAt)}, failed calls ${[...driver.failures.values()].reduce((a, b) => a + b, 0)}`,
  );
  progress.start();
  try {
    await Promise.all([driver.run(), during(driver)]);
  } finally {
    progress.stop();
  }
}

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 10 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function finish(drill: Drill, driver: PlatformDriver, orm: MikroORM, client: Client, lines: string[]): Promise<DrillResult> {
  const failed = driver.cases.filter((c) => c.failed);
  lines.push(`load: ${driver.completed}/${driver.cases.length} cases completed in ${((driver.finishedAt - driver.startedAt) / 1000).toFixed(0)} s; failed calls (retried): ${failureSummary(driver)}; 409s: ${driver.conflicts}`);
  const check = await checkNothingLostOrDuplicated(orm, client, checkedCases(driver));
  const problems = [...failed.map((c) => `case #${c.index} ${c.caseNo ?? ''}: ${c.failed}`), ...check.problems];
  return { drill, ok: problems.length === 0, lines: [...lines, ...check.lines], problems };
}

// ---- Recovery time ----
const EventType = temporal.api.enums.v1.EventType;
const RECOVERY_TARGET_S = 30;

interface Recovery {
  caseNo: string;
  /** When the case was owed progress: the fault, or a message that reached it while the fault lasted. */
  owedSince: number;
  /** The next workflow task or activity completed after that. */
  progressAt: number;
  waitedOn: string;
}

/**
 * From each case's history: was progress owed at the fault (`faultAt`: a workflow task or an activity scheduled or
 * running and not finished), or did a message arrive before the platform was whole again (`backAt`)? Then the
 * case's recovery is the time from then to the next workflow task or activity the platform completed for it. Cases
 * waiting on a person or a clock at the fault owe nothing and are not counted.
 */
async function recoveries(client: Client, caseNos: string[], faultAt: number, backAt: number): Promise<Recovery[]> {
  const out: Recovery[] = [];
  for (const caseNo of caseNos) {
    const history = await client.workflow.getHandle(caseNo).fetchHistory();
    let wftPending = false;
    const activities = new Map<string, string>();
    let owedSince: number | undefined;
    let waitedOn = '';
    for (const e of history.events ?? []) {
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
      const id = String(e.eventId);
      if (at > faultAt && owedSince === undefined) {
        // The state at the fault: progress was owed if a task was outstanding.
        if (wftPending || activities.size > 0) {
          owedSince = faultAt;
          waitedOn = activities.size > 0 ? `activity ${[...activities.values()].join(', ')}` : 'workflow task';
        }
      }
      if (owedSince === undefined && at > faultAt && at <= backAt && e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) {
        owedSince = at; // a message (or a timer) reached the case while the fault lasted
        waitedOn = 'workflow task for a message that arrived during the fault';
      }
      if (owedSince !== undefined && at >= owedSince && (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)) {
        out.push({ caseNo, owedSince, progressAt: at, waitedOn });
        break;
      }
      if (at > backAt && owedSince === undefined) break; // nothing owed through the fault
      switch (e.eventType) {
        case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
          wftPending = true;
          break;
        case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
          wftPending = false;
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
          activities.set(id, e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
          activities.delete(String(e.activityTaskCompletedEventAttributes?.scheduledEventId));
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
          activities.delete(String(e.activityTaskFailedEventAttributes?.scheduledEventId));
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
          activities.delete(String(e.activityTaskTimedOutEventAttributes?.scheduledEventId));
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
          activities.delete(String(e.activityTaskCanceledEventAttributes?.scheduledEventId));
          break;
        default:
      }
    }
  }
  return out;
}

/**
 * Where the CPU went from the fault to the end of the load: recovery is bound by the worker's throughput, and on a
 * shared 2-core machine other processes take their share (the line says how much).
 */
function stackMeter(s: Stack): CpuMeter {
  const meter = new CpuMeter({
    'Temporal server': () => (s.temporal?.pid ? [s.temporal.pid] : []),
    worker: () => (s.worker?.pid ? [s.worker.pid] : []),
    API: () => (s.api?.pid ? [s.api.pid] : []),
    PostgreSQL: postgresPids,
    'drill (load)': () => [process.pid],
  });
  meter.start();
  return meter;
}

/** The drill's recovery lines; a problem when the slowest case took longer than the target. */
function recoveryLines(r: Recovery[], from: string, fromMs: number, problems: string[]): string[] {
  if (r.length === 0) return [`recovery: no case owed progress at the fault`];
  // A case that moved before `fromMs` (the server answered before the drill saw it ready) counts as 0.
  const waits = r.map((x) => ({ ...x, s: Math.max(0, x.progressAt - Math.max(x.owedSince, fromMs)) / 1000 })).sort((a, b) => b.s - a.s);
  const slowest = waits[0]!;
  const p50 = waits[Math.floor(waits.length / 2)]!.s;
  const ok = slowest.s <= RECOVERY_TARGET_S;
  if (!ok) problems.push(`slowest case recovered in ${slowest.s.toFixed(1)} s after ${from} (target <= ${RECOVERY_TARGET_S} s): ${slowest.caseNo}, waiting on ${slowest.waitedOn}`);
  return [
    `recovery after ${from}: ${r.length} case(s) owed progress; slowest ${slowest.s.toFixed(1)} s (${slowest.caseNo}, waiting on ${slowest.waitedOn}), median ${p50.toFixed(1)} s — ${ok ? 'within' : 'OVER'} the ${RECOVERY_TARGET_S} s target`,
  ];
}

// ---- The drills ----

async function killWorker(): Promise<DrillResult> {
  const { stack: s, api, client, orm } = await startStack();
  const n = numArg('cases') ?? 150;
  const driver = makeDriver(s, api, orm, n, Math.max(110, Math.ceil(n * 0.8)));
  const lines: string[] = [];
  let killedAt = 0;
  let backAt = 0;
  let meter: CpuMeter | undefined;
  await runWithProgress(driver, 'kill-worker', async (d) => {
    await waitUntil('100 cases in flight', () => d.inFlightCases >= 100 && d.decisionsAccepted >= 20);
    const inFlight = d.inFlightCases;
    const decided = d.decisionsAccepted;
    const t0 = Date.now();
    const pid = s.worker?.pid;
    await s.killWorker('SIGKILL');
    killedAt = Date.now();
    meter = stackMeter(s);
    say(`worker (pid ${pid}) killed with SIGKILL with ${inFlight} cases in flight (${decided} decisions accepted so far)`);
    await sleep(5000); // reviewers and applicants keep going while no worker runs
    const during = d.decisionsAccepted - decided;
    await s.startWorker();
    backAt = Date.now();
    lines.push(`SIGKILL with ${inFlight} cases in flight; ${during} decisions accepted while no worker ran; new worker up ${elapsed(t0)} after the kill`);
  });
  const problems: string[] = [];
  if (meter) lines.push(`from the SIGKILL to the end of the load: ${formatCpu(meter.stop())}`);
  const r = await recoveries(client, driver.cases.filter((c) => c.caseNo).map((c) => c.caseNo!), killedAt, backAt);
  lines.push(...recoveryLines(r, 'the SIGKILL', killedAt, problems));
  const result = await finish('kill-worker', driver, orm, client, lines);
  return { ...result, ok: result.ok && problems.length === 0, problems: [...result.problems, ...problems] };
}

async function restartTemporal(): Promise<DrillResult> {
  const { stack: s, api, client, orm } = await startStack();
  const n = numArg('cases') ?? 120;
  const driver = makeDriver(s, api, orm, n, 60);
  const lines: string[] = [];
  let stoppedAt = 0;
  let backAt = 0;
  let meter: CpuMeter | undefined;
  await runWithProgress(driver, 'restart-temporal', async (d) => {
    await waitUntil('a run well under way', () => d.completed >= 15 && d.inFlightCases >= 40);
    const inFlight = d.inFlightCases;
    const t0 = Date.now();
    stoppedAt = t0;
    await s.stopTemporal();
    say(`Temporal dev server stopped (SIGTERM) with ${inFlight} cases in flight`);
    await sleep(5000);
    await s.startTemporal();
    backAt = Date.now();
    meter = stackMeter(s);
    lines.push(`Temporal stopped with ${inFlight} cases in flight, back (same SQLite file) ${elapsed(t0)} later`);
  });
  const problems: string[] = [];
  if (meter) lines.push(`from the restart to the end of the load: ${formatCpu(meter.stop())}`);
  const r = await recoveries(client, driver.cases.filter((c) => c.caseNo).map((c) => c.caseNo!), stoppedAt, backAt);
  // Measured from the server's return (it cannot make progress while it is down), and shown from the stop too.
  lines.push(...recoveryLines(r, 'the restart (server back up)', backAt, problems));
  const fromStop = r.length ? Math.max(...r.map((x) => x.progressAt - stoppedAt)) / 1000 : 0;
  lines.push(`slowest case from the stop itself: ${fromStop.toFixed(1)} s (the server was down ${((backAt - stoppedAt) / 1000).toFixed(1)} s of it)`);
  const result = await finish('restart-temporal', driver, orm, client, lines);
  return { ...result, ok: result.ok && problems.length === 0, problems: [...result.problems, ...problems] };
}

async function postgresOutage(): Promise<DrillResult> {
  const { stack: s, api, client, orm } = await startStack();
  const n = numArg('cases') ?? 120;
  const outageMs = (numArg('outage-seconds') ?? 30) * 1000;
  const driver = makeDriver(s, api, orm, n, 60);
  const lines: string[] = [];
  // /readyz, every 250 ms, from the start of the load to its end: each transition with its time.
  const transitions: string[] = [];
  let readyzStop = false;
  let last = '';
  let outageStart = 0;
  const readyz = (async () => {
    while (!readyzStop) {
      let now: string;
      try {
        const r = await api.request('GET', '/readyz', { timeoutMs: 5000 });
        now = `${r.status} ${JSON.stringify(r.body)}`;
      } catch (err) {
        now = `ERR ${(err as Error).message}`;
      }
      if (now !== last) {
        transitions.push(`${outageStart ? `t${Date.now() - outageStart >= 0 ? '+' : ''}${((Date.now() - outageStart) / 1000).toFixed(1)} s` : 'start'}: ${now}`);
        last = now;
      }
      await sleep(250);
    }
  })();
  const before = new Map<string, number>();
  try {
    await runWithProgress(driver, 'postgres-outage', async (d) => {
      await waitUntil('a run well under way', () => d.completed >= 15 && d.inFlightCases >= 40);
      for (const [k, v] of d.failures) before.set(k, v);
      const inFlight = d.inFlightCases;
      outageStart = Date.now();
      pgCtl('stop');
      say(`PostgreSQL stopped with ${inFlight} cases in flight; starting it again in ${outageMs / 1000} s`);
      try {
        await sleep(outageMs);
      } finally {
        pgCtl('start');
      }
      const down = Date.now() - outageStart;
      say(`PostgreSQL started again after ${(down / 1000).toFixed(1)} s`);
      lines.push(`PostgreSQL down ${(down / 1000).toFixed(1)} s with ${inFlight} cases in flight`);
      const during = [...d.failures].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, v]) => v > 0);
      lines.push(`answers during the outage (not 2xx/409): ${during.map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'}`);
    });
  } finally {
    readyzStop = true;
    await readyz;
  }
  lines.push(`/readyz transitions: ${transitions.join(' → ')}`);
  const result = await finish('postgres-outage', driver, orm, client, lines);
  const went = transitions.some((t) => t.includes(' 503 ')) && transitions[transitions.length - 1]?.includes(' 200 ');
  if (!went) result.problems.push('/readyz did not go red (503) and back to green (200)');
  const saw503 = [...driver.failures.keys()].some((k) => k.endsWith(' 503'));
  if (!saw503) result.problems.push('no 503 answer was observed during the outage');
  result.ok = result.problems.length === 0;
  return result;
}

async function duplicates(): Promise<DrillResult> {
  const { stack: s, api, client, orm } = await startStack();
  const portal = signDevToken({ sub: 'drill-portal', role: 'portal' }, s.jwt);
  const transport = signDevToken({ sub: 'drill-tr', role: 'reviewer', department: 'transport' }, s.jwt);
  const lines: string[] = [];
  const problems: string[] = [];
  const cases: CheckedCase[] = [];
  const waitFor = async <T>(what: string, fn: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  const caseStatus = async (caseNo: string) => (await api.request('GET', `/api/v1/cases/${caseNo}`, { token: portal })).body as { status: string; certificates: unknown[] };
  const openTask = (caseNo: string, round: number) =>
    waitFor(`transport-review round ${round} of ${caseNo} in the queue`, async () => {
      const q = await api.request('GET', '/api/v1/reviews?status=open&limit=500', { token: transport });
      return (q.body.tasks as { caseNo: string; stepId: string; round: number }[]).find((t) => t.caseNo === caseNo && t.stepId === 'transport-review' && t.round === round);
    });
  // Deciding requires holding the claim on the step's open task (claiming again as its holder is a no-op).
  const claimOpen = async (caseNo: string, stepId: string, token: string) => {
    const q = await api.request('GET', '/api/v1/reviews?status=open&limit=500', { token });
    const task = (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId);
    if (task) await api.request('POST', `/api/v1/reviews/${encodeURIComponent(task.taskId)}/claim`, { token });
  };
  const decide = async (caseNo: string, key: string, body: unknown) => {
    await claimOpen(caseNo, 'transport-review', transport);
    return api.request('POST', `/api/v1/cases/${caseNo}/steps/transport-review/decision`, { token: transport, body, headers: { 'idempotency-key': key } });
  };
  const supply = (caseNo: string, key: string) =>
    api.request('POST', `/api/v1/cases/${caseNo}/supplements`, {
      token: portal,
      body: { materials: [{ material: 'safety-system', reference: 'upload:drill-safety-2' }] },
      headers: { 'idempotency-key': key },
    });
  const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).join('+');

  // Three freight cases, each: supplement request twice, supplement twice, approval twice; at once, then one after the other.
  for (const mode of ['concurrent', 'sequential', 'concurrent'] as const) {
    const sub = await api.request('POST', '/api/v1/cases', { token: portal, body: freightCompanyExample(), headers: { 'idempotency-key': `drill-dup-${mode}-${Date.now()}` } });
    if (sub.status !== 201) throw new Error(`submit answered ${sub.status}`);
    const caseNo = sub.body.caseNo as string;
    const accepted: string[] = [];
    const twice = async (send: () => Promise<Reply>): Promise<Reply[]> => (mode === 'concurrent' ? Promise.all([send(), send()]) : [await send(), await send()]);
    await openTask(caseNo, 1);
    const ask = { decision: 'request_supplement', comment: 'incomplete', missing: [{ material: 'safety-system', reason: 'unsigned' }] };
    const r1 = await twice(() => decide(caseNo, `drill-ask-${caseNo}`, ask));
    accepted.push(...r1.filter((r) => r.status === 202).map((r) => r.body.decisionId as string));
    await waitFor('awaiting_supplement', async () => ((await caseStatus(caseNo)).status === 'awaiting_supplement' ? true : undefined));
    const r2 = await twice(() => supply(caseNo, `drill-sup-${caseNo}`));
    await openTask(caseNo, 2);
    const approve = { decision: 'approve', comment: '同意' };
    const r3 = await twice(() => decide(caseNo, `drill-ok-${caseNo}`, approve));
    accepted.push(...r3.filter((r) => r.status === 202).map((r) => r.body.decisionId as string));
    // A third copy after the case has moved on, with a fresh key: refused by the API, never applied.
    const late = await decide(caseNo, `drill-late-${caseNo}`, approve);
    const done = await waitFor('completion', async () => {
      const c = await caseStatus(caseNo);
      return c.status === 'completed' && c.certificates.length > 0 ? c : undefined;
    });
    const sameIds = (rs: Reply[]) => new Set(rs.filter((r) => r.status === 202).map((r) => (r.body.decisionId ?? r.body.supplementId) as string)).size <= 1;
    if (!sameIds(r1) || !sameIds(r2) || !sameIds(r3)) problems.push(`${caseNo}: one Idempotency-Key gave two different message ids`);
    if (![...r1, ...r2, ...r3].every((r) => r.status === 202 || r.status === 409)) problems.push(`${caseNo}: unexpected answers ${statuses([...r1, ...r2, ...r3])}`);
    if (late.status !== 409) problems.push(`${caseNo}: a decision on a closed step answered ${late.status}, expected 409`);
    lines.push(
      `${caseNo} (${mode}): request_supplement twice → ${statuses(r1)}, supplement twice → ${statuses(r2)}, approve twice → ${statuses(r3)}, ` +
        `approve again later → ${late.status}; completed with ${done.certificates.length} certificates`,
    );
    cases.push({ caseNo, service: 'FREIGHTCO' as ServiceCode, supplement: true, acceptedDecisions: accepted });
  }
  // And a school-bus case decided twice at every step, both copies at once.
  const sb = await api.request('POST', '/api/v1/cases', { token: portal, body: schoolBusExample(), headers: { 'idempotency-key': `drill-dup-sb-${Date.now()}` } });
  const sbNo = sb.body.caseNo as string;
  const plan = humanReviewOrder(loadServiceCatalog().get('SCHOOLBUS')!);
  const sbAccepted: string[] = [];
  const sbAnswers: string[] = [];
  for (const [department, step] of plan) {
    const token = signDevToken({ sub: `drill-${department}`, role: 'reviewer', department: department as 'education' }, s.jwt);
    await waitFor(`${step} open`, async () => {
      const q = await api.request('GET', '/api/v1/reviews?status=open&limit=500', { token });
      return (q.body.tasks as { caseNo: string; stepId: string }[]).some((t) => t.caseNo === sbNo && t.stepId === step) ? true : undefined;
    });
    await claimOpen(sbNo, step, token);
    const send = () => api.request('POST', `/api/v1/cases/${sbNo}/steps/${step}/decision`, { token, body: { decision: 'approve', comment: '同意' }, headers: { 'idempotency-key': `drill-sb-${sbNo}-${step}` } });
    const rs = await Promise.all([send(), send()]);
    sbAnswers.push(`${step} ${statuses(rs)}`);
    sbAccepted.push(...rs.filter((r) => r.status === 202).map((r) => r.body.decisionId as string));
  }
  await waitFor('school-bus completion', async () => ((await caseStatus(sbNo)).status === 'completed' ? true : undefined));
  lines.push(`${sbNo}: every step approved twice at once → ${sbAnswers.join(', ')}`);
  cases.push({ caseNo: sbNo, service: 'SCHOOLBUS', supplement: false, acceptedDecisions: sbAccepted });

  const check = await checkNothingLostOrDuplicated(orm, client, cases);
  await stopStack();
  const all = [...problems, ...check.problems];
  return { drill: 'duplicates', ok: all.length === 0, lines: [...lines, ...check.lines], problems: all };
}

const RUNNERS: Record<Drill, () => Promise<DrillResult>> = {
  duplicates,
  'kill-worker': killWorker,
  'restart-temporal': restartTemporal,
  'postgres-outage': postgresOutage,
};

async function main(): Promise<number> {
  const list: Drill[] = which === 'all' ? [...DRILLS] : DRILLS.includes(which as Drill) ? [which as Drill] : [];
  if (list.length === 0) {
    console.error(`usage: npm run drill -- ${DRILLS.join('|')}|all [--cases N] [--outage-seconds S]`);
    return 2;
  }
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const results: DrillResult[] = [];
  for (const drill of list) {
    const t0 = Date.now();
    console.log(`\n=== drill: ${drill} ===`);
    let result: DrillResult;
    try {
      result = await RUNNERS[drill]();
    } catch (err) {
      result = { drill, ok: false, lines: [], problems: [`drill aborted: ${(err as Error).stack ?? String(err)}`] };
    } finally {
      await ensurePostgresStarted();
      await stopStack();
    }
    for (const l of result.lines) console.log(`  ${l}`);
    for (const p of result.problems.slice(0, 20)) console.log(`  ✖ ${p}`);
    if (result.problems.length > 20) console.log(`  ✖ … and ${result.problems.length - 20} more`);
    console.log(`${result.ok ? '✔' : '✖'} ${drill}: ${result.ok ? 'nothing lost, nothing duplicated' : 'FAILED'} (${elapsed(t0)})`);
    results.push(result);
  }
  const passed = results.filter((r) => r.ok).length;
  console.log(`\n${passed} passed, ${results.length - passed} failed`);
  return passed === results.length ? 0 : 1;
}

runMain(main, async () => {
  await ensurePostgresStarted();
  while (closers.length) await stopStack().catch(() => undefined);
  await stack?.stop();
});
