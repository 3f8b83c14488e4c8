/**
 * A small HTTP/1.1 JSON client over keep-alive sockets (node:http), timed per call. Lighter on the client side than
 * fetch, so the latencies measured are the server's, not the load generator's. Given several base URLs (the scale-out
 * run's API processes), it sends the calls to them in turn, as a round-robin load balancer would.
 */
import http from 'node:http';

export interface Reply {
  status: number;
  body: any; // JSON of many shapes
  ms: number;
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly urls: URL[];
  private turn = 0;

  constructor(
    base: string | string[],
    readonly opts: { maxSockets?: number; timeoutMs?: number } = {},
  ) {
    this.urls = (Array.isArray(base) ? base : [base]).map((b) => new URL(b));
    if (this.urls.length === 0) throw new Error('HttpClient needs a base URL');
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64, keepAliveMsecs: 1000 });
  }

  request(method: string, path: string, o: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Reply> {
    const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const headers: Record<string, string | number> = { accept: 'application/json', ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const url = this.urls[this.turn++ % this.urls.length]!;
    const started = performance.now();
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, method, path, headers, agent: this.agent, timeout: o.timeoutMs ?? this.opts.timeoutMs ?? 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const ms = performance.now() - started;
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body, ms });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
