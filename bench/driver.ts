/**
 * The platform load: applicants and reviewers simulated over the public HTTP API, as a portal and the departments'
 * staff would drive it.
 *
 * - Applicants: at most `concurrency` cases in flight. Each applicant submits its case (Idempotency-Key) and checks
 *   its status (GET /cases/:no) every `statusPollMs`. It is told (as the platform's SMS / portal callback would tell
 *   it) when its case awaits a supplement or is completed: the bench reads that from the case row in PostgreSQL every
 *   `notifyMs` (`watch`), which costs the platform nothing it would not do anyway. Told, it supplies the missing
 *   materials, or fetches its case once more and sees the certificates. Without `watch` it polls the API instead,
 *   every `fastPollMs` while it expects something.
 * - Reviewers: one loop per department with human steps, polling its queue (GET /reviews?status=open) every
 *   `reviewerPollMs` and deciding the tasks of this run's cases, a few at a time. Some cases (`supplementShare`) get a
 *   request_supplement from one department first.
 *
 * Two ways to bring cases: a closed loop (`concurrency` applicants, each starting its next case when the last one is
 * done: the saturation search) or open-loop arrivals (`arrivalsPerSecond`: a new case every 1/rate seconds whatever
 * happened to the earlier ones, as citizens arrive: the latency measurement, free of the closed loop's coordinated
 * omission).
 *
 * Every call is timed; a failed call (5xx, timeout, connection refused) is counted and retried later with the same
 * Idempotency-Key, so the drills can run this load through outages.
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { signDevToken } from '../api/http/auth';
import { EXAMPLES } from '../api/schemas/examples';
import { vehiclesOf } from '../domain/forms';
import type { Department } from '../domain/types';
import { loadServiceCatalog } from '../infra/services/catalog';
import type { HttpClient, Reply } from './http';
import { Latencies } from './stats';

export const SERVICES = ['SCHOOLBUS', 'FREIGHTCO', 'OVERSIZE'] as const;
export type ServiceCode = (typeof SERVICES)[number];

export interface Variant {
  service: ServiceCode;
  supplement: boolean;
}

/** Which step asks for a supplement in a supplement case, and what it says is missing. */
export const SUPPLEMENT_PLAN: Partial<Record<ServiceCode, { stepId: string; material: string }>> = {
  SCHOOLBUS: { stepId: 'police-opinion', material: 'safety-rules' },
  FREIGHTCO: { stepId: 'transport-review', material: 'safety-system' },
};

export const catalog = loadServiceCatalog();

/** The departments that decide a human step of some service: one reviewer loop each. */
export const REVIEWING_DEPARTMENTS: Department[] = [
  ...new Set(catalog.list().flatMap((d) => d.review.steps.filter((s) => s.kind !== 'automatic').map((s) => s.department))),
];

/** Certificates a completed case of this service carries, for the example application (per-vehicle ones counted). */
export function expectedCertificates(service: ServiceCode): number {
  const def = catalog.get(service)!;
  const form = EXAMPLES[service]!().form as unknown as Record<string, unknown>;
  return def.certificates.reduce((n, c) => n + (c.perVehicle ? vehiclesOf(form).length : 1), 0);
}

/** The oversize example passes all 21 automatic checks: its case is fast-tracked, no person decides anything. */
export const FAST_TRACKED: readonly ServiceCode[] = ['OVERSIZE'];

/** The human step whose approval completes the case (the last in the plan), or undefined when none (fast track). */
export function lastHumanStep(service: ServiceCode): string | undefined {
  if (FAST_TRACKED.includes(service)) return undefined;
  const steps = catalog.get(service)!.review.steps;
  const last = steps[steps.length - 1]!;
  return last.kind === 'automatic' ? undefined : last.id;
}

