/**
 * SVG charts of a bench results file (no chart library: a few dozen lines of SVG text). `npm run bench` writes them
 * next to its results; `npm run bench -- charts <results.json> [--out docs/img]` redraws them from any results file.
 *
 * - bench-throughput.svg: throughput against cases in flight, platform and bare baseline, saturation points marked;
 * - bench-cpu-per-case.svg: the stack's CPU seconds per completed case against cases in flight, both phases;
 * - bench-latency.svg: latency percentiles (p50, p95, p99, max) per call at half the saturation throughput, open-loop
 *   arrivals, log scale, with the targets drawn.
 */
import fs from 'node:fs';
import path from 'node:path';

const W = 720;
const H = 400;
const M = { left: 70, right: 190, top: 50, bottom: 60 };
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

/** Round tick values for a linear axis from 0 to max. */
function niceTicks(max: number, count = 5): number[] {
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = 0; v <= max * 1.0001 + step * 0.01; v += step) ticks.push(Number(v.toPrecision(6)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(6)));
  return ticks;
}

function frame(title: string, subtitle: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" ${FONT} font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="22" font-size="15" font-weight="600" fill="#1f2328">${esc(title)}</text>`,
    `<text x="${M.left}" y="39" font-size="11" fill="#59636e">${esc(subtitle)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

export interface LineSeries {
  name: string;
  points: [number, number][];
  /** A point to ring (the saturation point), with its label. */
  mark?: { x: number; y: number; label: string };
}

/** A line chart with a log2 x axis (concurrency doubles along the ladder) and a linear y axis from 0. */
export function lineChart(o: { title: string; subtitle: string; xLabel: string; yLabel: string; series: LineSeries[] }): string {
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = o.series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  // Half a doubling of room on either side of the ladder.
  const xMin = Math.log2(Math.min(...xs)) - 0.5;
  const xMax = Math.log2(Math.max(...xs)) + 0.5;
  const yTicks = niceTicks(Math.max(...ys, 0.001) * 1.1);
  const yMax = yTicks[yTicks.length - 1]!;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const X = (x: number) => M.left + ((Math.log2(x) - xMin) / Math.max(0.001, xMax - xMin)) * pw;
  const Y = (y: number) => M.top + ph - (y / yMax) * ph;
  const body: string[] = [];
  for (const t of yTicks) {
    body.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${Y(t)}" y2="${Y(t)}" stroke="#d8dee4" stroke-width="1"/>`);
    body.push(`<text x="${M.left - 8}" y="${Y(t) + 4}" text-anchor="end" fill="#59636e">${fmt(t)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    body.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="#59636e"/>`);
    body.push(`<text x="${X(x)}" y="${M.top + ph + 19}" text-anchor="middle" fill="#59636e">${x}</text>`);
  }
  body.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#59636e"/>`);
  body.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#59636e"/>`);
  body.push(`<text x="${M.left + pw / 2}" y="${H - 16}" text-anchor="middle" fill="#1f2328">${esc(o.xLabel)}</text>`);
  body.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">${esc(o.yLabel)}</text>`);
  o.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    body.push(`<polyline fill="none" stroke="${color}" stroke-width="2.5" points="${pts.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) {
      body.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="4" fill="${color}"><title>${esc(`${s.name}: ${x} in flight, ${fmt(y)}`)}</title></circle>`);
    }
    if (s.mark && Number.isFinite(s.mark.y)) {
      body.push(`<circle cx="${X(s.mark.x).toFixed(1)}" cy="${Y(s.mark.y).toFixed(1)}" r="9" fill="none" stroke="${color}" stroke-width="2"/>`);
      body.push(`<text x="${X(s.mark.x).toFixed(1)}" y="${(Y(s.mark.y) - 14).toFixed(1)}" text-anchor="middle" fill="${color}" font-size="11">${esc(s.mark.label)}</text>`);
    }
    const ly = M.top + 10 + i * 20;
    body.push(`<line x1="${M.left + pw + 16}" x2="${M.left + pw + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2.5"/>`);
    body.push(`<text x="${M.left + pw + 42}" y="${ly + 4}" fill="#1f2328">${esc(s.name)}</text>`);
  });
  return frame(o.title, o.subtitle, body);
}

