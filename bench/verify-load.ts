/**
 * The load generator of the certificate scale check, a process of its own so that its CPU is not the server's:
 * public verify requests for random certificate numbers, OPEN LOOP at a fixed rate (request i is due at
 * start + i / rate, sent whether or not the earlier ones have answered). Latency is measured from the moment a
 * request was due, so a server that falls behind shows it (no coordinated omission); `sendLag` says how late the
 * generator itself sent. Prints one JSON line: latency summary, achieved rate, unexpected answers.
 *
 *   node --import tsx bench/verify-load.ts --url http://127.0.0.1:13000[,http://127.0.0.1:13010] \
 *     --path '/api/v1/certificates/{no}/verify' --prefix BL- --width 7 --from 1 --to 1000000 \
 *     --rate 500 --seconds 60 [--expect-signature] [--unique]
 *
 * {no} is the certificate number (prefix + zero-padded index), {code} its verification code (md5 of `bl<index>`, as
 * bench/scale.ts writes them). --unique takes each index at most once (every verify is the first for its
 * certificate: no cache can answer it).
 */
import { createHash } from 'node:crypto';
import { HttpClient } from './http';
import { summarize } from './stats';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

export const verificationCodeOf = (i: number) => createHash('md5').update(`bl${i}`).digest('hex');

async function main(): Promise<void> {
  const url = arg('url');
  const template = arg('path', '/api/v1/certificates/{no}/verify');
  const prefix = arg('prefix', 'BL-');
  const width = Number(arg('width', '7'));
  const from = Number(arg('from', '1'));
  const to = Number(arg('to'));
  const rate = Number(arg('rate', '500'));
  const seconds = Number(arg('seconds', '60'));
  const warmupSeconds = Number(arg('warmup-seconds', '3'));
  const expectSignature = process.argv.includes('--expect-signature');
  const unique = process.argv.includes('--unique');
  // Several API processes (comma-separated): the calls go to them in turn, as a load balancer would send them.
  const http = new HttpClient(url.split(','), { maxSockets: 512, timeoutMs: 10_000 });
  const latencies: number[] = [];
  const service: number[] = [];
  const sendLag: number[] = [];
  const bad = new Map<string, number>();
  const count = (k: string) => bad.set(k, (bad.get(k) ?? 0) + 1);
  const total = Math.round(rate * (warmupSeconds + seconds));
  const warm = Math.round(rate * warmupSeconds);
  const used = new Set<number>();
  const pick = () => {
    for (;;) {
      const i = from + Math.floor(Math.random() * (to - from + 1));
      if (!unique) return i;
      if (used.size >= to - from + 1) throw new Error('--unique: every certificate of the range was asked already');
      if (!used.has(i)) {
        used.add(i);
        return i;
      }
    }
  };
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    // Everything due by now goes out at once; then sleep until the next is due.
    while (sent < total && start + (sent * 1000) / rate <= now) {
      const due = start + (sent * 1000) / rate;
      const measured = sent >= warm;
      const i = pick();
      const no = `${prefix}${String(i).padStart(width, '0')}`;
      const path = template.replace('{no}', no).replace('{code}', verificationCodeOf(i));
      sent += 1;
      const sentAt = performance.now();
      if (measured) sendLag.push(sentAt - due);
      const p = http
        .request('GET', path)
        .then((r) => {
          const ok = r.status === 200 && r.body?.status === 'valid' && (!expectSignature || r.body?.signatureValid === true);
          if (!ok) count(`${r.status} ${r.body?.status ?? ''}`);
          if (measured) {
            latencies.push(performance.now() - due);
            service.push(r.ms);
          }
        })
        // The message names the path: keep only what went wrong, so that answers group by kind.
        .catch((err: Error) => void count(`error: ${err.message.replace(/^\S+ \S+: /, '')}`))
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    const next = start + (sent * 1000) / rate;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  const measuredEnd = performance.now();
  await Promise.all(inflight);
  http.close();
  const wall = (measuredEnd - start) / 1000 - warmupSeconds;
  console.log(
    JSON.stringify({
      rate,
      seconds,
      requests: latencies.length,
      achievedRps: latencies.length / Math.max(0.001, wall),
      latency: summarize(latencies),
      service: summarize(service),
      sendLag: summarize(sendLag),
      unexpected: Object.fromEntries(bad),
    }),
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