/** Deterministic mix: services in turn; every fourth case of a service with human steps gets a supplement request. */
export function planCases(n: number, supplementShare = 0.25): Variant[] {
  const every = supplementShare > 0 ? Math.max(1, Math.round(1 / supplementShare)) : Infinity;
  return Array.from({ length: n }, (_, i) => {
    const service = SERVICES[i % SERVICES.length]!;
    const nth = Math.floor(i / SERVICES.length);
    return { service, supplement: SUPPLEMENT_PLAN[service] !== undefined && nth % every === every - 1 };
  });
}

export interface DriverOptions {
  n: number;
  concurrency: number;
  /** Open loop: start a new case every 1/rate s, `n` of them, whatever happened to the earlier ones. */
  arrivalsPerSecond?: number;
  supplementShare?: number;
  /** Submissions in flight at once (default: no limit beyond `concurrency`). */
  submitParallelism?: number;
  /** Decisions in flight per department. */
  reviewerParallelism?: number;
  reviewerPollMs?: number;
  statusPollMs?: number;
  fastPollMs?: number;
  notifyMs?: number;
  /** Reads the status and certificate count of cases (the bench's stand-in for the applicant's notifications). */
  watch?: (caseNos: string[]) => Promise<{ caseNo: string; status: string; certificates: number }[]>;
  /** Give up on the whole run after this long (a drill that never recovers must end). */
  timeoutMs?: number;
  jwt: { secret: string; issuer: string };
  /** Prefix for Idempotency-Keys: a re-run against the same database makes new cases. */
  runId?: string;
}

export interface CaseRun {
  index: number;
  variant: Variant;
  caseNo?: string;
  submitStartedAt?: number;
  /** Wall clock when the request that carried the last approval started. */
  lastApprovalAt?: number;
  supplementRequested: boolean;
  supplied: boolean;
  completedAt?: number;
  certificates: number;
  failed?: string;
  decisions: { taskId: string; stepId: string; round: number; decision: string; decisionId: string }[];
  supplementIds: string[];
  poke?: () => void;
  /** The last notification (case status) the applicant got, and the last it acted on. */
  notified?: string;
  handled?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The applicants' notifications (`watch`): status and certificate count of their cases, read from PostgreSQL. */
export async function watchCases(orm: MikroORM, caseNos: string[]): Promise<{ caseNo: string; status: string; certificates: number }[]> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<{ case_no: string; status: string; n: string }[]>(
      `select c.case_no, c.status, (select count(*) from certificate x where x.case_no = c.case_no) as n
       from one_stop_case c where c.case_no in (select jsonb_array_elements_text(?::jsonb))`,
      [JSON.stringify(caseNos)],
    );
  return rows.map((r) => ({ caseNo: r.case_no, status: r.status, certificates: Number(r.n) }));
}

export class PlatformDriver {
  readonly lat = new Latencies();
  readonly cases: CaseRun[];
  readonly byCaseNo = new Map<string, CaseRun>();
  /** `endpoint status` → count, for every non-2xx answer and every failed call ('ERR'). */
  readonly failures = new Map<string, number>();
  conflicts = 0;
  decisionsAccepted = 0;
  submitted = 0;
  completed = 0;
  startedAt = 0;
  finishedAt = 0;
  private stopping = false;
  /** When the last case was taken by an applicant (closed loop: from then on fewer than `concurrency` are in flight). */
  lastHandoutAt = 0;
  /** Open loop: how late each case started against its schedule (the driver's own lag; should stay near 0). */
  readonly arrivalLagMs: number[] = [];
  private readonly opts: Required<Omit<DriverOptions, 'runId' | 'watch' | 'arrivalsPerSecond'>> & Pick<DriverOptions, 'watch' | 'arrivalsPerSecond'> & { runId: string };
  private readonly portal: string;
  private readonly reviewerTokens = new Map<Department, string>();
  private readonly decided = new Set<string>();
  private readonly inFlight = new Set<string>();
  private nextIndex = 0;
  private submitting = 0;
  private readonly submitQueue: (() => void)[] = [];

