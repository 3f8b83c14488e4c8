/**
 * Personal data in Temporal. A school-bus case runs end to end with the payload codec on the client and the worker;
 * its history, read as the Temporal server stores it (a client without the codec: what its UI, its database or anyone
 * who reaches them sees), holds none of the seeded personal data, while a client with the codec reads the case. Then
 * the codec endpoint that lets ops read those payloads in the Temporal UI: ops only, CORS for the UI, the dev secret.
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { CaseOutcome, Department, ReviewDecision } from '../../domain/types';
import { DEMO } from '../../infra/db/seed';
import { humanReviewOrder } from '../../infra/services/catalog';
import { isEncrypted } from '../../infra/temporal/codec';
import { caseStateQuery, reviewDecisionSignal } from '../../workflows/definitions';
import { schoolBusApplication } from '../fixtures/applications';
import { CODEC_UI_ORIGIN, startApi, token, type ApiHarness } from '../helpers/api-harness';
import { payloadsOf, textOf } from '../helpers/history';
import { connectTestEnv, makeWorker, openStep, openTestOrm, plainClient, service, submit, testCodec, uniqueQueue, waitForState } from '../helpers/harness';

// Everything personal the school-bus example carries (api/schemas/examples.ts, seeded in infra/db/seed.ts).
const PERSONAL = {
  'school credit code': DEMO.school.creditCode,
  'school name': DEMO.school.name,
  'carrier credit code': DEMO.schoolBusCarrier.creditCode,
  'carrier name': DEMO.schoolBusCarrier.name,
  'driver name': DEMO.drivers.schoolBus.name,
  'driver ID number': DEMO.drivers.schoolBus.idCard,
  plate: DEMO.vehicles.schoolBus,
};

const b64 = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('base64');
const asJson = (p: Payload) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) });

let env: TestWorkflowEnvironment;
let orm: MikroORM;
let worker: Worker;
let running: Promise<void>;
let api: ApiHarness;
const taskQueue = uniqueQueue('codec');
const DEV_SECRET = randomUUID();
/** Encrypted payloads from the case's raw history, for the endpoint tests. */
let fromHistory: Payload[] = [];

beforeAll(async () => {
  env = await connectTestEnv();
  orm = await openTestOrm();
  worker = await makeWorker(env, orm, taskQueue);
  running = worker.run();
  api = await startApi({ codecDevSecret: DEV_SECRET });
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await api?.close();
  await orm?.close();
  await env?.teardown();
});

describe('a school-bus case with the payload codec', () => {
  it('leaves no seeded personal data in the history as Temporal stores it; a client with the codec reads the case', async () => {
    const { caseNo } = await submit({ orm, client: env.client, taskQueue }, 'SCHOOLBUS', schoolBusApplication());
    const handle = env.client.workflow.getHandle(caseNo);
    for (const [department, stepId] of humanReviewOrder(service('SCHOOLBUS'))) {
      await waitForState(handle, openStep(stepId));
      // Reviewers' comments quote the application: they travel in signals, so they must be encrypted too.
      const d: ReviewDecision = {
        decisionId: randomUUID(),
        stepId,
        department: department as Department,
        decision: 'approve',
        comment: `驾驶员${DEMO.drivers.schoolBus.name}、车辆${DEMO.vehicles.schoolBus}核验无误`,
        reviewer: `${department}-01`,
      };
      await handle.signal(reviewDecisionSignal, d);
    }
    const outcome: CaseOutcome = await handle.result();
    expect(outcome.status).toBe('completed');
    expect(outcome.certificates.map((c) => c.subjectKey)).toContain(DEMO.vehicles.schoolBus); // read through the codec

    const state = await handle.query(caseStateQuery);
    expect(state).toMatchObject({ caseNo, status: 'completed' });

    // The raw history: no codec, no key.
    const raw = await plainClient(env).workflow.getHandle(caseNo).fetchHistory();
    const rawText = textOf(raw).join('\n');
    for (const [what, value] of Object.entries(PERSONAL)) {
      expect({ what, found: rawText.includes(value) }).toEqual({ what, found: false });
    }
    const payloads = payloadsOf(raw);
    fromHistory = payloads.filter(isEncrypted);
    // Only search attributes (codes, statuses, dates: no personal data) stay readable, as the server must index them.
    expect(fromHistory.length).toBeGreaterThan(20);

    // The same history decoded with the key does hold the data: the check above would see it if it were in clear.
    const decodedText = textOf(await testCodec().decode(payloads)).join('\n');
    expect(decodedText).toContain(DEMO.vehicles.schoolBus);
    expect(decodedText).toContain(DEMO.drivers.schoolBus.name);

    // Without the codec the case cannot be read at all.
    await expect(plainClient(env).workflow.getHandle(caseNo).result()).rejects.toThrow(/binary\/encrypted/);
  });
});

