/**
 * Connections to Temporal: the embedded dev server by default, or any cluster via TEMPORAL_ADDRESS (+ namespace,
 * mTLS certificate/key, or an API key for Temporal Cloud).
 */
import fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalConfig } from '../config';
import { LogContextClientInterceptor } from '../logging/temporal';

function tlsOptions(cfg: TemporalConfig) {
  if (!cfg.tls && !cfg.apiKey) return undefined;
  if (!cfg.tls) return true; // API key: server-authenticated TLS with the system's CAs
  const read = (p?: string) => (p ? fs.readFileSync(p) : undefined);
  const cert = read(cfg.tls.certPath);
  const key = read(cfg.tls.keyPath);
  return {
    ...(cfg.tls.serverName ? { serverNameOverride: cfg.tls.serverName } : {}),
    ...(cfg.tls.caPath ? { serverRootCACertificate: read(cfg.tls.caPath) } : {}),
    ...(cert && key ? { clientCertPair: { crt: cert, key } } : {}),
  };
}

/**
 * A client of the platform's workflows. Pass the payload codec's converter (payloadDataConverter in ./codec) whenever
 * the client starts, signals or queries cases: the worker encrypts what it writes, so a client without it cannot read
 * the results. Tools that touch only search attributes or the namespace may leave it out.
 */
export async function connectClient(cfg: TemporalConfig, dataConverter?: DataConverter): Promise<Client> {
  const options: ConnectionOptions = { address: cfg.address, tls: tlsOptions(cfg), apiKey: cfg.apiKey };
  const connection = await Connection.connect(options);
  return new Client({
    connection,
    namespace: cfg.namespace,
    ...(dataConverter ? { dataConverter } : {}),
    // The case, workflow and run a request starts or signals go into its log lines (a no-op outside a request).
    interceptors: { workflow: [new LogContextClientInterceptor()] },
  });
}

export async function connectWorker(cfg: TemporalConfig): Promise<NativeConnection> {
  const options: NativeConnectionOptions = { address: cfg.address, tls: tlsOptions(cfg), apiKey: cfg.apiKey };
  return NativeConnection.connect(options);
}
