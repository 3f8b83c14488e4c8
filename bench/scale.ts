/**
 * The scale checks.
 *
 * - Open cases: K cases submitted through the API and left waiting on reviewers (school-bus cases in the education
 *   queue, freight cases in the transport queue). Then: the worker's memory (its workflow cache is bounded by
 *   WORKER_CACHE_SIZE, so most of the K cases are evicted and replayed on their next event), a department's queue and
 *   /stats latency (indexes), and the cost of touching a cold (evicted) case: its status and a decision on it.
 * - Certificates: M certificates in PostgreSQL (bulk INSERT … SELECT generate_series, each a copy of a real signed
 *   certificate so that verifying one does the full signature check), then the public verify endpoint under load from
 *   a second process (bench/verify-load.ts).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { signDevToken } from '../api/http/auth';
import { freightCompanyExample, schoolBusExample } from '../api/schemas/examples';
import { PROJECT_ROOT } from '../infra/config';
import type { HttpClient } from './http';
import type { Stack } from './stack';
import { Latencies, latencyTable, Progress, type Summary } from './stats';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface OpenCasesResult {
  open: number;
  submitMs: number;
  rate: number;
  cacheSize: string;
  workerRssMiB?: number;
  workerPeakMiB?: number;
  apiRssMiB?: number;
  latency: Record<string, Summary | undefined>;
  queuePlan: string;
  table: string;
}

async function timed(lat: Latencies, name: string, n: number, concurrency: number, fn: (i: number) => Promise<{ status: number; ms: number }>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const r = await fn(i);
        if (r.status < 300) lat.add(name, r.ms);
        else throw new Error(`${name}: HTTP ${r.status}`);
      }
    }),
  );
}

export async function openCasesCheck(o: {
  api: HttpClient;
  orm: MikroORM;
  stack?: Stack;
  count: number;
  jwt: { secret: string; issuer: string };
  runId: string;
  say: (line: string) => void;
  concurrency?: number;
}): Promise<OpenCasesResult> {
  const portal = signDevToken({ sub: 'bench-portal', role: 'portal' }, o.jwt, '12h');
  const ops = signDevToken({ sub: 'bench-ops', role: 'ops' }, o.jwt, '12h');
  const reviewer = (department: 'education' | 'transport') => signDevToken({ sub: `bench-open-${department}`, role: 'reviewer', department }, o.jwt, '12h');
  const lat = new Latencies();
  const keyPrefix = `bench-open-${o.runId}-`;
  o.say(`scale check: ${o.count} cases left open, waiting on reviewers`);

  // 1. Submit them (half school bus, half freight), a bounded number at a time.
  let submitted = 0;
  const caseNos: string[] = [];
  const started = Date.now();
  const progress = new Progress(() => `  open cases: ${submitted}/${o.count} submitted, ${((Date.now() - started) / 1000).toFixed(0)} s, worker RSS ${o.stack?.memory().worker?.rssMiB.toFixed(0) ?? '?'} MiB`);
  progress.start();
  let next = 0;
  await Promise.all(
    Array.from({ length: o.concurrency ?? 16 }, async () => {
      while (next < o.count) {
        const i = next++;
        const body = i % 2 === 0 ? schoolBusExample() : freightCompanyExample();
        for (let attempt = 1; ; attempt++) {
          const r = await o.api.request('POST', '/api/v1/cases', { token: portal, body, headers: { 'idempotency-key': `${keyPrefix}${i}` } });
          if (r.status === 201 || r.status === 200) {
            lat.add('submit', r.ms);
            caseNos.push(r.body.caseNo as string);
            submitted += 1;
            break;
          }
          if (attempt >= 5) throw new Error(`open-case submit failed: HTTP ${r.status} ${JSON.stringify(r.body)}`);
          await sleep(500 * attempt);
        }
      }
    }),
  );
  const submitMs = Date.now() - started;

  // 2. Wait until every one of them waits in a department queue (its first review task is open).
  const conn = () => o.orm.em.fork().getConnection();
  const waitDeadline = Date.now() + 30 * 60_000;
  for (;;) {
    const [row] = await conn().execute<{ n: string }[]>(
      `select count(*) as n from review_task t join one_stop_case c on c.case_no = t.case_no where c.idempotency_key like ? and t.status = 'open'`,
      [`${keyPrefix}%`],
    );
    if (Number(row!.n) >= o.count) break;
    if (Date.now() > waitDeadline) throw new Error(`only ${row!.n} of ${o.count} open cases reached a review queue`);
    await sleep(1000);
  }
  progress.stop();
  await sleep(2000); // let the last activities' garbage settle before reading memory
  const mem = o.stack?.memory();

  // 3. Latency with them open: queues, /stats, a cold case's status and a decision on a cold case.
  await timed(lat, 'queue-transport', 300, 4, () => o.api.request('GET', '/api/v1/reviews?status=open', { token: reviewer('transport') }));
  await timed(lat, 'queue-education', 300, 4, () => o.api.request('GET', '/api/v1/reviews?status=open', { token: reviewer('education') }));
  await timed(lat, 'stats', 100, 2, () => o.api.request('GET', '/api/v1/stats', { token: ops }));
  const sample = (i: number) => caseNos[(i * 7919) % caseNos.length]!; // spread over all of them: most are not cached
  await timed(lat, 'status-cold', 200, 4, (i) => o.api.request('GET', `/api/v1/cases/${sample(i)}`, { token: portal }));
  const freight = caseNos.filter((no) => no.includes('-FREIGHTCO-'));
  const decisions = Math.min(100, freight.length);
  // Deciding requires holding the claim: claimed before the timing, so it measures the decision alone.
  for (let i = 0; i < decisions; i++) {
    const no = freight[Math.floor((i * freight.length) / decisions)]!;
    await o.api.request('POST', `/api/v1/reviews/${encodeURIComponent(`${no}:transport-review:1`)}/claim`, { token: reviewer('transport') });
  }
  await timed(lat, 'decision-cold', decisions, 4, (i) =>
    o.api.request('POST', `/api/v1/cases/${freight[Math.floor((i * freight.length) / decisions)]}/steps/transport-review/decision`, {
      token: reviewer('transport'),
      body: { decision: 'approve', comment: '同意' },
      headers: { 'idempotency-key': `${keyPrefix}decision-${i}` },
    }),
  );
  const plan = await conn().execute<{ 'QUERY PLAN': string }[]>(
    `explain analyze select * from review_task where department = 'transport' and status = 'open' order by deadline asc nulls last, created_at asc limit 100`,
  );
  const queuePlan = plan.map((r) => r['QUERY PLAN']).join('\n');
  const labels = [
    { key: 'submit', label: `submit while filling (${o.count})` },
    { key: 'queue-transport', label: 'transport queue (GET /reviews)' },
    { key: 'queue-education', label: 'education queue (GET /reviews)' },
    { key: 'stats', label: 'GET /stats (ops)' },
    { key: 'status-cold', label: 'case status, cold case' },
    { key: 'decision-cold', label: 'decision on a cold case' },
  ];
  return {
    open: o.count,
    submitMs,
    rate: o.count / (submitMs / 1000),
    cacheSize: process.env.WORKER_CACHE_SIZE ?? '1000 (default)',
    workerRssMiB: mem?.worker?.rssMiB,
    workerPeakMiB: mem?.worker?.peakMiB,
    apiRssMiB: mem?.api?.rssMiB,
    latency: Object.fromEntries(labels.map((l) => [l.key, lat.summary(l.key)])),
    queuePlan,
    table: `${latencyTable(lat, labels)}\nqueue query plan (PostgreSQL):\n${queuePlan.split('\n').map((l) => `  ${l}`).join('\n')}`,
  };
}

export interface VerifyLevel {
  concurrency: number;
  requests: number;
  rps: number;
  latency?: Summary;
  unexpected: Record<string, number>;
}

export interface CertificateCheckResult {
  total: number;
  inserted: number;
  insertMs: number;
  /** One run of the second process per concurrency level, lightest first. */
  levels: VerifyLevel[];
}

