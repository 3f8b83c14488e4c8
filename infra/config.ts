/**
 * Configuration is read once, here, at the edge (worker/, api/, scripts/) and passed down. Every variable and its
 * default is listed in README.md; keep the two in step.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadClientConfigProfile, type ClientConfigTLS } from '@temporalio/envconfig';
import { parseSigningAlgorithm, type SignatureAlgorithm } from './signing/algorithms';

/** The folder holding package.json: the same from sources (infra/) and from the build (dist/infra/). */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);

/**
 * Where and how to reach Temporal. Read with @temporalio/envconfig, so from the same profile file and variables as the
 * Temporal CLI (`temporal workflow list` and the worker see the same cluster): TEMPORAL_CONFIG_FILE (default
 * ~/.config/temporalio/temporal.toml), TEMPORAL_PROFILE (default "default"), then TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH/_DATA, TEMPORAL_TLS_CLIENT_KEY_PATH/_DATA,
 * TEMPORAL_TLS_SERVER_CA_CERT_PATH/_DATA, TEMPORAL_TLS_SERVER_NAME and TEMPORAL_GRPC_META_* over the profile.
 */
export interface TemporalConfig {
  /** host:port of the frontend. Unset everywhere means "use the embedded dev server that `npm start` runs". */
  address: string;
  namespace: string;
  taskQueue: string;
  /** True when a profile or TEMPORAL_ADDRESS names the cluster: an external one, so `npm start` starts no server. */
  external: boolean;
  /** TLS (paths or inline PEM; `disabled: true` forces plain text). Unset with an API key: TLS with the system's CAs. */
  tls?: ClientConfigTLS;
  apiKey?: string;
  /** gRPC headers for every call (the profile's grpc_meta, TEMPORAL_GRPC_META_*). */
  grpcMeta?: Record<string, string>;
  /** The profile read (TEMPORAL_PROFILE, default "default"). */
  profile: string;
}

export interface WorkerTuning {
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  maxCachedWorkflows: number;
}

