/**
 * The second process of the certificate scale check: public verify requests (GET /api/v1/certificates/:no/verify, no
 * token) for random certificate numbers, `concurrency` at a time, after a warm-up. Prints one JSON line: the latency
 * summary and the request rate. Bounded: exactly `requests` requests (plus the warm-up), then it exits.
 *
 *   node --import tsx bench/verify-load.ts --url http://127.0.0.1:13000 --prefix BL- --width 7 --max 1000000 \
 *     --requests 20000 --concurrency 8
 */
import { HttpClient } from './http';
import { summarize } from './stats';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

async function main(): Promise<void> {
  const url = arg('url');
  const prefix = arg('prefix', 'BL-');
  const width = Number(arg('width', '7'));
  const max = Number(arg('max'));
  const requests = Number(arg('requests', '20000'));
  const concurrency = Number(arg('concurrency', '8'));
  const warmup = Number(arg('warmup', '1000'));
  const http = new HttpClient(url, { maxSockets: concurrency, timeoutMs: 10_000 });
  const latencies: number[] = [];
  const bad = new Map<string, number>();
  let issued = 0;
  const total = warmup + requests;
  let measuredStart = 0;

  const worker = async () => {
    while (issued < total) {
      const i = issued++;
      if (i === warmup) measuredStart = performance.now();
      const no = `${prefix}${String(1 + Math.floor(Math.random() * max)).padStart(width, '0')}`;
      try {
        const r = await http.request('GET', `/api/v1/certificates/${no}/verify`);
        const ok = r.status === 200 && r.body?.status === 'valid' && r.body?.signatureValid === true;
        if (!ok) bad.set(`${r.status} ${r.body?.status}`, (bad.get(`${r.status} ${r.body?.status}`) ?? 0) + 1);
        if (i >= warmup) latencies.push(r.ms);
      } catch (err) {
        bad.set((err as Error).message, (bad.get((err as Error).message) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - measuredStart) / 1000;
  http.close();
  console.log(JSON.stringify({ latency: summarize(latencies), rps: latencies.length / seconds, unexpected: Object.fromEntries(bad) }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
