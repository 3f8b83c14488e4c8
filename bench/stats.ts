/** Latency recording (exact percentiles over every sample), the results table, and the progress line. */

export class Latencies {
  private readonly samples = new Map<string, number[]>();

  add(name: string, ms: number): void {
    let list = this.samples.get(name);
    if (!list) this.samples.set(name, (list = []));
    list.push(ms);
  }

  get(name: string): number[] {
    return this.samples.get(name) ?? [];
  }

  names(): string[] {
    return [...this.samples.keys()];
  }

  summary(name: string): Summary | undefined {
    return summarize(this.get(name));
  }
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx]!;
}

export function summarize(values: number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
  };
}

export const fmtMs = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** A plain-text table with right-aligned numeric columns (also valid Markdown). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const sep = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

export function latencyTable(lat: Latencies, names: { key: string; label: string; target?: string }[]): string {
  const rows = names
    .filter((n) => lat.get(n.key).length > 0)
    .map((n) => {
      const s = lat.summary(n.key)!;
      return [n.label, String(s.count), fmtMs(s.p50), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max), n.target ?? ''];
    });
  return table(['call', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'target'], rows);
}

/**
 * A progress line: rewritten in place every second on a terminal; a plain line every 5 s otherwise (CI logs).
 */
export class Progress {
  private timer?: NodeJS.Timeout;
  private readonly tty = process.stdout.isTTY === true;
  private lastLength = 0;

  constructor(private readonly render: () => string) {}

  start(): void {
    this.timer = setInterval(() => this.print(), this.tty ? 1000 : 5000);
  }

  private print(): void {
    const text = this.render();
    if (this.tty) {
      process.stdout.write(`\r${text.padEnd(this.lastLength)}`);
      this.lastLength = text.length;
    } else {
      console.log(text);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) {
      this.print();
      process.stdout.write('\n');
    } else {
      this.print();
    }
  }
}