export interface AppConfig {
  databaseUrl: string;
  temporal: TemporalConfig;
  worker: WorkerTuning & { healthPort: number; healthHost: string };
  api: {
    port: number;
    host: string;
    bodyLimit: string;
    publicBaseUrl: string;
    /** Proxy hops in front of the API (the gateway): `req.ip`, and so the per-IP rate limit, is the client's address. */
    trustProxyHops: number;
    rateLimit: { perIpPerMinute: number; perTokenPerMinute: number };
    /** Prometheus metrics on a listener of their own, never on the public port. */
    metrics: { host: string; port: number };
  };
  /**
   * The worker's metrics: the Temporal SDK's Prometheus exporter on host:port (port null = off), and the activity
   * attempt number past which onestop_activity_retries_over_threshold_total counts (worker/metrics.ts).
   */
  workerMetrics: { host: string; port: number | null; retryAlertAttempts: number };
  devServer: { uiPort: number; dataDir: string };
  /** The worker signs with the private key; the API reads only public keys (publicKeyPath + retiredPublicKeysDir). */
  signing: { algorithm: SignatureAlgorithm; privateKeyPath: string; keyId: string; publicKeyPath: string; retiredPublicKeysDir: string };
  /** Days after which ended cases' personal data and archived applications are purged (docs/security.md, Retention). */
  retention: { caseDays: number; archiveDays: number };
  jwt: { secret: string; issuer: string; audience: string; maxAgeSeconds: number; publicKeyPath?: string };
  /** Payload encryption (infra/temporal/codec.ts) and its codec endpoint for the Temporal UI (api/routes/codec.ts). */
  payloadCodec: { keysDir: string; currentKeyId: string; uiOrigins: string[]; devSecret?: string };
  calendarDir: string;
  logDir: string;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/** `3600`, `90s`, `30m`, `12h`, `1d` -> seconds. */
function duration(env: Env, name: string, fallbackSeconds: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackSeconds;
  const m = /^([1-9][0-9]{0,8})([smhd]?)$/.exec(raw);
  if (!m) throw new Error(`${name} must be a duration such as 3600, 30m, 12h or 1d, got "${raw}"`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

/** The secret the dev tools fall back to: published in this repository, so it must never sign anything in production. */
export const DEV_JWT_SECRET = 'onestop-dev-secret-change-me';
/** HMAC keys shorter than their hash output (32 bytes for SHA-256) weaken it; RFC 7518 §3.2 requires at least that. */
export const MIN_SECRET_BYTES = 32;

const isProduction = (env: Env) => (env.NODE_ENV ?? '').startsWith('prod');

/**
 * Why a secret may not be used in production, or undefined: missing, a published default or placeholder, or shorter
 * than MIN_SECRET_BYTES. One line naming the variable, never the value.
 */
export function secretProblem(name: string, value: string | undefined, knownDefaults: string[] = []): string | undefined {
  if (value === undefined || value === '') return `${name} is not set; production needs a random secret of at least ${MIN_SECRET_BYTES} bytes`;
  if (knownDefaults.includes(value) || /change[_-]?me/i.test(value)) return `${name} is a published default or placeholder; set a random secret of at least ${MIN_SECRET_BYTES} bytes`;
  if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES) return `${name} is shorter than ${MIN_SECRET_BYTES} bytes; set a random secret of at least ${MIN_SECRET_BYTES} bytes`;
  return undefined;
}

/**
 * The API's start-up check (NODE_ENV=production only): refuses the dev token secret. Another process's secrets are
 * checked where they are loaded (the payload codec keys in infra/temporal/codec.ts); webhook secrets are per portal
 * client and checked when they sign (activities/webhooks.ts). Throws one line naming the variable.
 */
export function assertApiSecrets(env: Env = process.env): void {
  if (!isProduction(env)) return;
  env = withSecretFiles(env);
  // A public key instead of the shared secret: the API then holds no token secret at all.
  if (env.JWT_PUBLIC_KEY_PATH) return;
  const problem = secretProblem('JWT_SECRET', env.JWT_SECRET, [DEV_JWT_SECRET]);
  if (problem) throw new Error(problem);
}

/**
 * Secrets as files (Kubernetes Secret volumes, compose secrets): `JWT_SECRET_FILE`, `DATABASE_URL_FILE` and
 * `TEMPORAL_API_KEY_FILE` name a file whose content (without its trailing newline) is the value, so no secret sits in
 * the process environment. A variable and its file with different values is an error.
 */
export function withSecretFiles(env: Env): Env {
  let out = env;
  for (const [name, file] of [
    ['JWT_SECRET', env.JWT_SECRET_FILE],
    ['DATABASE_URL', env.DATABASE_URL_FILE],
    ['TEMPORAL_API_KEY', env.TEMPORAL_API_KEY_FILE],
  ] as const) {
    if (!file) continue;
    let value: string;
    try {
      value = fs.readFileSync(path.resolve(PROJECT_ROOT, file), 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new Error(`${name}_FILE: cannot read ${file}`);
    }
    if (env[name] && env[name] !== value) throw new Error(`set ${name} or ${name}_FILE, not both`);
    out = { ...out, [name]: value };
  }
  return out;
}

/**
 * The Temporal connection as the CLI would make it (see TemporalConfig), with this project's defaults: nothing set
 * anywhere is the embedded dev server on 127.0.0.1:TEMPORAL_PORT (7233), namespace `default`. TEMPORAL_API_KEY_FILE
 * has already become TEMPORAL_API_KEY (withSecretFiles). An empty variable counts as unset, as everywhere here.
 */
export function loadTemporalConfig(env: Env = process.env): TemporalConfig {
  // Exactly the variables envconfig reads (the CLI's names), nothing else of the process environment. This project's
  // older TLS names (TEMPORAL_TLS_CERT, _KEY, _CA) are still accepted; the CLI's win when both are set.
  const cli: Env = {
    TEMPORAL_CONFIG_FILE: env.TEMPORAL_CONFIG_FILE,
    TEMPORAL_PROFILE: env.TEMPORAL_PROFILE,
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE,
    TEMPORAL_API_KEY: env.TEMPORAL_API_KEY,
    TEMPORAL_TLS: env.TEMPORAL_TLS,
    TEMPORAL_TLS_CLIENT_CERT_PATH: env.TEMPORAL_TLS_CLIENT_CERT_PATH || env.TEMPORAL_TLS_CERT,
    TEMPORAL_TLS_CLIENT_CERT_DATA: env.TEMPORAL_TLS_CLIENT_CERT_DATA,
    TEMPORAL_TLS_CLIENT_KEY_PATH: env.TEMPORAL_TLS_CLIENT_KEY_PATH || env.TEMPORAL_TLS_KEY,
    TEMPORAL_TLS_CLIENT_KEY_DATA: env.TEMPORAL_TLS_CLIENT_KEY_DATA,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: env.TEMPORAL_TLS_SERVER_CA_CERT_PATH || env.TEMPORAL_TLS_CA,
    TEMPORAL_TLS_SERVER_CA_CERT_DATA: env.TEMPORAL_TLS_SERVER_CA_CERT_DATA,
    TEMPORAL_TLS_SERVER_NAME: env.TEMPORAL_TLS_SERVER_NAME,
    // Where the default profile file is: $XDG_CONFIG_HOME or $HOME/.config, /temporalio/temporal.toml.
    XDG_CONFIG_HOME: env.XDG_CONFIG_HOME,
    HOME: env.HOME,
    APPDATA: env.APPDATA,
    ...Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('TEMPORAL_GRPC_META_'))),
  };
  const vars = Object.fromEntries(Object.entries(cli).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const profileName = vars.TEMPORAL_PROFILE ?? 'default';
  let profile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars });
  } catch (err) {
    throw new Error(`Temporal profile "${profileName}" in ${vars.TEMPORAL_CONFIG_FILE ?? 'the default Temporal config file'}: ${(err as Error).message}`);
  }
  return {
    address: profile.address || `127.0.0.1:${int(env, 'TEMPORAL_PORT', 7233)}`,
    namespace: profile.namespace || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || 'onestop-cases',
    external: !!profile.address,
    ...(profile.tls ? { tls: profile.tls } : {}),
    ...(profile.apiKey ? { apiKey: profile.apiKey } : {}),
    ...(profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0 ? { grpcMeta: profile.grpcMeta } : {}),
    profile: profileName,
  };
}