  constructor(
    private readonly api: HttpClient,
    options: DriverOptions,
  ) {
    this.opts = {
      supplementShare: 0.25,
      submitParallelism: options.concurrency,
      reviewerParallelism: 4,
      reviewerPollMs: 100,
      statusPollMs: 2000,
      fastPollMs: 100,
      notifyMs: 100,
      timeoutMs: 30 * 60_000,
      runId: randomUUID().slice(0, 8),
      ...options,
    };
    // Open loop: nothing may hold an arrival back.
    if (options.arrivalsPerSecond && options.submitParallelism === undefined) this.opts.submitParallelism = options.n;
    this.cases = planCases(this.opts.n, this.opts.supplementShare).map((variant, index) => ({
      index,
      variant,
      supplementRequested: false,
      supplied: false,
      certificates: 0,
      decisions: [],
      supplementIds: [],
    }));
    const sign = (sub: string, role: 'portal' | 'reviewer', department?: Department) =>
      signDevToken({ sub, role, ...(department ? { department } : {}) }, this.opts.jwt, '12h');
    this.portal = sign('bench-portal', 'portal');
    for (const d of REVIEWING_DEPARTMENTS) this.reviewerTokens.set(d, sign(`bench-${d}`, 'reviewer', d));
  }

  get inFlightCases(): number {
    return this.submitted - this.completed - this.cases.filter((c) => c.failed).length;
  }

  private fail(endpoint: string, status: string | number): void {
    const key = `${endpoint} ${status}`;
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
  }

  /** One timed call; a thrown error (timeout, refused) becomes status 0. */
  private async call(endpoint: string, method: string, path: string, o: Parameters<HttpClient['request']>[2] = {}): Promise<Reply> {
    try {
      const r = await this.api.request(method, path, o);
      if (r.status < 300) this.lat.add(endpoint, r.ms);
      else if (r.status === 409) this.conflicts += 1;
      else this.fail(endpoint, r.status);
      return r;
    } catch {
      this.fail(endpoint, 'ERR');
      return { status: 0, body: undefined, ms: 0 };
    }
  }

  async run(onTick?: () => void): Promise<void> {
    this.startedAt = Date.now();
    const deadline = this.startedAt + this.opts.timeoutMs;
    const reviewers = REVIEWING_DEPARTMENTS.map((d) => this.reviewerLoop(d));
    const notifier = this.opts.watch ? this.notifierLoop(this.opts.watch) : Promise.resolve();
    const applicants = this.opts.arrivalsPerSecond
      ? [this.arrivals(this.opts.arrivalsPerSecond, deadline)]
      : Array.from({ length: Math.min(this.opts.concurrency, this.opts.n) }, () => this.applicantLoop(deadline));
    const ticker = onTick ? setInterval(onTick, 250) : undefined;
    try {
      await Promise.all(applicants);
    } finally {
      this.finishedAt = Date.now();
      this.stopping = true;
      if (ticker) clearInterval(ticker);
      await Promise.all([...reviewers, notifier]);
    }
  }

  /** The applicants' notifications: what changed on their cases, read from PostgreSQL. */
  private async notifierLoop(watch: NonNullable<DriverOptions['watch']>): Promise<void> {
    while (!this.stopping) {
      const open = this.cases.filter((c) => c.caseNo && !c.completedAt && !c.failed).map((c) => c.caseNo!);
      if (open.length > 0) {
        try {
          for (const row of await watch(open)) {
            const c = this.byCaseNo.get(row.caseNo);
            if (!c) continue;
            const want = expectedCertificates(c.variant.service);
            const news = (row.status === 'awaiting_supplement' && !c.supplied) || (row.status === 'completed' && row.certificates >= want) || row.status === 'rejected';
            if (news && c.notified !== row.status) {
              c.notified = row.status;
              c.poke?.();
            }
          }
        } catch {
          /* PostgreSQL away (a drill): the applicants keep checking through the API */
        }
      }
      await sleep(this.opts.notifyMs);
    }
  }

