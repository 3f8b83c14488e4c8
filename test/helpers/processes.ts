/**
 * The platform's real processes (node api/main.ts, node worker/main.ts) as children of a test, wired to the run's
 * Temporal server and test database, with their output captured (what `npm start` writes to logs/*.log).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { PROJECT_ROOT } from '../../infra/config';

/** A loopback port free right now; nobody listens on it until someone binds it (also: a callback that refuses). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: () => Promise<number | null>;
}

const started: RunningProcess[] = [];

/** Starts `entry` with the test environment and `extraEnv`; resolves once its output contains `readyLine`. */
export function startProcess(entry: string, extraEnv: Record<string, string>, readyLine: string): Promise<RunningProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, entry)], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      SIGNING_KEY_PATH: path.join(os.tmpdir(), 'onestop-test-keys', 'signing.pem'),
      // Tests run several workers at once: the SDK's metrics exporter only where a test asks for it (a port of its own).
      WORKER_METRICS_PORT: 'off',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const running: RunningProcess = {
    child,
    output: () => out,
    exited: () => new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c)))),
  };
  started.push(running);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start: ${out.slice(-1500)}`)), 90_000);
    child.stdout!.on('data', () => {
      if (out.includes(readyLine)) {
        clearTimeout(timer);
        resolve(running);
      }
    });
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}: ${out.slice(-1500)}`)));
  });
}

/** For afterAll: no child outlives its test file, whatever failed. */
export function killStartedProcesses(): void {
  for (const { child } of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}