/** Grouped bars on a log10 y axis (latencies span 1 ms to seconds), with horizontal target lines per group. */
export function barChart(o: {
  title: string;
  subtitle: string;
  yLabel: string;
  groups: { label: string; values: (number | undefined)[]; target?: number }[];
  seriesNames: string[];
}): string {
  const all = o.groups.flatMap((g) => [...g.values, g.target]).filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all, 1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, 10)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const Y = (v: number) => M.top + ph - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  const body: string[] = [];
  for (let t = lo; t <= hi * 1.0001; t *= 10) {
    body.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${Y(t)}" y2="${Y(t)}" stroke="#d8dee4"/>`);
    body.push(`<text x="${M.left - 8}" y="${Y(t) + 4}" text-anchor="end" fill="#59636e">${fmt(t)}</text>`);
  }
  body.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#59636e"/>`);
  body.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">${esc(o.yLabel)}</text>`);
  const gw = pw / Math.max(1, o.groups.length);
  const bw = (gw * 0.7) / Math.max(1, o.seriesNames.length);
  o.groups.forEach((g, gi) => {
    const x0 = M.left + gi * gw + gw * 0.15;
    g.values.forEach((v, si) => {
      if (v === undefined || !Number.isFinite(v)) return;
      const x = x0 + si * bw;
      body.push(`<rect x="${x.toFixed(1)}" y="${Y(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(M.top + ph - Y(v)).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${g.label} ${o.seriesNames[si]}: ${fmt(v)} ms`)}</title></rect>`);
      body.push(`<text x="${(x + bw / 2 - 1).toFixed(1)}" y="${(Y(v) - 3).toFixed(1)}" text-anchor="middle" font-size="9" fill="#1f2328">${fmt(v)}</text>`);
    });
    if (g.target !== undefined) {
      // The target: a dashed line across the group, its label in the gap before the group.
      body.push(`<line x1="${(x0 - 6).toFixed(1)}" x2="${(x0 + gw * 0.7 + 4).toFixed(1)}" y1="${Y(g.target)}" y2="${Y(g.target)}" stroke="#1f2328" stroke-width="1.5" stroke-dasharray="5 3"/>`);
      body.push(`<text x="${(x0 - 8).toFixed(1)}" y="${Y(g.target) - 3}" text-anchor="end" font-size="10" fill="#1f2328">${g.target}</text>`);
    }
    body.push(`<text x="${(x0 + gw * 0.35).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle" fill="#1f2328">${esc(g.label)}</text>`);
  });
  o.seriesNames.forEach((name, i) => {
    const ly = M.top + 10 + i * 20;
    body.push(`<rect x="${M.left + pw + 16}" y="${ly - 6}" width="14" height="12" fill="${COLORS[i % COLORS.length]}"/>`);
    body.push(`<text x="${M.left + pw + 36}" y="${ly + 4}" fill="#1f2328">${esc(name)}</text>`);
  });
  if (o.groups.some((g) => g.target !== undefined)) {
    const ly = M.top + 10 + o.seriesNames.length * 20 + 6;
    body.push(`<line x1="${M.left + pw + 16}" x2="${M.left + pw + 30}" y1="${ly}" y2="${ly}" stroke="#1f2328" stroke-width="1.5" stroke-dasharray="5 3"/>`);
    body.push(`<text x="${M.left + pw + 36}" y="${ly + 4}" fill="#1f2328">p99 target</text>`);
  }
  return frame(o.title, o.subtitle, body);
}

/** The parts of a results file the charts read (bench/run.ts writes them). */
export interface ChartInput {
  date: string;
  machine: string;
  command: string;
  saturation: Record<'platform' | 'baseline', { steps: { concurrency: number; throughput: number; cpuPerCase: number }[]; saturation: { concurrency: number; throughput: number } } | undefined>;
  halfLoad?: { arrivalsPerSecond: number; latency: Record<string, { p50: number; p95: number; p99: number; max: number } | undefined> };
}

export const LATENCY_CALLS: { key: string; label: string; target?: number }[] = [
  { key: 'submit', label: 'submit', target: 150 },
  { key: 'decision', label: 'decision', target: 50 },
  { key: 'status', label: 'case status' },
  { key: 'queue', label: 'reviewer queue' },
];

/** Writes the charts of one results file into `dir`; returns the files written. */
export function writeCharts(r: ChartInput, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const sub = `${r.date.slice(0, 16).replace('T', ' ')} UTC · ${r.machine.split(', Node')[0]} · ${r.command}`;
  const phases = (['platform', 'baseline'] as const).flatMap((k) => (r.saturation[k] ? [[k, r.saturation[k]!] as const] : []));
  const names = { platform: 'platform', baseline: 'bare baseline' };
  const written: string[] = [];
  const write = (name: string, svg: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, svg);
    written.push(f);
  };
  write(
    'bench-throughput.svg',
    lineChart({
      title: 'Throughput against cases in flight (closed loop)',
      subtitle: sub,
      xLabel: 'cases in flight',
      yLabel: 'completed cases per second',
      series: phases.map(([k, s]) => ({
        name: names[k],
        points: s.steps.map((x) => [x.concurrency, x.throughput] as [number, number]),
        mark: { x: s.saturation.concurrency, y: s.saturation.throughput, label: `saturation ${fmt(s.saturation.throughput)}/s` },
      })),
    }),
  );
  write(
    'bench-cpu-per-case.svg',
    lineChart({
      title: "The stack's CPU seconds per completed case",
      subtitle: sub,
      xLabel: 'cases in flight',
      yLabel: 'CPU s per case (all stack processes)',
      series: phases.map(([k, s]) => ({ name: names[k], points: s.steps.map((x) => [x.concurrency, x.cpuPerCase] as [number, number]) })),
    }),
  );
  if (r.halfLoad) {
    const h = r.halfLoad;
    write(
      'bench-latency.svg',
      barChart({
        title: `Latency at half the saturation throughput (${fmt(h.arrivalsPerSecond)} new cases/s, open loop)`,
        subtitle: sub,
        yLabel: 'ms (log scale)',
        seriesNames: ['p50', 'p95', 'p99', 'max'],
        groups: LATENCY_CALLS.map((c) => {
          const s = h.latency[c.key];
          return { label: c.label, values: [s?.p50, s?.p95, s?.p99, s?.max], ...(c.target ? { target: c.target } : {}) };
        }),
      }),
    );
  }
  return written;
}
