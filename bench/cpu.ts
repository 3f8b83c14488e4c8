/**
 * Where the CPU went during a phase: CPU seconds per process (utime + stime from /proc/<pid>/stat) for each part of
 * the stack, PostgreSQL summed over all its processes, and how busy the whole machine was (/proc/stat). This is the
 * benchmark's profile of what bounds throughput on this machine.
 */
import fs from 'node:fs';
import os from 'node:os';

const TICK = 100; // USER_HZ on Linux

function ticksOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the whole line)
  } catch {
    return 0;
  }
}

/** Every PostgreSQL process (postmaster and backends); shared with anyone else using the server at the time. */
export function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * The PostgreSQL processes that work for one database: its backends (their command line reads
 * `postgres: <cluster>: <user> <database> <host>(<port>) <state>`), found from /proc without a query, so the meter
 * costs PostgreSQL nothing. Other databases' backends (other people's tests on a shared server) are not counted.
 * Backends whose client is this process (the load driver's own connections: the applicants' notifications) are
 * left out: their client port is one of this process's sockets (ownTcpPorts).
 */
export function postgresBackendsOf(database: string): () => number[] {
  const needle = ` ${database} `;
  return () => {
    const mine = ownTcpPorts();
    return postgresProcesses((cmd) => {
      const port = /\((\d+)\)/.exec(cmd)?.[1];
      return cmd.includes(needle) && !(port && mine.has(Number(port)));
    });
  };
}

/** The pids of the server's `postgres` processes whose command line (NULs as spaces) `keep` accepts. */
function postgresProcesses(keep: (cmd: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      if (keep(fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '))) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** Local TCP ports of this process's sockets: /proc/self/fd's socket inodes looked up in /proc/net/tcp{,6}. */
export function ownTcpPorts(): Set<number> {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9]!)) ports.add(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/**
 * PostgreSQL's shared processes (postmaster, WAL writer, checkpointer, background writer, …): they work for every
 * database of the server, so on a shared machine they are reported, never counted into a phase's cost per case.
 */
export function postgresSharedPids(): number[] {
  // A backend names its client's address: `… 127.0.0.1(52594) idle`; the shared processes name none.
  return postgresProcesses((cmd) => !/\(\d+\)/.test(cmd) && !/\[local\]/.test(cmd));
}

/** CPU seconds of the named parts of a report that make up the stack (everything but the load driver). */
export function stackSeconds(r: CpuReport, exclude: readonly string[] = [DRIVER, PG_SHARED]): number {
  return Object.entries(r.parts).reduce((a, [k, v]) => (exclude.includes(k) ? a : a + v), 0);
}

/** Part names with a fixed meaning: the load driver (never part of the stack) and PostgreSQL's shared processes. */
export const DRIVER = 'load driver (bench)';
export const PG_SHARED = 'PostgreSQL shared (WAL, checkpoints; all databases)';

function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = line.reduce((a, b) => a + b, 0);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuReport {
  seconds: number;
  /** CPU seconds per part. */
  parts: Record<string, number>;
  /** Share of all cores busy over the phase, 0..1. */
  machineBusy: number;
}

/** Samples process CPU every second (backends come and go) and sums the increments per part. */
export class CpuMeter {
  private readonly last = new Map<number, number>();
  private readonly totals = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private machineStart = { busy: 0, total: 0 };

  constructor(private readonly parts: Record<string, () => number[]>) {}

  private sample(): void {
    for (const [name, pidsOf] of Object.entries(this.parts)) {
      for (const pid of pidsOf()) {
        const now = ticksOf(pid);
        const before = this.last.get(pid);
        this.last.set(pid, now);
        if (before !== undefined && now >= before) this.totals.set(name, (this.totals.get(name) ?? 0) + (now - before));
      }
    }
  }

  start(): void {
    this.startedAt = Date.now();
    this.machineStart = machineTicks();
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): CpuReport {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const m = machineTicks();
    return {
      seconds: (Date.now() - this.startedAt) / 1000,
      parts: Object.fromEntries(Object.keys(this.parts).map((k) => [k, (this.totals.get(k) ?? 0) / TICK])),
      machineBusy: (m.busy - this.machineStart.busy) / Math.max(1, m.total - this.machineStart.total),
    };
  }
}

/** CPU seconds the machine spent on processes outside the parts measured (someone else's tests, the OS). */
export function otherCpu(r: CpuReport): number {
  const accounted = Object.values(r.parts).reduce((a, b) => a + b, 0);
  return Math.max(0, r.machineBusy * os.cpus().length * r.seconds - accounted);
}

export function formatCpu(r: CpuReport): string {
  const parts = Object.entries(r.parts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(1)} s (${((v / r.seconds) * 100).toFixed(0)}%)`)
    .join(', ');
  const others = otherCpu(r);
  const warn = others > 0.1 * os.cpus().length * r.seconds ? ' ⚠ other load on the machine: these numbers are not clean' : '';
  return `CPU over ${r.seconds.toFixed(1)} s: ${parts}, everything else ${others.toFixed(1)} s; machine ${(r.machineBusy * 100).toFixed(0)}% busy (${os.cpus().length} cores)${warn}`;
}