describe('the codec endpoint for the Temporal UI', () => {
  const ops = () => token('ops', undefined, 'ops-1');
  const someEncrypted = () => {
    if (fromHistory.length === 0) throw new Error('the case test above found no encrypted payloads');
    return { payloads: fromHistory.map(asJson) };
  };
  const cors = { Origin: CODEC_UI_ORIGIN, 'X-Namespace': 'default' };

  it('answers 401 without a token and 403 for a token that is not ops', async () => {
    expect((await api.call('POST', '/codec/decode', { body: someEncrypted(), headers: cors })).status).toBe(401);
    for (const t of [token('portal', undefined, 'portal-system'), token('reviewer', 'education', 'edu-01')]) {
      const r = await api.call('POST', '/codec/decode', { token: t, body: someEncrypted(), headers: cors });
      expect(r.status).toBe(403);
      expect(JSON.stringify(r.body)).not.toContain(DEMO.vehicles.schoolBus);
    }
  });

  it('decodes the history payloads for ops, in the protocol form (base64 metadata and data), with CORS for the UI', async () => {
    const r = await api.call('POST', '/codec/decode', { token: ops(), body: someEncrypted(), headers: cors });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe(CODEC_UI_ORIGIN);
    const decoded = r.body.payloads as { metadata: Record<string, string>; data: string }[];
    expect(decoded).toHaveLength(fromHistory.length);
    expect(decoded.every((p) => Buffer.from(p.metadata.encoding!, 'base64').toString() !== 'binary/encrypted')).toBe(true);
    const text = decoded.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
    expect(text).toContain(DEMO.vehicles.schoolBus);
    expect(text).toContain(DEMO.drivers.schoolBus.name);

    // /encode for what the UI sends (e.g. a signal typed in the UI), and back.
    const plain = { payloads: [{ metadata: { encoding: b64(Buffer.from('json/plain')) }, data: b64(Buffer.from(JSON.stringify({ plate: DEMO.vehicles.schoolBus }))) }] };
    const enc = await api.call('POST', '/codec/encode', { token: ops(), body: plain });
    expect(enc.status).toBe(200);
    expect(Buffer.from(enc.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(enc.body.payloads[0].data, 'base64').toString('utf8')).not.toContain(DEMO.vehicles.schoolBus);
    expect((await api.call('POST', '/codec/decode', { token: ops(), body: enc.body })).body).toEqual(plain);
  });

  it('answers the CORS preflight for the UI origin (X-Namespace, Authorization), and not for another origin', async () => {
    const preflight = (origin: string) =>
      api.call('OPTIONS', '/codec/decode', {
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace,authorization' },
      });
    const ok = await preflight(CODEC_UI_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(CODEC_UI_ORIGIN);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toEqual(expect.arrayContaining(['content-type', 'x-namespace', 'authorization']));
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses what it cannot decode with a clear 4xx: a tampered payload (422), a body that is not payloads (400)', async () => {
    const [first] = someEncrypted().payloads;
    const data = Buffer.from(first!.data, 'base64');
    data[data.length - 1] = data[data.length - 1]! ^ 1;
    const tampered = await api.call('POST', '/codec/decode', { token: ops(), body: { payloads: [{ ...first, data: data.toString('base64') }] } });
    expect(tampered.status).toBe(422);
    expect(tampered.body.error.message).toMatch(/failed authentication/);
    expect((await api.call('POST', '/codec/decode', { token: ops(), body: { payloads: [{ data: 'not base64!' }] } })).status).toBe(400);
    expect((await api.call('POST', '/codec/decode', { token: ops(), body: { nothing: true } })).status).toBe(400);
    // `{}` is protobuf JSON for an empty list (the CLI sends it for a query without arguments).
    const empty = await api.call('POST', '/codec/encode', { token: ops(), body: {} });
    expect([empty.status, empty.body]).toEqual([200, { payloads: [] }]);
  });

  it('development: the per-start secret in the path stands in for the token the dev UI cannot send; a wrong one is a 404', async () => {
    const r = await api.call('POST', `/codec/dev/${DEV_SECRET}/decode`, { body: someEncrypted(), headers: cors });
    expect(r.status).toBe(200);
    expect(Buffer.from(r.body.payloads[0].metadata.encoding, 'base64').toString()).not.toBe('binary/encrypted');
    const wrong = await api.call('POST', `/codec/dev/${randomUUID()}/decode`, { body: someEncrypted(), headers: cors });
    expect(wrong.status).toBe(404);
    expect(JSON.stringify(wrong.body)).not.toContain(DEV_SECRET);
  });
});
