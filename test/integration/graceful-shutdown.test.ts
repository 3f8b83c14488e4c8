/**
 * Graceful shutdown of the real processes (node api/main.ts, node worker/main.ts):
 * - SIGTERM to the API: it stops taking connections, finishes the request in flight, and exits 0.
 * - SIGTERM to a worker with an activity in flight: the activity finishes (not abandoned), then the worker exits 0.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { signDevToken } from '../../api/http/auth';
import { schoolBusExample } from '../../api/schemas/examples';
import { registerPortalClient } from '../../infra/repositories/portal-clients';
import { openTestOrm, submit, uniqueQueue, waitForRows } from '../helpers/harness';
import { connectTestEnv } from '../helpers/harness';
import { freePort, killStartedProcesses, startProcess } from '../helpers/processes';
import { schoolBusApplication } from '../fixtures/applications';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

const JWT_SECRET = 'graceful-test-secret';
let orm: MikroORM;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  orm = await openTestOrm();
  env = await connectTestEnv();
});
afterAll(async () => {
  killStartedProcesses();
  await orm.close();
  await env.teardown();
});

it('SIGTERM to the API: no new connections, the open request completes, exit 0', async () => {
  const port = await freePort();
  const { child, exited } = await startProcess('api/main.ts', { JWT_SECRET, API_PORT: String(port), TEMPORAL_TASK_QUEUE: uniqueQueue('graceful-api') }, 'api ready');
  const token = signDevToken({ sub: 'portal', role: 'portal' }, { secret: JWT_SECRET, issuer: 'onestop' });
  const body = Buffer.from(JSON.stringify(schoolBusExample()));
  const half = Math.floor(body.length / 2);

  // A submission in flight: headers and half the body sent, then SIGTERM, then the rest.
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      // `Expect: 100-continue`: the server answers 100 once it has parsed the headers, so SIGTERM comes while the
      // request is known to be open (before that the connection is idle and closing it would be right, not a bug).
      { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/cases', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': body.length, 'idempotency-key': `graceful-${port}-0001`, expect: '100-continue' } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.flushHeaders();
    req.once('continue', () => {
      req.write(body.subarray(0, half));
      child.kill('SIGTERM');
      // Wait until the API stopped listening before sending the rest: proves the open request survives the close.
      const probe = () =>
        net
          .connect(port, '127.0.0.1')
          .on('connect', function (this: net.Socket) {
            this.destroy();
            setTimeout(probe, 20);
          })
          .on('error', () => req.end(body.subarray(half)));
      probe();
    });
  });
  const res = await response;
  expect(res.status).toBe(201);
  expect(JSON.parse(res.text).caseNo).toMatch(/^JN-SCHOOLBUS-/);
  expect(await exited()).toBe(0);
});

it('SIGTERM to a worker with an activity in flight: the activity finishes, then the worker exits 0', async () => {
  const taskQueue = uniqueQueue('graceful-worker');
  let release: () => void = () => undefined;
  let arrived: () => void = () => undefined;
  const webhookArrived = new Promise<void>((r) => (arrived = r));
  const receiver = http.createServer((req, res) => {
    req.resume();
    arrived();
    // Hold the portal's answer until the worker has been told to stop.
    release = () => res.writeHead(204).end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const url = `${origin}/hook`;
  // Webhooks go only to a registered client's origins; loopback only where the registration allows it.
  const portalClientId = `graceful-${taskQueue}`;
  await registerPortalClient(orm.em.fork(), { id: portalClientId, name: 'graceful shutdown test', callbackOrigins: [origin], allowPrivateCallbacks: true });
  const healthPort = await freePort();
  const { child, output, exited } = await startProcess('worker/main.ts', { JWT_SECRET, TEMPORAL_TASK_QUEUE: taskQueue, WORKER_HEALTH_PORT: String(healthPort) }, 'worker ready');
  try {
    const { caseNo } = await submit({ orm, client: env.client, taskQueue }, 'SCHOOLBUS', { ...schoolBusApplication(), webhookUrl: url, portalClientId });
    await webhookArrived; // deliverWebhook is now running inside the worker
    child.kill('SIGTERM');
    // The worker reports it is draining (health 503) while the activity still waits for the portal's answer.
    for (;;) {
      const state = await fetch(`http://127.0.0.1:${healthPort}/`).then((r) => r.json() as Promise<{ state: string }>);
      if (state.state !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    release();
    expect(await exited()).toBe(0);
    expect(output()).toContain('worker stopped');
    const rows = await waitForRows<{ attempt: number; http_status: number }>(orm, 'select attempt, http_status from webhook_delivery where case_no = ?', [caseNo]);
    expect(rows).toEqual([{ attempt: 1, http_status: 204 }]);
    await env.client.workflow.getHandle(caseNo).terminate('test done');
  } finally {
    receiver.close();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
