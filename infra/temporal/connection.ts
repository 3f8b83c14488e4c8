/**
 * Connections to Temporal: the embedded dev server by default, or the cluster of the Temporal CLI's profile and
 * TEMPORAL_* variables (infra/config.ts loadTemporalConfig): address, namespace, mTLS, API key, gRPC headers.
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { toClientOptions } from '@temporalio/envconfig';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalConfig } from '../config';
import { LogContextClientInterceptor } from '../logging/temporal';
import { CaseTraceClientInterceptor } from '../tracing/temporal';

/**
 * The connection options the CLI would use for this profile (envconfig's own mapping: TLS when the profile has a
 * `tls` section or an API key, unless TLS is disabled; certificate files read now). PEM data as Buffers: gRPC's TLS
 * credentials refuse a bare Uint8Array.
 */
export function connectionOptions(cfg: TemporalConfig): NativeConnectionOptions {
  const { connectionOptions: o } = toClientOptions({ address: cfg.address, namespace: cfg.namespace, apiKey: cfg.apiKey, tls: cfg.tls, grpcMeta: cfg.grpcMeta });
  const buf = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b));
  let tls = o.tls;
  if (tls && typeof tls === 'object') {
    tls = Object.fromEntries(
      Object.entries({
        serverNameOverride: tls.serverNameOverride,
        serverRootCACertificate: buf(tls.serverRootCACertificate),
        clientCertPair: tls.clientCertPair ? { crt: buf(tls.clientCertPair.crt)!, key: buf(tls.clientCertPair.key)! } : undefined,
      }).filter(([, v]) => v !== undefined),
    );
  }
  return Object.fromEntries(Object.entries({ ...o, tls }).filter(([, v]) => v !== undefined)) as NativeConnectionOptions;
}

/**
 * A client of the platform's workflows. Pass the payload codec's converter (payloadDataConverter in ./codec) whenever
 * the client starts, signals or queries cases: the worker encrypts what it writes, so a client without it cannot read
 * the results. Tools that touch only search attributes or the namespace may leave it out.
 */
export async function connectClient(cfg: TemporalConfig, dataConverter?: DataConverter): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(cfg) as ConnectionOptions);
  return new Client({
    connection,
    namespace: cfg.namespace,
    ...(dataConverter ? { dataConverter } : {}),
    // In this order: the case, workflow and run a request starts or signals go into its log lines (a no-op outside a
    // request); the case's trace is opened (start) or joined (signal); Temporal's interceptor carries the trace
    // context in the headers. Without a tracer provider (tracing off) the last two cost next to nothing.
    interceptors: { workflow: [new LogContextClientInterceptor(), new CaseTraceClientInterceptor(), new OpenTelemetryWorkflowClientInterceptor()] },
  });
}

export async function connectWorker(cfg: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(cfg));
}
