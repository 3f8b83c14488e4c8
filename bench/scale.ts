/**
 * The scale proofs (`npm run bench -- scale-open-cases`, `npm run bench -- scale-certificates`; docs/benchmarks.md).
 *
 * - Open cases: K cases submitted through the API, as fast as the machine takes them, and left waiting on reviewers
 *   (school-bus cases in the education queue, freight cases in the transport queue). The worker's RSS is sampled all
 *   along (its workflow cache is bounded by WORKER_CACHE_SIZE, so most cases are evicted and replayed on their next
 *   event), then for a while after the last one, to see whether it still rises. Then with all of them open: a
 *   department's queue, /stats, a cold case's status, and a decision on a cold case (one of the first cases submitted:
 *   long evicted from the cache), target p99 < 200 ms.
 * - Certificates: M certificates in PostgreSQL, each genuinely signed (its own number, case number and verification
 *   code in its signed payload, so verifying one does the whole check), bulk-inserted in batches of unnest() arrays.
 *   The million are signed with an Ed25519 key of the bench (the API loads it as a development sibling key) because
 *   SM2 signing takes ~3 ms each (50 minutes for a million); a few thousand more are signed with the stack's SM2 key,
 *   the platform's default. Then, from a second process (bench/verify-load.ts), open-loop load at a fixed rate on: the
 *   platform's verify by number; a bare Express + pg primary-key lookup on the same table (bench/verify-floor.ts);
 *   the platform's verify by code (the QR code's path); and SM2 certificates, each asked once (no cache can help).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Pool } from 'pg';
import { signDevToken } from '../api/http/auth';
import { freightCompanyExample, schoolBusExample } from '../api/schemas/examples';
import { PROJECT_ROOT } from '../infra/config';
import { CertificateSigner, verifyCertificateSignature } from '../infra/signing/certificate-signer';
import { CpuMeter, postgresBackendsOf, type CpuReport } from './cpu';
import type { HttpClient } from './http';
import type { Stack } from './stack';
import { fmtMs, Latencies, latencyTable, Progress, table, type Summary } from './stats';
import { verificationCodeOf } from './verify-load';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RssSample {
  /** Seconds since the submissions started. */
  t: number;
  submitted: number;
  rssMiB: number;
}

