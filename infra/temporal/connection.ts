/**
 * Connections to Temporal: the embedded dev server by default, or any cluster via TEMPORAL_ADDRESS (+ namespace,
 * mTLS certificate/key, or an API key for Temporal Cloud).
 */
import fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalConfig } from '../config';

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

export async function connectClient(cfg: TemporalConfig): Promise<Client> {
  const options: ConnectionOptions = { address: cfg.address, tls: tlsOptions(cfg), apiKey: cfg.apiKey };
  const connection = await Connection.connect(options);
  return new Client({ connection, namespace: cfg.namespace });
}

export async function connectWorker(cfg: TemporalConfig): Promise<NativeConnection> {
  const options: NativeConnectionOptions = { address: cfg.address, tls: tlsOptions(cfg), apiKey: cfg.apiKey };
  return NativeConnection.connect(options);
}