/**
 * Certificate signing (infra/signing). SIGNING_ALGORITHM is SM2 (default: SM2 over SM3, GB/T 32918) or Ed25519. The
 * dev key's file and id follow the algorithm (`certificate-signing-sm2.pem` / `dev-sm2-1`, or the Ed25519 ones that
 * existed before, `certificate-signing.pem` / `dev-1`), so a development tree switches algorithm without overwriting
 * or renaming a key, and the certificates signed before keep verifying.
 */
function signingConfig(env: Env, dataDir: string): AppConfig['signing'] {
  const algorithm = parseSigningAlgorithm(env.SIGNING_ALGORITHM);
  const privateKeyPath = path.resolve(
    PROJECT_ROOT,
    env.SIGNING_KEY_PATH ?? path.join(dataDir, 'keys', algorithm === 'Ed25519' ? 'certificate-signing.pem' : 'certificate-signing-sm2.pem'),
  );
  const keyId = env.SIGNING_KEY_ID ?? (algorithm === 'Ed25519' ? 'dev-1' : 'dev-sm2-1');
  return {
    algorithm,
    privateKeyPath,
    keyId,
    // The current public key: written by the worker next to the private key in development, a deployed file
    // (ConfigMap) in production. The API needs only this and the retired keys, never SIGNING_KEY_PATH.
    publicKeyPath: path.resolve(PROJECT_ROOT, env.SIGNING_PUBLIC_KEY_PATH ?? path.join(path.dirname(privateKeyPath), `${keyId}.pub.pem`)),
    retiredPublicKeysDir: path.resolve(PROJECT_ROOT, env.SIGNING_PUBLIC_KEYS_DIR ?? path.join(dataDir, 'keys', 'retired')),
  };
}