export interface OpenCasesResult {
  /** Cases submitted. */
  open: number;
  /** Of them, how many had reached a department queue when the measurements started (all, unless the wait ran out). */
  inQueue: number;
  /** Seconds from the first submission until the last case reached its queue (or the wait ran out). */
  queuedMs: number;
  submitMs: number;
  rate: number;
  cacheSize: string;
  workerRssMiB?: number;
  workerPeakMiB?: number;
  apiRssMiB?: number;
  /** RSS of the worker over time: while submitting, and for the settle period after. */
  rss: RssSample[];
  /** RSS growth over the settle period after the last case was open, %; "still rising" when > 2 %. */
  settleGrowthPct?: number;
  stillRising?: boolean;
  latency: Record<string, Summary | undefined>;
  /** Size of one open case's history (encoded protobuf), bytes: what the worker replays and caches per case. */
  historyBytes?: number;
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
  settleSeconds?: number;
  /** How long to wait for every case to reach its queue before measuring with those that have (default 30). */
  waitMinutes?: number;
  /** Reads one case's history for its size (optional). */
  client?: Client;
}): Promise<OpenCasesResult> {
  const portal = signDevToken({ sub: 'bench-portal', role: 'portal' }, o.jwt, '12h');
  const ops = signDevToken({ sub: 'bench-ops', role: 'ops' }, o.jwt, '12h');
  const reviewer = (department: 'education' | 'transport') => signDevToken({ sub: `bench-open-${department}`, role: 'reviewer', department }, o.jwt, '12h');
  const lat = new Latencies();
  const keyPrefix = `bench-open-${o.runId}-`;
  const concurrency = o.concurrency ?? 48;
  o.say(`scale check: ${o.count} cases left open, waiting on reviewers (${concurrency} submissions in flight)`);

  // 1. Submit them (half school bus, half freight) through the API, as fast as it takes them.
  let submitted = 0;
  let inQueue = 0;
  const caseNos: string[] = [];
  const started = Date.now();
  const rss: RssSample[] = [];
  const sampleRss = () => {
    const m = o.stack?.memory().worker;
    if (m) rss.push({ t: (Date.now() - started) / 1000, submitted, rssMiB: m.rssMiB });
  };
  const conn = () => o.orm.em.fork().getConnection();
  const countInQueue = async () => {
    const [row] = await conn().execute<{ n: string }[]>(
      `select count(*) as n from review_task t join one_stop_case c on c.case_no = t.case_no where c.idempotency_key like ? and t.status = 'open'`,
      [`${keyPrefix}%`],
    );
    inQueue = Number(row!.n);
  };
  // While submitting too: how far behind the worker is (the progress line shows it).
  const sampler = setInterval(() => {
    sampleRss();
    void countInQueue().catch(() => undefined);
  }, 2000);
  const progress = new Progress(() => {
    const s = (Date.now() - started) / 1000;
    return `  open cases: ${submitted}/${o.count} submitted (${(submitted / Math.max(s, 0.001)).toFixed(1)}/s), ${inQueue} in a queue, ${s.toFixed(0)} s, worker RSS ${o.stack?.memory().worker?.rssMiB.toFixed(0) ?? '?'} MiB`;
  });
  progress.start();
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < o.count) {
          const i = next++;
          const body = i % 2 === 0 ? schoolBusExample() : freightCompanyExample();
          for (let attempt = 1; ; attempt++) {
            const r = await o.api.request('POST', '/api/v1/cases', { token: portal, body, headers: { 'idempotency-key': `${keyPrefix}${i}` } }).catch(() => ({ status: 0, body: undefined, ms: 0 }));
            if (r.status === 201 || r.status === 200) {
              lat.add('submit', r.ms);
              caseNos[i] = r.body.caseNo as string;
              submitted += 1;
              break;
            }
            if (attempt >= 8) throw new Error(`open-case submit failed: HTTP ${r.status} ${JSON.stringify(r.body)}`);
            await sleep(500 * attempt);
          }
        }
      }),
    );
    const submitMs = Date.now() - started;

    // 2. Wait until every one of them waits in a department queue (its first review task is open), for at most
    //    waitMinutes: on a busy machine the worker's backlog can outlast any sensible run; then measure with those
    //    that have, and say so.
    const waitDeadline = started + (o.waitMinutes ?? 30) * 60_000;
    for (;;) {
      await countInQueue();
      if (inQueue >= o.count) break;
      if (Date.now() > waitDeadline) {
        o.say(`only ${inQueue} of ${o.count} cases reached a review queue in ${o.waitMinutes ?? 30} minutes: measuring with those`);
        break;
      }
      await sleep(2000);
    }
    const queuedMs = Date.now() - started;
    progress.stop();
    // 3. Settle: does the worker's RSS keep rising with nothing new coming in?
    const settleFrom = rss.length;
    sampleRss();
    o.say(`${inQueue} of ${o.count} in a queue; watching the worker's RSS for ${o.settleSeconds ?? 30} s with no new submissions`);
    await sleep((o.settleSeconds ?? 30) * 1000);
    sampleRss();
    clearInterval(sampler);
    const settle = rss.slice(settleFrom);
    const first = settle[0]?.rssMiB;
    const last = settle[settle.length - 1]?.rssMiB;
    const settleGrowthPct = first && last ? (last / first - 1) * 100 : undefined;
    const mem = o.stack?.memory();

    // 4. Latency with them open: queues, /stats, a cold case's status and a decision on a cold case.
    await timed(lat, 'queue-transport', 300, 4, () => o.api.request('GET', '/api/v1/reviews?status=open', { token: reviewer('transport') }));
    await timed(lat, 'queue-education', 300, 4, () => o.api.request('GET', '/api/v1/reviews?status=open', { token: reviewer('education') }));
    await timed(lat, 'stats', 100, 2, () => o.api.request('GET', '/api/v1/stats', { token: ops }));
    const sample = (i: number) => caseNos[(i * 7919) % caseNos.length]!; // spread over all of them: most are not cached
    await timed(lat, 'status-cold', 200, 4, (i) => o.api.request('GET', `/api/v1/cases/${sample(i)}`, { token: portal }));
    // Cold: freight cases from the first half submitted whose transport review is open; the worker's cache holds the
    // most recent ones.
    const openTransport = new Set(
      (
        await conn().execute<{ case_no: string }[]>(
          `select t.case_no from review_task t join one_stop_case c on c.case_no = t.case_no where c.idempotency_key like ? and t.status = 'open' and t.step_id = 'transport-review'`,
          [`${keyPrefix}%`],
        )
      ).map((r) => r.case_no),
    );
    const freight = caseNos.slice(0, Math.floor(caseNos.length / 2)).filter((no) => no && no.includes('-FREIGHTCO-') && openTransport.has(no));
    const decisions = Math.min(200, freight.length);
    const target = (i: number) => freight[Math.floor((i * freight.length) / decisions)]!;
    // Deciding requires holding the claim: claimed before the timing, so it measures the decision alone.
    for (let i = 0; i < decisions; i++) {
      await o.api.request('POST', `/api/v1/reviews/${encodeURIComponent(`${target(i)}:transport-review:1`)}/claim`, { token: reviewer('transport') });
    }
    await timed(lat, 'decision-cold', decisions, 4, (i) =>
      o.api.request('POST', `/api/v1/cases/${target(i)}/steps/transport-review/decision`, {
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
      { key: 'decision-cold', label: 'decision on a cold case', target: 'p99 < 200' },
    ];
    const peak = Math.max(...rss.map((r) => r.rssMiB), mem?.worker?.rssMiB ?? 0);
    let historyBytes: number | undefined;
    if (o.client && caseNos[0]) {
      const h = await o.client.workflow.getHandle(caseNos[0]).fetchHistory();
      historyBytes = temporal.api.history.v1.History.encode(h).finish().length;
    }
    return {
      open: o.count,
      inQueue,
      queuedMs,
      submitMs,
      rate: o.count / (submitMs / 1000),
      cacheSize: o.stack?.o.workerEnv?.WORKER_CACHE_SIZE ?? process.env.WORKER_CACHE_SIZE ?? '1000 (default)',
      workerRssMiB: mem?.worker?.rssMiB,
      workerPeakMiB: Math.max(peak, mem?.worker?.peakMiB ?? 0),
      apiRssMiB: mem?.api?.rssMiB,
      rss,
      ...(settleGrowthPct !== undefined ? { settleGrowthPct, stillRising: settleGrowthPct > 2 } : {}),
      latency: Object.fromEntries(labels.map((l) => [l.key, lat.summary(l.key)])),
      ...(historyBytes !== undefined ? { historyBytes } : {}),
      queuePlan,
      table: `${latencyTable(lat, labels)}\nqueue query plan (PostgreSQL):\n${queuePlan.split('\n').map((l) => `  ${l}`).join('\n')}`,
    };
  } finally {
    clearInterval(sampler);
    progress.stop();
  }
}

