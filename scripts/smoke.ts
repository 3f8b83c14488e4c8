/**
 * `npm run smoke`: drives the platform that `npm start` runs, as a portal and the reviewers would, through the API:
 * a school-bus case from submission to verified certificates. Prints each step and where to see the case in the UI.
 *   API_URL (default http://127.0.0.1:3000)
 */
import { randomUUID } from 'node:crypto';
import { signDevToken } from '../api/http/auth';
import type { Department } from '../domain/types';
import { loadConfig } from '../infra/config';
import { verifyCertificateSignature } from '../infra/signing/certificate-signer';

const cfg = loadConfig();
const base = `${process.env.API_URL ?? `http://127.0.0.1:${cfg.api.port}`}/api/v1`;
const auth = { secret: cfg.jwt.secret, issuer: cfg.jwt.issuer };
const portal = signDevToken({ sub: 'smoke-portal', role: 'portal' }, auth);
const reviewer = (department: Department) => signDevToken({ sub: `smoke-${department}`, role: 'reviewer', department }, auth);

async function call(method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text.startsWith('{') ? JSON.parse(text) : text;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main() {
  const service = await call('GET', '/services/SCHOOLBUS', portal);
  const created = await call('POST', '/cases', portal, service.example, { 'Idempotency-Key': `smoke-${randomUUID()}` });
  console.log(`▸ submitted ${created.caseNo}, due ${created.deadline}`);
  // The review plan comes from the catalogue, in dependency order: approve each step as its department.
  const plan: [Department, string][] = (service.reviewPlan as { id: string; department: Department; kind: string }[])
    .filter((s) => s.kind !== 'automatic')
    .map((s) => [s.department, s.id]);
  for (const [department, stepId] of plan) {
    const task = await until(`${stepId} in the ${department} queue`, async () => {
      const q = await call('GET', '/reviews?status=open', reviewer(department));
      return q.tasks.find((t: { caseNo: string; stepId: string }) => t.caseNo === created.caseNo && t.stepId === stepId) as { taskId: string } | undefined;
    });
    // Deciding requires holding the claim on the task.
    await call('POST', `/reviews/${encodeURIComponent(task.taskId)}/claim`, reviewer(department));
    await call('POST', `/cases/${created.caseNo}/steps/${stepId}/decision`, reviewer(department), { decision: 'approve', comment: '同意' });
    console.log(`▸ ${department} approved ${stepId}`);
  }
  const done = await until('certificates', async () => {
    const c = await call('GET', `/cases/${created.caseNo}`, portal);
    return c.status === 'completed' ? c : undefined;
  });
  const pem = await call('GET', '/certificates/public-key');
  for (const c of done.certificates) {
    const cert = await call('GET', `/certificates/${c.no}`, portal);
    const pub = await call('GET', `/certificates/${c.no}/verify`);
    console.log(`▸ certificate ${c.no} (${c.type}): public verify ${pub.status}, offline signature ${verifyCertificateSignature(cert.payload, cert.signature, pem) ? 'valid' : 'INVALID'}`);
  }
  console.log(`\n${created.caseNo} completed. In the Temporal UI: http://127.0.0.1:${cfg.devServer.uiPort}/namespaces/${cfg.temporal.namespace}/workflows/${created.caseNo}`);
  console.log(`CLI: .tools/venv/bin/temporal workflow list --address ${cfg.temporal.address} --query 'OneStopService="SCHOOLBUS"'`);
}

main().catch((err: Error) => {
  console.error(`✖ smoke: ${err.message}`);
  process.exit(1);
});
