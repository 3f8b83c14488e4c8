/**
 * Temporal configuration through @temporalio/envconfig (infra/config.ts loadTemporalConfig, infra/temporal/connection.ts
 * connectionOptions): the Temporal CLI's profile file and TEMPORAL_* variables, the embedded dev server when nothing is
 * set, TEMPORAL_ADDRESS as before, this project's older TLS variable names still accepted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, loadTemporalConfig } from '../../infra/config';
import { connectionOptions } from '../../infra/temporal/connection';

let dir: string;
/** A home of its own: the default profile file (~/.config/temporalio/temporal.toml) of the machine is never read. */
let home: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-temporal-config-'));
  home = path.join(dir, 'home');
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(dir, 'client.pem'), '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n');
  fs.writeFileSync(path.join(dir, 'client.key'), '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n');
  fs.writeFileSync(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
  fs.writeFileSync(
    path.join(dir, 'temporal.toml'),
    `[profile.default]
address = "temporal.internal:7233"
namespace = "onestop"

[profile.prod]
address = "onestop.a1b2c.tmprl.cloud:7233"
namespace = "onestop.a1b2c"

[profile.prod.tls]
client_cert_path = "${path.join(dir, 'client.pem')}"
client_key_path = "${path.join(dir, 'client.key')}"
server_ca_cert_path = "${path.join(dir, 'ca.pem')}"
server_name = "onestop.a1b2c.tmprl.cloud"

[profile.prod.grpc_meta]
temporal-namespace-region = "ap-east-1"

[profile.cloud]
address = "ap-east-1.aws.api.temporal.io:7233"
namespace = "onestop.a1b2c"
api_key = "key-from-the-profile"
`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const file = () => path.join(dir, 'temporal.toml');

it('nothing set: the embedded dev server on 127.0.0.1:TEMPORAL_PORT, namespace default, plain text', () => {
  const t = loadTemporalConfig({ HOME: home });
  expect(t).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'onestop-cases', external: false, profile: 'default' });
  expect(loadTemporalConfig({ HOME: home, TEMPORAL_PORT: '17233' }).address).toBe('127.0.0.1:17233');
  expect(connectionOptions(t)).toEqual({ address: '127.0.0.1:7233' });
});

it('TEMPORAL_ADDRESS keeps working: an external cluster, TEMPORAL_NAMESPACE beside it', () => {
  const t = loadTemporalConfig({ HOME: home, TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_NAMESPACE: 'onestop' });
  expect(t).toMatchObject({ address: 'temporal.example:7233', namespace: 'onestop', external: true });
  expect(connectionOptions(t).tls).toBeUndefined();
});

it('the default profile of TEMPORAL_CONFIG_FILE, as the CLI reads it', () => {
  expect(loadTemporalConfig({ HOME: home, TEMPORAL_CONFIG_FILE: file() })).toMatchObject({ address: 'temporal.internal:7233', namespace: 'onestop', external: true, profile: 'default' });
});

it('an mTLS profile (TEMPORAL_PROFILE): certificate pair, CA, server name and gRPC headers reach the connection', () => {
  const t = loadTemporalConfig({ HOME: home, TEMPORAL_CONFIG_FILE: file(), TEMPORAL_PROFILE: 'prod' });
  expect(t).toMatchObject({ address: 'onestop.a1b2c.tmprl.cloud:7233', namespace: 'onestop.a1b2c', profile: 'prod', grpcMeta: { 'temporal-namespace-region': 'ap-east-1' } });
  const o = connectionOptions(t);
  expect(o.address).toBe('onestop.a1b2c.tmprl.cloud:7233');
  expect(o.metadata).toEqual({ 'temporal-namespace-region': 'ap-east-1' });
  const tls = o.tls as { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  expect(tls.serverNameOverride).toBe('onestop.a1b2c.tmprl.cloud');
  expect(Buffer.isBuffer(tls.clientCertPair!.crt)).toBe(true); // gRPC's TLS credentials accept Buffers only
  expect(tls.clientCertPair!.crt.toString()).toContain('client');
  expect(tls.clientCertPair!.key.toString()).toContain('PRIVATE KEY');
  expect(tls.serverRootCACertificate!.toString()).toContain('ca');
});

it('an API-key profile: TLS with the system CAs; TEMPORAL_API_KEY_FILE and the variables override the profile', () => {
  const t = loadTemporalConfig({ HOME: home, TEMPORAL_CONFIG_FILE: file(), TEMPORAL_PROFILE: 'cloud' });
  expect(t.apiKey).toBe('key-from-the-profile');
  expect(connectionOptions(t)).toMatchObject({ apiKey: 'key-from-the-profile', tls: true });

  const keyFile = path.join(dir, 'api-key');
  fs.writeFileSync(keyFile, 'key-from-a-mounted-secret\n');
  const c = loadConfig({ HOME: home, TEMPORAL_CONFIG_FILE: file(), TEMPORAL_PROFILE: 'cloud', TEMPORAL_API_KEY_FILE: keyFile, TEMPORAL_NAMESPACE: 'other.a1b2c' });
  expect(c.temporal).toMatchObject({ apiKey: 'key-from-a-mounted-secret', namespace: 'other.a1b2c', address: 'ap-east-1.aws.api.temporal.io:7233' });
  // TEMPORAL_TLS=false turns TLS off even with a key (a local proxy that terminates it).
  expect(connectionOptions(loadTemporalConfig({ HOME: home, TEMPORAL_CONFIG_FILE: file(), TEMPORAL_PROFILE: 'cloud', TEMPORAL_TLS: 'false' })).tls).toBe(false);
});

it("the CLI's TLS variables, and this project's older names (TEMPORAL_TLS_CERT/KEY/CA) still accepted", () => {
  const standard = loadTemporalConfig({
    HOME: home,
    TEMPORAL_ADDRESS: 'temporal.example:7233',
    TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
    TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
    TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal',
  });
  const legacy = loadTemporalConfig({
    HOME: home,
    TEMPORAL_ADDRESS: 'temporal.example:7233',
    TEMPORAL_TLS_CERT: path.join(dir, 'client.pem'),
    TEMPORAL_TLS_KEY: path.join(dir, 'client.key'),
    TEMPORAL_TLS_CA: path.join(dir, 'ca.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal',
  });
  for (const t of [standard, legacy]) {
    const tls = connectionOptions(t).tls as { serverNameOverride?: string; clientCertPair?: { crt: Buffer } };
    expect(tls.serverNameOverride).toBe('frontend.temporal');
    expect(tls.clientCertPair!.crt.toString()).toContain('client');
  }
  expect((connectionOptions(legacy).tls as { serverRootCACertificate?: Buffer }).serverRootCACertificate!.toString()).toContain('ca');
});

it('a profile that is not in the file is one clear error naming it', () => {
  expect(() => loadTemporalConfig({ HOME: home, TEMPORAL_CONFIG_FILE: file(), TEMPORAL_PROFILE: 'staging' })).toThrow(/Temporal profile "staging"/);
});