export function printOpenCases(open: OpenCasesResult): void {
  const mark = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED');
  console.log('');
  console.log(`open cases: ${open.open} submitted in ${(open.submitMs / 1000).toFixed(0)} s (${open.rate.toFixed(1)} cases/s); ${open.inQueue} of them in a department queue after ${(open.queuedMs / 1000).toFixed(0)} s; worker cache ${open.cacheSize}`);
  // The curve, thinned to about 12 points: submitted cases → worker RSS.
  const every = Math.max(1, Math.ceil(open.rss.length / 12));
  const points = open.rss.filter((_, i) => i % every === 0 || i === open.rss.length - 1);
  console.log(`worker RSS curve (cases submitted → MiB): ${points.map((p) => `${p.submitted}→${p.rssMiB.toFixed(0)}`).join(', ')}`);
  console.log(
    `worker RSS with them: ${open.workerRssMiB?.toFixed(0) ?? 'n/a'} MiB now, ${open.workerPeakMiB?.toFixed(0) ?? 'n/a'} MiB peak (target < 1024); ` +
      `over the settle period ${open.settleGrowthPct === undefined ? 'n/a' : `${open.settleGrowthPct >= 0 ? '+' : ''}${open.settleGrowthPct.toFixed(1)}%`} (${open.stillRising ? 'still rising' : 'flat'}); API ${open.apiRssMiB?.toFixed(0) ?? 'n/a'} MiB`,
  );
  if (open.historyBytes !== undefined) console.log(`one open case's history: ${(open.historyBytes / 1024).toFixed(1)} KiB (what the worker replays when it takes an evicted case back)`);
  console.log(open.table);
  const cold = open.latency['decision-cold'];
  console.log('');
  console.log(
    table(['target', 'goal', 'measured', ''], [
      [
        `worker RSS with ${open.open.toLocaleString('en')} open cases (peak)`,
        '< 1024 MiB',
        open.workerPeakMiB?.toFixed(0) ?? '—',
        // Over the limit is a miss at any count; under it counts only at 10,000 open.
        open.workerPeakMiB !== undefined && open.workerPeakMiB >= 1024 ? 'MISSED' : open.open < 10_000 || open.inQueue < open.open ? 'not at 10,000' : mark(open.workerPeakMiB === undefined ? undefined : open.workerPeakMiB < 1024),
      ],
      ['decision on a cold case, p99', '< 200 ms', fmtMs(cold?.p99), mark(cold ? cold.p99 < 200 : undefined)],
    ]),
  );
}