export async function certificateCheck(o: {
  orm: MikroORM;
  apiBase: string;
  count: number;
  concurrencies: number[];
  requests: number;
  say: (line: string) => void;
}): Promise<CertificateCheckResult> {
  const conn = () => o.orm.em.fork().getConnection();
  const [template] = await conn().execute<{ no: string }[]>(`select no from certificate where no not like 'BL-%' order by no limit 1`);
  if (!template) throw new Error('no certificate to copy: the platform phase issued none');
  const [have] = await conn().execute<{ n: string }[]>(`select count(*) as n from certificate where no like 'BL-%'`);
  const existing = Number(have!.n);
  const started = Date.now();
  const batch = 100_000;
  o.say(`scale check: ${o.count} certificates (${existing} already there), then public verify from a second process`);
  for (let from = existing + 1; from <= o.count; from += batch) {
    const to = Math.min(o.count, from + batch - 1);
    await conn().execute(
      `insert into certificate (no, case_no, type, subject_key, holder_key, holder_name, authority, fields, valid_from, valid_until, issued_at, payload, signature, key_id)
       select 'BL-' || lpad(g::text, 7, '0'), 'JN-BENCHLOAD-20260101-' || lpad(g::text, 7, '0'), t.type, t.subject_key, t.holder_key, t.holder_name,
              t.authority, t.fields, t.valid_from, t.valid_until, t.issued_at, t.payload, t.signature, t.key_id
       from generate_series(?::int, ?::int) g cross join (select * from certificate where no = ?) t
       on conflict do nothing`,
      [from, to, template.no],
    );
    process.stdout.write(process.stdout.isTTY ? `\r  certificates: ${to}/${o.count} (${((Date.now() - started) / 1000).toFixed(0)} s)` : '');
    if (!process.stdout.isTTY && (to % 500_000 === 0 || to === o.count)) console.log(`  certificates: ${to}/${o.count} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
  await conn().execute('analyze certificate');
  const insertMs = Date.now() - started;
  const [total] = await conn().execute<{ n: string }[]>('select count(*) as n from certificate');

  const levels: VerifyLevel[] = [];
  for (const concurrency of o.concurrencies) {
    o.say(`verify load: ${o.requests} requests, ${concurrency} at a time, from a second process`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench', 'verify-load.ts'), '--url', o.apiBase, '--prefix', 'BL-', '--width', '7', '--max', String(o.count), '--requests', String(o.requests), '--concurrency', String(concurrency)],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`verify-load exited with ${code}`);
    const result = JSON.parse(out.trim().split('\n').pop()!) as { latency?: Summary; rps: number; unexpected: Record<string, number> };
    levels.push({ concurrency, requests: o.requests, ...result });
  }
  return { total: Number(total!.n), inserted: Math.max(0, o.count - existing), insertMs, levels };
}