  /** Open loop: case i starts at startedAt + i / rate, on its own, whatever the earlier ones are doing. */
  private async arrivals(rate: number, deadline: number): Promise<void> {
    const running: Promise<void>[] = [];
    for (let i = 0; i < this.cases.length && !this.stopping; i++) {
      const due = this.startedAt + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      this.arrivalLagMs.push(Math.max(0, Date.now() - due));
      const c = this.cases[this.nextIndex++]!;
      this.lastHandoutAt = Date.now();
      running.push(
        (async () => {
          await this.submit(c, deadline);
          if (c.caseNo) await this.follow(c, deadline);
        })(),
      );
    }
    await Promise.all(running);
  }

  private async applicantLoop(deadline: number): Promise<void> {
    while (!this.stopping && this.nextIndex < this.cases.length) {
      const c = this.cases[this.nextIndex++]!;
      this.lastHandoutAt = Date.now();
      await this.submit(c, deadline);
      if (c.caseNo) await this.follow(c, deadline);
      if (Date.now() > deadline) {
        for (const x of this.cases) if (!x.completedAt && !x.failed) x.failed = 'timed out';
        this.stopping = true;
      }
    }
  }

  private async submit(c: CaseRun, deadline: number): Promise<void> {
    const body = EXAMPLES[c.variant.service]!();
    const key = `bench-${this.opts.runId}-${c.index}`;
    // A slot is handed straight to the next waiter on release, so the limit is never exceeded.
    if (this.submitting >= this.opts.submitParallelism) await new Promise<void>((r) => this.submitQueue.push(r));
    else this.submitting += 1;
    try {
      await this.submitOnce(c, body, key, deadline);
    } finally {
      const next = this.submitQueue.shift();
      if (next) next();
      else this.submitting -= 1;
    }
  }

  private async submitOnce(c: CaseRun, body: unknown, key: string, deadline: number): Promise<void> {
    c.submitStartedAt = Date.now();
    for (;;) {
      const r = await this.call('submit', 'POST', '/api/v1/cases', { token: this.portal, body, headers: { 'idempotency-key': key } });
      if (r.status === 201 || r.status === 200) {
        c.caseNo = r.body.caseNo as string;
        this.byCaseNo.set(c.caseNo, c);
        this.submitted += 1;
        return;
      }
      if ((r.status >= 400 && r.status < 500) || Date.now() > deadline) {
        c.failed = `submit answered ${r.status}: ${JSON.stringify(r.body)?.slice(0, 300)}`;
        return;
      }
      await sleep(500);
    }
  }