// ---- Certificates ----

export const ED25519_KEY_ID = 'bench-ed25519-1';

/**
 * The bench's Ed25519 signing key, next to the stack's own key. Made before the stack starts: the API (development)
 * loads every `<keyId>.pub.pem` beside its current public key at start, so it verifies these certificates too.
 */
export function prepareBenchEd25519Key(keysDir: string): CertificateSigner {
  fs.mkdirSync(keysDir, { recursive: true });
  const signer = CertificateSigner.fromFile(path.join(keysDir, `${ED25519_KEY_ID}.key.pem`), ED25519_KEY_ID, true, { algorithm: 'Ed25519' });
  fs.writeFileSync(path.join(keysDir, `${ED25519_KEY_ID}.pub.pem`), signer.publicKeyPem);
  return signer;
}

export interface VerifyRun {
  name: string;
  rate: number;
  seconds: number;
  requests: number;
  achievedRps: number;
  latency?: Summary;
  service?: Summary;
  sendLag?: Summary;
  unexpected: Record<string, number>;
  /** CPU seconds per request of the server side (API or floor process, PostgreSQL backends) and of the generator. */
  cpuPerRequestMs: Record<string, number>;
  machineBusy: number;
  /** p99 target, ms (undefined: no target, a reference run). */
  target?: number;
}

export interface CertificateCheckResult {
  total: number;
  inserted: number;
  insertMs: number;
  /** Milliseconds of CPU for one SM2 and one Ed25519 signature check in this process (no cache). */
  verifyCostMs: { sm2: number; ed25519: number };
  runs: VerifyRun[];
}

