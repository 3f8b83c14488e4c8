/**
 * `node dist/scripts/register-search-attributes.js [--create-namespace] [--retention-days N] [--wait-seconds N]`
 *
 * Registers the case workflow's custom search attributes (OneStopService, CaseStatus, PendingDepartments,
 * CaseDeadline, Overdue) on TEMPORAL_NAMESPACE of a self-hosted cluster, through the operator API. Idempotent: only the
 * missing ones are added. Runs once per cluster before the API and workers start (compose one-shot, Kubernetes Job).
 *
 *   --create-namespace   also registers the namespace when it does not exist (compose stack; on a shared cluster the
 *                        platform team usually owns namespaces and their retention)
 *   --retention-days N   retention of closed cases' histories for a namespace created here (default 30)
 *   --wait-seconds N     keep retrying while the server is starting or the namespace is not there yet (default 120)
 *
 * Temporal Cloud namespaces are not changed from here: their search attributes are added with tcld or in the Cloud UI
 * (see docs/operations.md); this script then only prints the commands.
 */
import { msToTs } from '@temporalio/common';
import type { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../infra/config';
import { fatal } from '../infra/process';
import { connectClient } from '../infra/temporal/connection';
import { registerSearchAttributes } from '../infra/temporal/search-attributes';
import { SEARCH_ATTRIBUTES } from '../workflows/definitions';

/** gRPC status codes this script reacts to. */
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

interface Options {
  createNamespace: boolean;
  retentionDays: number;
  waitSeconds: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { createNamespace: false, retentionDays: 30, waitSeconds: 120 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const num = (name: string): number => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${name} needs a non-negative whole number`);
      return n;
    };
    if (arg === '--create-namespace') o.createNamespace = true;
    else if (arg === '--retention-days') o.retentionDays = num(arg);
    else if (arg === '--wait-seconds') o.waitSeconds = num(arg);
    else throw new Error(`unknown argument ${arg} (known: --create-namespace, --retention-days N, --wait-seconds N)`);
  }
  return o;
}

const codeOf = (err: unknown) => (err as { code?: number }).code;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` while the server is still coming up (or the namespace is still being created) until the deadline. */
async function retrying<T>(what: string, deadline: number, fn: () => Promise<T>, retryOn: number[]): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const code = codeOf(err);
      const transient = code === undefined || retryOn.includes(code);
      if (!transient || Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      if (attempt === 1 || attempt % 10 === 0) console.log(`search attributes: ${what} not possible yet (${(err as Error).message}); retrying`);
      await sleep(2000);
    }
  }
}

async function ensureNamespace(client: Client, namespace: string, retentionDays: number): Promise<void> {
  try {
    await client.workflowService.describeNamespace({ namespace });
    return;
  } catch (err) {
    if (codeOf(err) !== NOT_FOUND) throw err;
  }
  try {
    await client.workflowService.registerNamespace({
      namespace,
      description: 'OneStop one-stop cases',
      workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
    });
    console.log(`search attributes: namespace ${namespace} created (retention ${retentionDays} days)`);
  } catch (err) {
    if (codeOf(err) !== ALREADY_EXISTS) throw err;
  }
}

function printCloudInstructions(namespace: string): void {
  const flags = SEARCH_ATTRIBUTES.map((sa) => `--sa "${sa.name}=${sa.type}"`).join(' ');
  console.log(`search attributes: ${namespace} is a Temporal Cloud namespace; nothing was changed from here.
Register the search attributes once per namespace, in the Cloud UI (Namespaces → ${namespace} → Custom Search Attributes)
or with tcld:
  tcld namespace search-attributes add --namespace ${namespace} ${flags}`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const cfg = loadConfig().temporal;
  if (/\.(tmprl\.cloud|api\.temporal\.io)(:\d+)?$/.test(cfg.address)) {
    printCloudInstructions(cfg.namespace);
    return;
  }
  if (!cfg.external) console.log(`search attributes: TEMPORAL_ADDRESS is not set; using ${cfg.address}`);

  const deadline = Date.now() + opts.waitSeconds * 1000;
  // connectClient builds the client on a full Connection (it has the operator service), typed as ConnectionLike.
  const client = await retrying(`connecting to ${cfg.address}`, deadline, () => connectClient(cfg), [UNAVAILABLE, DEADLINE_EXCEEDED]);
  try {
    if (opts.createNamespace) {
      await retrying(`creating namespace ${cfg.namespace}`, deadline, () => ensureNamespace(client, cfg.namespace, opts.retentionDays), [
        UNAVAILABLE,
        DEADLINE_EXCEEDED,
      ]);
    }
    // NOT_FOUND: a namespace that was just created takes a moment to be known to every frontend.
    const added = await retrying(`registering on ${cfg.namespace}`, deadline, () => registerSearchAttributes(client.connection as Connection, cfg.namespace), [
      NOT_FOUND,
      UNAVAILABLE,
      DEADLINE_EXCEEDED,
    ]);
    const names = SEARCH_ATTRIBUTES.map((sa) => `${sa.name} (${sa.type})`).join(', ');
    console.log(
      added.length
        ? `search attributes: added ${added.join(', ')} on ${cfg.namespace} at ${cfg.address}`
        : `search attributes: all present on ${cfg.namespace} at ${cfg.address}: ${names}`,
    );
  } finally {
    await client.connection.close();
  }
}

main().catch(fatal('register-search-attributes'));