  /** The applicant follows its case until it is completed with every certificate; supplies materials when asked. */
  private async follow(c: CaseRun, deadline: number): Promise<void> {
    const want = expectedCertificates(c.variant.service);
    const polling = this.opts.watch === undefined;
    let nextCheck = Date.now() + this.opts.statusPollMs;
    while (Date.now() < deadline) {
      // Without notifications, poll fast while something is expected (the supplement request, the certificates).
      const expecting = polling && (lastHumanStep(c.variant.service) === undefined || c.lastApprovalAt !== undefined || (c.supplementRequested && !c.supplied));
      const wait = expecting ? this.opts.fastPollMs : Math.max(0, nextCheck - Date.now());
      if (c.notified === undefined || c.notified === c.handled) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          c.poke = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        c.poke = undefined;
      }
      c.handled = c.notified;
      if (Date.now() >= nextCheck) nextCheck = Date.now() + this.opts.statusPollMs;
      const r = await this.call('status', 'GET', `/api/v1/cases/${c.caseNo}`, { token: this.portal });
      if (r.status !== 200) continue;
      const status = r.body.status as string;
      if (status === 'awaiting_supplement' && !c.supplied) await this.supply(c);
      if (status === 'completed') {
        c.certificates = (r.body.certificates as unknown[]).length;
        if (c.certificates >= want) {
          c.completedAt = Date.now();
          this.completed += 1;
          return;
        }
      }
      if (status === 'rejected' || status === 'withdrawn') {
        c.failed = `case ended ${status}: ${JSON.stringify(r.body.reasons)}`;
        return;
      }
    }
    c.failed ??= 'not completed before the deadline';
  }

  private async supply(c: CaseRun): Promise<void> {
    const plan = SUPPLEMENT_PLAN[c.variant.service]!;
    const r = await this.call('supplement', 'POST', `/api/v1/cases/${c.caseNo}/supplements`, {
      token: this.portal,
      body: { materials: [{ material: plan.material, reference: `upload:bench-${c.index}-2` }], comment: 'supplied as asked' },
      headers: { 'idempotency-key': `bench-sup-${this.opts.runId}-${c.index}` },
    });
    if (r.status === 202) {
      c.supplied = true;
      c.supplementIds.push(r.body.supplementId as string);
    }
  }

  private async reviewerLoop(department: Department): Promise<void> {
    const token = this.reviewerTokens.get(department)!;
    const running = new Set<Promise<void>>();
    while (!this.stopping) {
      const q = await this.call('queue', 'GET', '/api/v1/reviews?status=open&limit=200', { token });
      if (q.status === 200) {
        for (const t of q.body.tasks as { taskId: string; caseNo: string; stepId: string; round: number }[]) {
          const c = this.byCaseNo.get(t.caseNo);
          if (!c || this.decided.has(t.taskId) || this.inFlight.has(t.taskId)) continue;
          while (running.size >= this.opts.reviewerParallelism) await Promise.race(running);
          this.inFlight.add(t.taskId);
          const p = this.decide(token, c, t).finally(() => {
            this.inFlight.delete(t.taskId);
            running.delete(p);
          });
          running.add(p);
        }
      }
      await sleep(q.status === 200 ? this.opts.reviewerPollMs : 500);
    }
    await Promise.all(running);
  }

  private async decide(token: string, c: CaseRun, t: { taskId: string; stepId: string; round: number }): Promise<void> {
    const plan = SUPPLEMENT_PLAN[c.variant.service];
    const askSupplement = c.variant.supplement && plan?.stepId === t.stepId && t.round === 1;
    const isLast = !askSupplement && t.stepId === lastHumanStep(c.variant.service);
    const body = askSupplement
      ? { decision: 'request_supplement', comment: 'materials incomplete', missing: [{ material: plan.material, reason: 'the copy is not legible' }] }
      : { decision: 'approve', comment: '符合条件，同意' };
    // Deciding requires holding the claim: claim first (not counted in the decision's latency).
    const claimed = await this.call('claim', 'POST', `/api/v1/reviews/${encodeURIComponent(t.taskId)}/claim`, { token });
    if (claimed.status !== 200) return; // not open any more, or a failure: the next poll tries again
    const startedAt = Date.now();
    const r = await this.call('decision', 'POST', `/api/v1/cases/${c.caseNo}/steps/${t.stepId}/decision`, {
      token,
      body,
      headers: { 'idempotency-key': `bench-dec-${this.opts.runId}-${t.taskId}` },
    });
    if (r.status !== 202) return; // 409 (not open yet / already decided) or a failure: the next poll tries again
    this.decided.add(t.taskId);
    this.decisionsAccepted += 1;
    c.decisions.push({ taskId: t.taskId, stepId: t.stepId, round: t.round, decision: body.decision, decisionId: r.body.decisionId as string });
    if (askSupplement) c.supplementRequested = true;
    if (isLast) c.lastApprovalAt = startedAt;
    if (this.opts.watch === undefined && (askSupplement || isLast)) c.poke?.(); // polling: start polling fast now
  }
}