/** Inserts certificates prefix+[from..to], each signed with `signer`, copying the rest of the template row. */
async function insertSigned(pool: Pool, o: {
  template: Record<string, unknown>;
  signer: CertificateSigner;
  prefix: string;
  width: number;
  from: number;
  to: number;
  codeSeed: string;
  onBatch?: (to: number) => void;
}): Promise<void> {
  const templatePayload = JSON.parse(o.template.payload as string) as Record<string, unknown>;
  const batch = 5000;
  for (let lo = o.from; lo <= o.to; lo += batch) {
    const hi = Math.min(o.to, lo + batch - 1);
    const nos: string[] = [];
    const caseNos: string[] = [];
    const payloads: string[] = [];
    const signatures: string[] = [];
    const codes: string[] = [];
    for (let i = lo; i <= hi; i++) {
      const no = `${o.prefix}${String(i).padStart(o.width, '0')}`;
      const caseNo = `JN-BENCHLOAD-20260101-${o.prefix}${String(i).padStart(o.width, '0')}`;
      const code = o.codeSeed === 'bl' ? verificationCodeOf(i) : verificationCodeOf(-i);
      const payload = JSON.stringify({ ...templatePayload, no, caseNo, verificationCode: code, keyId: o.signer.keyId, alg: o.signer.algorithm });
      nos.push(no);
      caseNos.push(caseNo);
      payloads.push(payload);
      signatures.push(o.signer.sign(payload));
      codes.push(code);
    }
    await pool.query(
      `insert into certificate (no, case_no, type, subject_key, holder_key, holder_name, authority, fields, valid_from, valid_until, issued_at, payload, signature, key_id, verification_code)
       select u.no, u.case_no, t.type, t.subject_key, t.holder_key, t.holder_name, t.authority, t.fields, t.valid_from, t.valid_until, t.issued_at, u.payload, u.signature, $6, u.code
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as u(no, case_no, payload, signature, code)
       cross join (select * from certificate where no = $7) t
       on conflict do nothing`,
      [nos, caseNos, payloads, signatures, codes, o.signer.keyId, o.template.no],
    );
    o.onBatch?.(hi);
  }
}