export function loadConfig(env: Env = process.env): AppConfig {
  env = withSecretFiles(env);
  const dataDir = path.resolve(PROJECT_ROOT, env.ONESTOP_DATA_DIR ?? '.data');
  const apiPort = int(env, 'API_PORT', 3000);
  const uiPort = int(env, 'TEMPORAL_UI_PORT', 8233);
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/onestop',
    temporal: loadTemporalConfig(env),
    worker: {
      // A case spends almost all its life waiting for people; its workflow task is short. Since workflow v9 a task
      // also holds its slot while its local-activity writes run, so 10 (not 40): after a worker restart 40 replays at
      // once on one workflow thread and a 10-connection pool timed tasks out (kill-worker drill); the server queues the
      // rest at no cost. Activities are I/O (PostgreSQL, webhooks), so more of them can overlap.
      maxConcurrentWorkflowTaskExecutions: int(env, 'WORKER_MAX_WORKFLOW_TASKS', 10),
      maxConcurrentActivityTaskExecutions: int(env, 'WORKER_MAX_ACTIVITIES', 100),
      // Bounded cache: waiting cases must not all sit in memory; an evicted case is replayed on its next event. 250,
      // measured: a cached case costs the worker about 2 MiB (each runs its own copy of the bundle's module scope in the
      // reusable V8 context), so 1,000 cached took the worker to 2.5-2.9 GiB with 2,000 open cases; a v9 history is
      // ~20 KiB, and a decision on an evicted case answered p99 96 ms.
      maxCachedWorkflows: int(env, 'WORKER_CACHE_SIZE', 250),
      healthPort: int(env, 'WORKER_HEALTH_PORT', 3001),
      healthHost: env.WORKER_HEALTH_HOST ?? '127.0.0.1',
    },
    api: {
      port: apiPort,
      host: env.API_HOST ?? '127.0.0.1',
      bodyLimit: env.API_BODY_LIMIT ?? '256kb',
      publicBaseUrl: env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${apiPort}`,
      trustProxyHops: int(env, 'API_TRUST_PROXY_HOPS', 0),
      rateLimit: {
        perIpPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 1200),
        perTokenPerMinute: int(env, 'RATE_LIMIT_PER_TOKEN_PER_MINUTE', 600),
      },
      // Loopback by default: Prometheus scrapes it from inside the pod network only where METRICS_HOST says so.
      metrics: { host: env.METRICS_HOST ?? '127.0.0.1', port: int(env, 'METRICS_PORT', 9464) },
    },
    workerMetrics: {
      host: env.WORKER_METRICS_HOST ?? '127.0.0.1',
      // 0 or `off` turns the exporter off: the SDK cannot tell which port an ephemeral bind got, so 0 cannot mean that here.
      port: ['0', 'off'].includes((env.WORKER_METRICS_PORT ?? '').trim().toLowerCase()) ? null : int(env, 'WORKER_METRICS_PORT', 9465),
      retryAlertAttempts: int(env, 'ACTIVITY_RETRY_ALERT_ATTEMPTS', 5),
    },
    devServer: { uiPort, dataDir },
    signing: signingConfig(env, dataDir),
    retention: {
      // PIPL art. 19: the shortest time the purpose needs. A decided case may be challenged for 6 months (行政诉讼法
      // art. 46) or 60 days (行政复议法 art. 20): a year covers both. Archived applications serve reuse on later
      // applications (renewals): 3 years. docs/security.md, "Retention".
      caseDays: int(env, 'RETENTION_CASE_DAYS', 365),
      archiveDays: int(env, 'RETENTION_ARCHIVE_DAYS', 1095),
    },
    jwt: {
      secret: env.JWT_SECRET ?? DEV_JWT_SECRET,
      issuer: env.JWT_ISSUER ?? 'onestop',
      audience: env.JWT_AUDIENCE ?? 'onestop-api',
      maxAgeSeconds: duration(env, 'JWT_MAX_AGE', 12 * 3600),
      // A key pair instead of the shared secret: the identity provider signs (RS256/ES256/EdDSA), the API verifies.
      ...(env.JWT_PUBLIC_KEY_PATH ? { publicKeyPath: path.resolve(PROJECT_ROOT, env.JWT_PUBLIC_KEY_PATH) } : {}),
    },
    payloadCodec: {
      keysDir: path.resolve(PROJECT_ROOT, env.PAYLOAD_CODEC_KEYS_DIR ?? path.join(dataDir, 'keys', 'codec')),
      currentKeyId: env.PAYLOAD_CODEC_KEY_ID ?? 'dev-1',
      // Browsers allowed to call the codec endpoint: the Temporal UI's origin (the dev server's by default).
      uiOrigins: (env.PAYLOAD_CODEC_UI_ORIGINS ?? `http://127.0.0.1:${uiPort},http://localhost:${uiPort}`)
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      // Set by `npm start` only: the dev UI cannot send a token (see api/routes/codec.ts).
      ...(env.PAYLOAD_CODEC_DEV_SECRET ? { devSecret: env.PAYLOAD_CODEC_DEV_SECRET } : {}),
    },
    calendarDir: path.resolve(PROJECT_ROOT, env.CALENDAR_DIR ?? 'data/calendar'),
    logDir: path.resolve(PROJECT_ROOT, env.LOG_DIR ?? 'logs'),
  };
}