export async function certificateCheck(o: {
  orm: MikroORM;
  apiBase: string;
  databaseUrl: string;
  stack?: Stack;
  count: number;
  rate: number;
  seconds: number;
  /** API processes for the last run (default 2; 1 skips it). */
  apis?: number;
  say: (line: string) => void;
}): Promise<CertificateCheckResult> {
  if (!o.stack) throw new Error('the certificate check needs a stack of its own (its signing keys)');
  const pool = new Pool({ connectionString: o.databaseUrl, max: 4 });
  try {
    const { rows: templates } = await pool.query(`select * from certificate where key_id = $1 and no not like 'B_-%' order by no limit 1`, [`${o.stack.o.name}-1`]);
    const template = templates[0] as Record<string, unknown> | undefined;
    if (!template) throw new Error('no certificate to copy: the seed cases issued none');
    const ed = prepareBenchEd25519Key(path.dirname(o.stack.signingKeyPath));
    const sm2 = CertificateSigner.fromFile(o.stack.signingKeyPath, `${o.stack.o.name}-1`, false);
    const { rows: have } = await pool.query<{ n: string }>(`select count(*) as n from certificate where no like 'BL-%'`);
    const existing = Number(have[0]!.n);
    const sm2Count = 3000;
    const started = Date.now();
    o.say(`${o.count.toLocaleString('en')} Ed25519-signed certificates (${existing.toLocaleString('en')} already there) and ${sm2Count} SM2-signed ones, bulk-inserted`);
    const progress = new Progress(() => `  certificates: ${inserted.toLocaleString('en')}/${o.count.toLocaleString('en')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    let inserted = existing;
    progress.start();
    if (existing < o.count) await insertSigned(pool, { template, signer: ed, prefix: 'BL-', width: 7, from: existing + 1, to: o.count, codeSeed: 'bl', onBatch: (to) => (inserted = to) });
    await insertSigned(pool, { template, signer: sm2, prefix: 'BS-', width: 7, from: 1, to: sm2Count, codeSeed: 'bs' });
    progress.stop();
    await pool.query('analyze certificate');
    const insertMs = Date.now() - started;
    const { rows: total } = await pool.query<{ n: string }>('select count(*) as n from certificate');

    // What one signature check costs in CPU, without any cache, in this process.
    const probe = (signer: CertificateSigner, n: number) => {
      // Payloads never seen before: the verification cache cannot answer.
      const payloads = Array.from({ length: n }, (_, i) => `probe ${signer.keyId} ${i} ${Date.now()} ${Math.random()}`);
      const sigs = payloads.map((p) => signer.sign(p));
      const t = process.cpuUsage();
      for (let i = 0; i < n; i++) verifyCertificateSignature(payloads[i]!, sigs[i]!, signer.publicKeyPem);
      const d = process.cpuUsage(t);
      return (d.user + d.system) / 1000 / n;
    };
    const verifyCostMs = { sm2: probe(sm2, 10), ed25519: probe(ed, 500) };
    o.say(`one signature check costs ${verifyCostMs.sm2.toFixed(1)} ms of CPU with SM2, ${verifyCostMs.ed25519.toFixed(3)} ms with Ed25519 (verifyCertificateSignature, as the API calls it)`);

    // The floor: bare Express + pg on the same table.
    const floorPort = 13090;
    const floorLog = path.join(PROJECT_ROOT, 'logs', o.stack.o.name, 'verify-floor.log');
    const floor = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench', 'verify-floor.ts')], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', fs.openSync(floorLog, 'a')],
      env: { ...process.env, FLOOR_PORT: String(floorPort), DATABASE_URL: o.databaseUrl },
    });
    await new Promise<void>((resolve, reject) => {
      floor.stdout!.on('data', (d: Buffer) => (d.toString().includes('listening') ? resolve() : undefined));
      floor.once('exit', (c) => reject(new Error(`verify-floor exited (${c}); see ${floorLog}`)));
    });
    const runs: VerifyRun[] = [];
    try {
      const load = async (name: string, server: { url: string; pids: () => number[] }, extra: string[], rate: number, seconds: number, target?: number) => {
        o.say(`verify load: ${name}, ${rate} requests/s for ${seconds} s, open loop, from a second process`);
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench', 'verify-load.ts'), '--url', server.url, '--rate', String(rate), '--seconds', String(seconds), ...extra],
          { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const meter = new CpuMeter({ server: server.pids, PostgreSQL: postgresBackendsOf(new URL(o.databaseUrl).pathname.slice(1)), 'load generator': () => (child.pid ? [child.pid] : []) });
        meter.start();
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        const code = await new Promise<number | null>((r) => child.once('exit', r));
        const cpu: CpuReport = meter.stop();
        if (code !== 0) throw new Error(`verify-load exited with ${code}`);
        const r = JSON.parse(out.trim().split('\n').pop()!) as Omit<VerifyRun, 'name' | 'cpuPerRequestMs' | 'machineBusy'>;
        const perReq = (v: number) => (r.requests > 0 ? (v * 1000) / (r.requests * (1 + 3 / seconds)) : NaN); // warm-up requests counted too
        runs.push({ ...r, name, cpuPerRequestMs: Object.fromEntries(Object.entries(cpu.parts).map(([k, v]) => [k, perReq(v)])), machineBusy: cpu.machineBusy, ...(target ? { target } : {}) });
        const last = runs[runs.length - 1]!;
        o.say(`  p50 ${fmtMs(last.latency?.p50)} ms, p99 ${fmtMs(last.latency?.p99)} ms, ${last.achievedRps.toFixed(0)} req/s, server CPU ${(last.cpuPerRequestMs.server ?? NaN).toFixed(2)} ms per request${Object.keys(last.unexpected).length ? `, unexpected ${JSON.stringify(last.unexpected)}` : ''}`);
      };
      const api = { url: o.apiBase, pids: () => o.stack?.apiPids ?? [] };
      const floorServer = { url: `http://127.0.0.1:${floorPort}`, pids: () => (floor.pid ? [floor.pid] : []) };
      const range = ['--prefix', 'BL-', '--width', '7', '--from', '1', '--to', String(o.count)];
      await load('platform: GET /certificates/:no/verify (Ed25519)', api, ['--path', '/api/v1/certificates/{no}/verify', '--expect-signature', ...range], o.rate, o.seconds, 10);
      await load('floor: bare Express + pg primary-key lookup', floorServer, ['--path', '/certificates/{no}/verify', ...range], o.rate, o.seconds);
      await load('platform: GET /certificates/verify/:code (QR, Ed25519)', api, ['--path', '/api/v1/certificates/verify/{code}', ...range], o.rate, Math.min(o.seconds, 30));
      // SM2 (the platform's default): each certificate asked once, so the API's verification cache cannot answer.
      await load('platform: GET /certificates/:no/verify (SM2, first ask each)', api, ['--path', '/api/v1/certificates/{no}/verify', '--expect-signature', '--prefix', 'BS-', '--width', '7', '--from', '1', '--to', String(sm2Count), '--unique', '--warmup-seconds', '1'], 100, 20);
      // Scale-out of verify: a second API process, the calls spread over both.
      if ((o.apis ?? 2) > 1 && o.stack) {
        while (o.stack.apiBases.length < (o.apis ?? 2)) await o.stack.addProcess('api');
        await load(`platform, ${o.stack.apiBases.length} API processes: GET /certificates/:no/verify (Ed25519)`, { url: o.stack.apiBases.join(','), pids: () => o.stack?.apiPids ?? [] }, ['--path', '/api/v1/certificates/{no}/verify', '--expect-signature', ...range], o.rate, o.seconds, 10);
      }
    } finally {
      floor.kill('SIGTERM');
    }
    return { total: Number(total[0]!.n), inserted: Math.max(0, o.count - existing), insertMs, verifyCostMs, runs };
  } finally {
    await pool.end();
  }
}

export function printCertificates(c: CertificateCheckResult): void {
  console.log('');
  console.log(`certificates: ${c.total.toLocaleString('en')} in PostgreSQL (${c.inserted.toLocaleString('en')} inserted, each signed, in ${(c.insertMs / 1000).toFixed(0)} s)`);
  console.log(`one signature check (CPU, no cache): SM2 ${c.verifyCostMs.sm2.toFixed(1)} ms, Ed25519 ${c.verifyCostMs.ed25519.toFixed(3)} ms`);
  console.log(
    table(['open loop, from a second process', 'req/s asked', 'req/s done', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'server CPU ms/req', 'PostgreSQL CPU ms/req', 'target'], c.runs.map((r) => [
      r.name,
      String(r.rate),
      r.achievedRps.toFixed(0),
      fmtMs(r.latency?.p50),
      fmtMs(r.latency?.p95),
      fmtMs(r.latency?.p99),
      fmtMs(r.latency?.max),
      (r.cpuPerRequestMs.server ?? NaN).toFixed(2),
      (r.cpuPerRequestMs.PostgreSQL ?? NaN).toFixed(2),
      r.target === undefined ? '' : r.latency && r.latency.p99 < r.target ? `p99 < ${r.target}: met` : `p99 < ${r.target}: MISSED`,
    ])),
  );
  for (const r of c.runs) if (Object.keys(r.unexpected).length) console.log(`unexpected answers (${r.name}): ${JSON.stringify(r.unexpected)}`);
  // A Node process serves on one core: what one process can carry at most, from the CPU each request cost it.
  for (const r of c.runs) {
    const ms = r.cpuPerRequestMs.server;
    if (ms && Number.isFinite(ms)) console.log(`${r.name}: ${ms.toFixed(2)} ms of server CPU per request → at most ~${Math.floor(1000 / ms)} requests/s per process (one core)`);
  }
  console.log('(latency is measured from the moment each request was due: a server falling behind shows it)');
}
