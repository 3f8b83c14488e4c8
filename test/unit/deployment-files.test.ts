/**
 * The deployment files against the code they run. Parses every YAML file under infra/ (compose, Kubernetes,
 * kustomize) and the Dockerfile, and checks that what they reference exists: entry points, environment variables,
 * ports and probe paths, resources, grace periods, the autoscalers' targets, and the references between the files.
 * What the app reads and serves is taken from its source (infra/config.ts, worker/create-worker.ts, api/), so a renamed
 * variable or a changed port fails here, not in a rollout. Every failure names the file and the problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const INFRA = path.join(ROOT, 'infra');
const DOCKERFILE = 'infra/docker/Dockerfile';
const COMPOSE_ENV_EXAMPLE = 'infra/compose/.env.example';
const OPERATIONS_DOC = 'docs/operations.md';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const obj = (x: unknown): Obj => (isObj(x) ? x : {});
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined);
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const exists = (file: string) => fs.existsSync(path.join(ROOT, file));
const rel = (abs: string) => path.relative(ROOT, abs).split(path.sep).join('/');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(p);
    return [p];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// What the app reads and serves, from its source
// ---------------------------------------------------------------------------------------------------------------

const CONFIG_SOURCE = read('infra/config.ts');

/** `env.NAME` and `int(env, 'NAME', …)` in infra/config.ts. */
const CONFIG_ENV = new Set<string>([
  ...[...CONFIG_SOURCE.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)].map((m) => m[1]!),
  ...[...CONFIG_SOURCE.matchAll(/\benv\[\s*'([A-Z][A-Z0-9_]*)'\s*\]/g)].map((m) => m[1]!),
  ...[...CONFIG_SOURCE.matchAll(/\bint\(\s*env\s*,\s*'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!),
]);

/** Numeric defaults: `int(env, 'API_PORT', 3000)`. */
const CONFIG_DEFAULTS = new Map<string, number>(
  [...CONFIG_SOURCE.matchAll(/\bint\(\s*env\s*,\s*'([A-Z][A-Z0-9_]*)'\s*,\s*([\d_]+)\s*\)/g)].map((m) => [m[1]!, Number(m[2]!.replace(/_/g, ''))]),
);

/** `process.env.NAME` read directly by the app's own code (e.g. NODE_ENV in worker/main.ts and api/main.ts). */
const APP_SOURCE_DIRS = ['api', 'worker', 'activities', 'infra', 'scripts', 'domain', 'workflows'];
const PROCESS_ENV = new Set<string>(
  APP_SOURCE_DIRS.filter(exists)
    .flatMap((d) => walk(path.join(ROOT, d)))
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[\s*'([A-Z][A-Z0-9_]*)'\s*\])/g)].map((m) => (m[1] ?? m[2])!)),
);

/** Read by Node itself, not by the app. */
const NODE_RUNTIME_ENV = new Set(['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'TZ']);

const APP_ENV = new Set([...CONFIG_ENV, ...PROCESS_ENV, ...NODE_RUNTIME_ENV]);

/** Third-party images: the variables each one documents (only these may be set on them). */
const POSTGRES_SQL_ENV = ['DB', 'DB_PORT', 'DBNAME', 'VISIBILITY_DBNAME', 'POSTGRES_SEEDS', 'POSTGRES_USER', 'POSTGRES_PWD', 'SQL_PASSWORD'];
const THIRD_PARTY_ENV: { image: RegExp; env: string[] }[] = [
  { image: /^postgres:/, env: ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'POSTGRES_INITDB_ARGS', 'PGDATA'] },
  {
    image: /^temporalio\/server:/,
    env: [...POSTGRES_SQL_ENV, 'BIND_ON_IP', 'DYNAMIC_CONFIG_FILE_PATH', 'NUM_HISTORY_SHARDS', 'LOG_LEVEL', 'SQL_MAX_CONNS', 'SERVICES'],
  },
  { image: /^temporalio\/admin-tools:/, env: [...POSTGRES_SQL_ENV, 'TEMPORAL_ADDRESS'] },
  { image: /^temporalio\/ui:/, env: ['TEMPORAL_ADDRESS', 'TEMPORAL_CORS_ORIGINS', 'TEMPORAL_UI_PORT', 'TEMPORAL_DEFAULT_NAMESPACE', 'TEMPORAL_AUTH_ENABLED'] },
  { image: /^nginx:/, env: [] },
];

/** The worker's activity grace after SIGTERM (worker/create-worker.ts). */
const WORKER_GRACE_S = (() => {
  const m = /shutdownGraceTime:\s*'(\d+)\s*(?:s|seconds?)'/.exec(read('worker/create-worker.ts'));
  return m ? Number(m[1]) : 20;
})();

/** How long the API keeps finishing open requests after SIGTERM (api/main.ts), 20 s when it cannot be read. */
const API_DRAIN_S = (() => {
  const source = exists('api/main.ts') ? read('api/main.ts') : '';
  const m = /setTimeout\(\s*\(\)\s*=>\s*process\.exit\(\s*1\s*\)\s*,\s*([\d_]+)\s*\)/.exec(source);
  return m ? Number(m[1]!.replace(/_/g, '')) / 1000 : 20;
})();

const ROLES = {
  api: { entry: 'dist/api/main.js', portVar: 'API_PORT', liveness: ['/healthz'], readiness: ['/readyz'], grace: API_DRAIN_S },
  worker: { entry: 'dist/worker/main.js', portVar: 'WORKER_HEALTH_PORT', liveness: ['/'], readiness: ['/'], grace: WORKER_GRACE_S },
} as const;
type Role = keyof typeof ROLES;

// ---------------------------------------------------------------------------------------------------------------
// The deployment files
// ---------------------------------------------------------------------------------------------------------------

interface YamlDoc {
  file: string;
  value: Obj;
}

const YAML_FILES = walk(INFRA)
  .filter((f) => /\.ya?ml$/.test(f))
  .map(rel)
  .sort();
const PARSE_ERRORS: string[] = [];
const DOCS: YamlDoc[] = YAML_FILES.flatMap((file) =>
  parseAllDocuments(read(file), { merge: true, prettyErrors: true }).flatMap((doc) => {
    for (const e of doc.errors) PARSE_ERRORS.push(`${file}: ${e.message}`);
    if (doc.errors.length) return [];
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    return value === null || value === undefined ? [] : [{ file, value: obj(value) }];
  }),
);

const K8S = DOCS.filter((d) => typeof d.value.apiVersion === 'string' && typeof d.value.kind === 'string' && d.value.kind !== 'Kustomization');
const KUSTOMIZATIONS = DOCS.filter((d) => d.value.kind === 'Kustomization');
const COMPOSE = DOCS.filter((d) => isObj(d.value.services));

const nameOf = (d: YamlDoc) => str(obj(d.value.metadata).name) ?? '?';
const kindOf = (d: YamlDoc) => str(d.value.kind) ?? '?';
const where = (d: YamlDoc) => `${d.file} ${kindOf(d)}/${nameOf(d)}`;
const k8sByKind = (kind: string) => K8S.filter((d) => kindOf(d) === kind);
const findK8s = (kind: string, name: string) => K8S.find((d) => kindOf(d) === kind && nameOf(d) === name);

// ---- the Dockerfile ----
interface DockerStage {
  from: string;
  name?: string;
  workdir: string;
  user?: string;
  copies: { from?: string; sources: string[]; dest: string }[];
  instructions: { op: string; args: string }[];
}

function parseDockerfile(text: string): DockerStage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const OP = op.toUpperCase();
    if (OP === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ from: m?.[1] ?? args, name: m?.[2], workdir: '/', copies: [], instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) continue;
    stage.instructions.push({ op: OP, args });
    if (OP === 'WORKDIR') stage.workdir = path.posix.resolve(stage.workdir, args);
    if (OP === 'USER') stage.user = args;
    if (OP === 'COPY' || OP === 'ADD') {
      const words = args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const rest = words.filter((w) => !w.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      const dest = path.posix.resolve(stage.workdir, rest[rest.length - 1] ?? '.');
      stage.copies.push({ from, sources: rest.slice(0, -1), dest });
    }
  }
  return stages;
}

const DOCKER_STAGES = exists(DOCKERFILE) ? parseDockerfile(read(DOCKERFILE)) : [];
const RUNTIME_STAGE = DOCKER_STAGES[DOCKER_STAGES.length - 1];

/** CMD ["node", "dist/api/main.js"] (exec form) or CMD node dist/api/main.js (shell form). */
function dockerCmd(stage: DockerStage | undefined): string[] {
  const cmd = [...(stage?.instructions ?? [])].reverse().find((i) => i.op === 'CMD')?.args;
  if (!cmd) return [];
  if (cmd.startsWith('[')) return JSON.parse(cmd) as string[];
  return cmd.split(/\s+/);
}
const DEFAULT_CMD = dockerCmd(RUNTIME_STAGE);

// ---- containers, normalised across compose and Kubernetes ----
interface Probe {
  kind: 'liveness' | 'readiness' | 'startup' | 'healthcheck';
  port?: number;
  path?: string;
  raw: string;
}

interface Container {
  where: string;
  file: string;
  image: string;
  app: boolean;
  role?: Role;
  command: string[];
  /** name -> literal value (undefined when it comes from a Secret or is interpolated without a default). */
  env: Map<string, string | undefined>;
  mounts: string[];
  ports: Map<string, number>;
  probes: Probe[];
  resources: { requests: Obj; limits: Obj } | undefined;
  grace?: number;
  preStopSleep?: number;
  /** compose service or k8s workload, for reference checks */
  owner: YamlDoc;
}

const roleOf = (command: string[]): Role | undefined =>
  (Object.keys(ROLES) as Role[]).find((r) => command.some((w) => w === ROLES[r].entry || w.endsWith(`/${ROLES[r].entry}`)));

/** `${VAR:-default}` -> default, `${VAR}` / `${VAR:?msg}` -> undefined, anything else as is. */
function composeValue(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  let unresolved = false;
  const out = v.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*)|:?\?[^}]*)?\}/g, (_m, _name: string, def: string | undefined) => {
    if (def === undefined) unresolved = true;
    return def ?? '';
  });
  return unresolved ? undefined : out;
}

/** Seconds from a compose duration: 45s, 1m30s, 2m. */
function durationSeconds(v: unknown): number | undefined {
  const s = str(v);
  if (!s) return undefined;
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?$/.exec(s);
  if (!m || s === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const APP_IMAGE_NAMES = new Set(
  KUSTOMIZATIONS.flatMap((k) => arr(k.value.images).map((i) => str(obj(i).name))).filter((n): n is string => !!n),
);
if (APP_IMAGE_NAMES.size === 0) APP_IMAGE_NAMES.add('onestop');
const imageRepo = (image: string) => image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
const isK8sAppImage = (image: string) => APP_IMAGE_NAMES.has(imageRepo(image));

function composeContainers(d: YamlDoc): Container[] {
  const services = obj(d.value.services);
  const composeDir = path.posix.dirname(d.file);
  const appImages = new Set(
    Object.values(services)
      .map(obj)
      .filter((s) => isObj(s.build) && path.posix.normalize(path.posix.join(composeDir, str(s.build.context) ?? '.', str(s.build.dockerfile) ?? 'Dockerfile')) === DOCKERFILE)
      .map((s) => str(s.image))
      .filter((i): i is string => !!i),
  );
  return Object.entries(services).map(([name, raw]) => {
    const s = obj(raw);
    const image = str(s.image) ?? '(build)';
    const app = appImages.has(image) || (isObj(s.build) && image === '(build)');
    const asList = (x: unknown) => (typeof x === 'string' ? x.split(/\s+/) : arr(x).map((w) => str(w) ?? ''));
    const command = s.command !== undefined || s.entrypoint !== undefined ? [...asList(s.entrypoint), ...asList(s.command)] : app ? DEFAULT_CMD : [];
    const env = new Map<string, string | undefined>();
    if (Array.isArray(s.environment)) {
      for (const e of s.environment.map((x) => str(x) ?? '')) {
        const [k = '', ...v] = e.split('=');
        env.set(k, v.length ? composeValue(v.join('=')) : undefined);
      }
    } else {
      for (const [k, v] of Object.entries(obj(s.environment))) env.set(k, composeValue(str(v)));
    }
    const mounts = [
      ...arr(s.volumes).map((v) => (typeof v === 'string' ? (v.split(':')[1] ?? '') : (str(obj(v).target) ?? ''))),
      ...arr(s.secrets).map((x) => {
        const target = typeof x === 'string' ? x : (str(obj(x).target) ?? str(obj(x).source) ?? '');
        return target.startsWith('/') ? target : `/run/secrets/${target}`;
      }),
    ];
    const hc = obj(s.healthcheck);
    const hcText = arr(hc.test).map((w) => str(w) ?? '').join(' ') || (str(hc.test) ?? '');
    const url = /https?:\/\/[^/:\s'"]+:(\d+)(\/[^\s'")]*)?/.exec(hcText);
    const probes: Probe[] = hcText
      ? [{ kind: 'healthcheck', port: url ? Number(url[1]) : undefined, path: url ? (url[2] ?? '/') : undefined, raw: hcText }]
      : [];
    const deployRes = obj(obj(s.deploy).resources);
    return {
      where: `${d.file} service ${name}`,
      file: d.file,
      image,
      app,
      role: app ? roleOf(command) : undefined,
      command,
      env,
      mounts,
      ports: new Map(),
      probes,
      resources: isObj(deployRes.limits) || isObj(deployRes.reservations) ? { requests: obj(deployRes.reservations), limits: obj(deployRes.limits) } : undefined,
      grace: durationSeconds(s.stop_grace_period) ?? 10,
      owner: d,
    };
  });
}

function podSpecOf(d: YamlDoc): Obj | undefined {
  const spec = obj(d.value.spec);
  switch (kindOf(d)) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return obj(obj(spec.template).spec);
    case 'CronJob':
      return obj(obj(obj(obj(spec.jobTemplate).spec).template).spec);
    case 'Pod':
      return spec;
    default:
      return undefined;
  }
}

function k8sContainers(d: YamlDoc): Container[] {
  const pod = podSpecOf(d);
  if (!pod) return [];
  return [...arr(pod.initContainers), ...arr(pod.containers)].map((raw) => {
    const c = obj(raw);
    const image = str(c.image) ?? '';
    const app = isK8sAppImage(image);
    const command =
      c.command !== undefined || c.args !== undefined
        ? [...arr(c.command), ...arr(c.args)].map((w) => str(w) ?? '')
        : app
          ? DEFAULT_CMD
          : [];
    const env = new Map<string, string | undefined>();
    for (const from of arr(c.envFrom).map(obj)) {
      const cm = str(obj(from.configMapRef).name);
      const sec = str(obj(from.secretRef).name);
      const source = cm ? findK8s('ConfigMap', cm) : sec ? findK8s('Secret', sec) : undefined;
      const data = { ...obj(source?.value.data), ...obj(source?.value.stringData) };
      for (const [k, v] of Object.entries(data)) env.set(k, cm ? str(v) : undefined);
    }
    for (const e of arr(c.env).map(obj)) env.set(str(e.name) ?? '', e.value !== undefined ? str(e.value) : undefined);
    const ports = new Map<string, number>();
    for (const p of arr(c.ports).map(obj)) {
      const n = Number(p.containerPort);
      ports.set(String(n), n);
      if (typeof p.name === 'string') ports.set(p.name, n);
    }
    const probes: Probe[] = (['liveness', 'readiness', 'startup'] as const).flatMap((kind) => {
      const p = obj(c[`${kind}Probe`]);
      if (!Object.keys(p).length) return [];
      const http = obj(p.httpGet);
      const portRef = str(http.port) ?? str(obj(p.tcpSocket).port);
      return [{ kind, port: portRef === undefined ? undefined : (ports.get(portRef) ?? (Number.isInteger(Number(portRef)) ? Number(portRef) : undefined)), path: str(http.path), raw: JSON.stringify(p) }];
    });
    const preStop = obj(obj(c.lifecycle).preStop);
    const sleepCmd = arr(obj(preStop.exec).command).map((w) => str(w) ?? '');
    const sleepMatch = /^sleep\s+(\d+)/.exec(sleepCmd.join(' '));
    const preStopSleep = Number(obj(preStop.sleep).seconds) || (sleepMatch ? Number(sleepMatch[1]) : undefined);
    const resources = obj(c.resources);
    return {
      where: `${d.file} ${kindOf(d)}/${nameOf(d)} container ${str(c.name) ?? '?'}`,
      file: d.file,
      image,
      app,
      role: app ? roleOf(command) : undefined,
      command,
      env,
      mounts: arr(c.volumeMounts).map((m) => str(obj(m).mountPath) ?? ''),
      ports,
      probes,
      resources: Object.keys(resources).length ? { requests: obj(resources.requests), limits: obj(resources.limits) } : undefined,
      grace: pod.terminationGracePeriodSeconds === undefined ? 30 : Number(pod.terminationGracePeriodSeconds),
      preStopSleep: preStopSleep || undefined,
      owner: d,
    };
  });
}

const CONTAINERS: Container[] = [...COMPOSE.flatMap(composeContainers), ...K8S.flatMap(k8sContainers)];
const APP_CONTAINERS = CONTAINERS.filter((c) => c.app);
/** Long-running API and worker containers (the Deployments and the compose services with a role). */
const ROLE_CONTAINERS = APP_CONTAINERS.filter((c): c is Container & { role: Role } => c.role !== undefined);

function cpu(q: unknown): number | undefined {
  const s = str(q);
  if (!s) return undefined;
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
}
function bytes(q: unknown): number | undefined {
  const s = str(q);
  if (!s) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|k|K|M|G|T|b|B)?$/.exec(s);
  if (!m) return undefined;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, b: 1, B: 1 }[m[2] ?? 'B'] ?? 1;
  return Number(m[1]) * unit;
}

/** The port a role listens on in this container: its variable's literal value, or the default in infra/config.ts. */
function expectedPort(c: Container & { role: Role }): number | undefined {
  const v = ROLES[c.role].portVar;
  const literal = c.env.get(v);
  return literal !== undefined && literal !== '' ? Number(literal) : CONFIG_DEFAULTS.get(v);
}

// ---------------------------------------------------------------------------------------------------------------

describe('deployment files', () => {
  it('finds the deployment files it checks', () => {
    const missing = [DOCKERFILE, 'infra/compose/docker-compose.yml', 'infra/k8s/kustomization.yaml', OPERATIONS_DOC].filter((f) => !exists(f));
    expect(missing.map((f) => `${f}: missing`)).toEqual([]);
    expect(COMPOSE.length).toBeGreaterThan(0);
    expect(k8sByKind('Deployment').length).toBeGreaterThan(0);
    // Sanity of what is read from the source: if these fail, the extraction regexes need updating, not the files.
    expect([...['DATABASE_URL', 'TEMPORAL_ADDRESS', 'API_PORT', 'WORKER_HEALTH_PORT'].filter((v) => !CONFIG_ENV.has(v))]).toEqual([]);
    expect(CONFIG_DEFAULTS.get('API_PORT')).toBeDefined();
    expect(CONFIG_DEFAULTS.get('WORKER_HEALTH_PORT')).toBeDefined();
  });

  it('every YAML file under infra/ parses', () => {
    expect(YAML_FILES.length).toBeGreaterThan(0);
    expect(PARSE_ERRORS).toEqual([]);
  });

  it('the Dockerfile builds with `npm run build` on Node 20 and runs as a non-root user with SIGTERM', () => {
    const problems: string[] = [];
    const p = (m: string) => problems.push(`${DOCKERFILE}: ${m}`);
    const pkg = JSON.parse(read('package.json')) as { scripts?: Record<string, string>; engines?: { node?: string } };
    const all = DOCKER_STAGES.flatMap((s) => s.instructions);
    if (!DOCKER_STAGES.length) p('no FROM');
    for (const s of DOCKER_STAGES) if (!/^node:20[.-]/.test(s.from)) p(`stage ${s.name ?? s.from} is FROM ${s.from}, not node:20 (package.json engines: ${pkg.engines?.node})`);
    if (!all.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args))) p('no `npm ci` (the lockfile must decide the versions)');
    if (!all.some((i) => i.op === 'RUN' && /\bnpm run build\b/.test(i.args))) p('no `npm run build`');
    const build = pkg.scripts?.build ?? '';
    if (!build) p('runs `npm run build` but package.json has no "build" script');
    for (const [, script] of build.matchAll(/(\S+\.ts)\b/g)) if (!exists(script!)) p(`package.json "build" runs ${script}, which does not exist`);
    if (!all.some((i) => i.op === 'RUN' && /\bnpm prune\b.*--omit=dev/.test(i.args))) p('dev dependencies are not pruned (`npm prune --omit=dev`)');
    if (!RUNTIME_STAGE?.user || /^(root|0)(:|$)/.test(RUNTIME_STAGE.user)) p(`the final stage runs as ${RUNTIME_STAGE?.user ?? 'root (no USER)'}`);
    if (!RUNTIME_STAGE?.instructions.some((i) => i.op === 'STOPSIGNAL' && i.args === 'SIGTERM')) p('no STOPSIGNAL SIGTERM in the final stage');
    if (roleOf(DEFAULT_CMD) === undefined) p(`CMD ${JSON.stringify(DEFAULT_CMD)} runs neither ${ROLES.api.entry} nor ${ROLES.worker.entry}`);
    // COPY sources from the build context exist and are not excluded by .dockerignore.
    const ignored = exists('.dockerignore')
      ? read('.dockerignore')
          .split(/\r?\n/)
          .map((l) => l.trim().replace(/^\//, '').replace(/\/$/, ''))
          .filter((l) => l && !l.startsWith('#'))
      : [];
    for (const s of DOCKER_STAGES) {
      for (const c of s.copies.filter((c) => !c.from)) {
        for (const src of c.sources.filter((x) => x !== '.')) {
          if (!exists(src)) p(`COPY ${src}: not in the repository`);
          if (ignored.includes(src)) p(`COPY ${src}: excluded by .dockerignore`);
        }
      }
    }
    const needed = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'data', 'workflows', 'api', 'worker'];
    for (const n of needed.filter((n) => ignored.includes(n))) problems.push(`.dockerignore: excludes ${n}, which the build needs`);
    expect(problems).toEqual([]);
  });

  it('every entry point the files run exists as TypeScript source and is compiled by tsconfig.build.json', () => {
    const problems: string[] = [];
    const tsconfig = JSON.parse(read('tsconfig.build.json')) as { include?: string[] };
    const includedTops = new Set((tsconfig.include ?? []).map((i) => i.split('/')[0]));
    const runs = [
      ...CONTAINERS.filter((c) => c.app).map((c) => ({ where: c.where, words: c.command })),
      ...DOCKER_STAGES.flatMap((s) => s.instructions.filter((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT').map((i) => ({ where: `${DOCKERFILE} ${i.op}`, words: i.args.split(/[\s,"[\]]+/) }))),
    ];
    for (const run of runs) {
      const entries = run.words.filter((w) => /^(?:\.\/)?dist\/.+\.js$/.test(w));
      if (!entries.length && run.words.length) problems.push(`${run.where}: runs ${JSON.stringify(run.words)}, no dist/*.js entry point`);
      for (const e of entries) {
        const source = e.replace(/^(?:\.\/)?dist\//, '').replace(/\.js$/, '.ts');
        if (!exists(source)) problems.push(`${run.where}: runs ${e}, but ${source} does not exist`);
        if (!includedTops.has(source.split('/')[0]!)) problems.push(`${run.where}: runs ${e}, but tsconfig.build.json does not include ${source.split('/')[0]}/`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every environment variable set for the app is one the app reads', () => {
    const problems: string[] = [];
    for (const c of APP_CONTAINERS) {
      for (const name of c.env.keys()) {
        if (!APP_ENV.has(name)) problems.push(`${c.where}: sets ${name}, which neither infra/config.ts nor the app reads`);
      }
    }
    // A ConfigMap or Secret that app containers take whole (envFrom) is checked key by key.
    const takenWhole = new Set(
      K8S.flatMap((d) =>
        [...arr(podSpecOf(d)?.initContainers), ...arr(podSpecOf(d)?.containers)]
          .map(obj)
          .filter((c) => isK8sAppImage(str(c.image) ?? ''))
          .flatMap((c) => arr(c.envFrom).map(obj))
          .flatMap((f) => [`ConfigMap/${str(obj(f.configMapRef).name)}`, `Secret/${str(obj(f.secretRef).name)}`]),
      ),
    );
    for (const d of [...k8sByKind('ConfigMap'), ...k8sByKind('Secret')].filter((d) => takenWhole.has(`${kindOf(d)}/${nameOf(d)}`))) {
      for (const key of Object.keys({ ...obj(d.value.data), ...obj(d.value.stringData) })) {
        if (!APP_ENV.has(key)) problems.push(`${where(d)}: key ${key} is loaded as an environment variable but the app does not read it`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('third-party containers only get variables their images document', () => {
    const problems: string[] = [];
    for (const c of CONTAINERS.filter((c) => !c.app)) {
      const known = THIRD_PARTY_ENV.find((t) => t.image.test(c.image));
      if (!known) {
        problems.push(`${c.where}: image ${c.image} is neither the app nor a known third-party image (add its variables to this test)`);
        continue;
      }
      for (const name of c.env.keys()) if (!known.env.includes(name)) problems.push(`${c.where}: sets ${name}, which ${c.image} does not use`);
    }
    expect(problems).toEqual([]);
  });

  it('probes and healthchecks hit the ports and paths the app serves', () => {
    const problems: string[] = [];
    const apiSource = exists('api')
      ? walk(path.join(ROOT, 'api'))
          .filter((f) => f.endsWith('.ts'))
          .map((f) => fs.readFileSync(f, 'utf8'))
          .join('\n')
      : '';
    for (const p of [...ROLES.api.liveness, ...ROLES.api.readiness]) {
      if (!apiSource.includes(`'${p}'`)) problems.push(`api/: no route '${p}', which the API probes use`);
    }
    for (const c of ROLE_CONTAINERS) {
      const role = ROLES[c.role];
      const port = expectedPort(c);
      const isK8s = c.file.startsWith('infra/k8s/');
      if (c.role === 'api' && c.env.get('API_HOST') !== '0.0.0.0') {
        problems.push(`${c.where}: API_HOST is ${c.env.get('API_HOST') ?? `unset (default 127.0.0.1)`}; probes and other pods cannot reach it, set 0.0.0.0`);
      }
      if (isK8s && port !== undefined && ![...c.ports.values()].includes(port)) problems.push(`${c.where}: no containerPort ${port} (${role.portVar})`);
      const kinds = isK8s ? (['liveness', 'readiness'] as const) : (['healthcheck'] as const);
      for (const kind of kinds) if (!c.probes.some((p) => p.kind === kind)) problems.push(`${c.where}: no ${kind} probe`);
      for (const probe of c.probes) {
        if (probe.port !== port) problems.push(`${c.where}: ${probe.kind} probe on port ${probe.port ?? '?'}, the ${c.role} listens on ${port} (${role.portVar})`);
        const allowed: readonly string[] =
          probe.kind === 'liveness' ? role.liveness : probe.kind === 'readiness' ? role.readiness : [...role.liveness, ...role.readiness];
        if (!probe.path || !allowed.includes(probe.path)) problems.push(`${c.where}: ${probe.kind} probe path ${probe.path ?? '(none)'}, expected ${allowed.join(' or ')}`);
      }
    }
    expect(ROLE_CONTAINERS.map((c) => c.role).sort()).toEqual(expect.arrayContaining(['api', 'worker']));
    expect(problems).toEqual([]);
  });

  it('every container that runs the app has resource requests and limits', () => {
    const problems: string[] = [];
    for (const c of APP_CONTAINERS) {
      const isK8s = c.file.startsWith('infra/k8s/');
      if (!c.resources) {
        if (isK8s || c.role) problems.push(`${c.where}: no resources`);
        continue;
      }
      const { requests, limits } = c.resources;
      if (isK8s) {
        for (const k of ['cpu', 'memory'] as const) {
          if (requests[k] === undefined) problems.push(`${c.where}: no resources.requests.${k}`);
          if (limits[k] === undefined) problems.push(`${c.where}: no resources.limits.${k}`);
        }
        if ((cpu(requests.cpu) ?? 0) > (cpu(limits.cpu) ?? Infinity)) problems.push(`${c.where}: cpu request above its limit`);
        if ((bytes(requests.memory) ?? 0) > (bytes(limits.memory) ?? Infinity)) problems.push(`${c.where}: memory request above its limit`);
      } else {
        if (limits.cpus === undefined || limits.memory === undefined) problems.push(`${c.where}: deploy.resources.limits needs cpus and memory`);
        if (requests.cpus === undefined || requests.memory === undefined) problems.push(`${c.where}: deploy.resources.reservations needs cpus and memory`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('grace periods outlast the drain: worker activities get their 20 s, the API finishes open requests', () => {
    const problems: string[] = [];
    for (const c of ROLE_CONTAINERS) {
      const isK8s = c.file.startsWith('infra/k8s/');
      const drain = ROLES[c.role].grace;
      const preStop = c.preStopSleep ?? 0;
      const field = isK8s ? 'terminationGracePeriodSeconds' : 'stop_grace_period';
      if (c.grace === undefined || c.grace <= Math.max(drain, WORKER_GRACE_S) + preStop) {
        problems.push(`${c.where}: ${field} ${c.grace ?? '(default)'} s must exceed ${preStop ? `preStop ${preStop} s + ` : ''}the ${c.role}'s ${Math.max(drain, WORKER_GRACE_S)} s drain`);
      }
      if (isK8s && c.role === 'api' && !c.preStopSleep) {
        problems.push(`${c.where}: no preStop sleep: the Service may still route to the pod after SIGTERM closed its listener`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the autoscalers target existing Deployments, on CPU, with requests to measure against', () => {
    const problems: string[] = [];
    const hpas = k8sByKind('HorizontalPodAutoscaler');
    for (const role of Object.keys(ROLES) as Role[]) {
      const deployments = ROLE_CONTAINERS.filter((c) => c.role === role && kindOf(c.owner) === 'Deployment').map((c) => nameOf(c.owner));
      for (const dep of deployments) {
        if (!hpas.some((h) => str(obj(obj(h.value.spec).scaleTargetRef).name) === dep)) problems.push(`Deployment ${dep}: no HorizontalPodAutoscaler`);
      }
    }
    for (const h of hpas) {
      const spec = obj(h.value.spec);
      const ref = obj(spec.scaleTargetRef);
      const target = findK8s(str(ref.kind) ?? '', str(ref.name) ?? '');
      if (!target) {
        problems.push(`${where(h)}: scaleTargetRef ${str(ref.kind)}/${str(ref.name)} is not defined under infra/k8s`);
        continue;
      }
      if (str(ref.apiVersion) !== str(target.value.apiVersion)) problems.push(`${where(h)}: scaleTargetRef apiVersion ${str(ref.apiVersion)}, the target is ${str(target.value.apiVersion)}`);
      if (target.value.spec && obj(target.value.spec).replicas !== undefined) problems.push(`${where(target)}: sets replicas, which resets the HPA's count on every apply`);
      const metrics = arr(spec.metrics).map(obj);
      if (!metrics.some((m) => str(obj(m.resource).name) === 'cpu')) problems.push(`${where(h)}: no CPU metric`);
      const min = Number(spec.minReplicas ?? 1);
      const max = Number(spec.maxReplicas);
      if (min < 2) problems.push(`${where(h)}: minReplicas ${min}; at least 2 so one pod's restart is not an outage`);
      if (!(max >= min)) problems.push(`${where(h)}: maxReplicas ${max} below minReplicas ${min}`);
      for (const c of CONTAINERS.filter((c) => c.owner === target)) {
        if (c.resources?.requests.cpu === undefined) problems.push(`${c.where}: no cpu request, which the HPA's utilisation target needs`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('references between the Kubernetes manifests resolve', () => {
    const problems: string[] = [];
    const namespaces = k8sByKind('Namespace').map(nameOf);
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PersistentVolume']);
    for (const d of K8S.filter((d) => !clusterScoped.has(kindOf(d)))) {
      const ns = str(obj(d.value.metadata).namespace);
      if (!ns || !namespaces.includes(ns)) problems.push(`${where(d)}: namespace ${ns ?? '(none)'} is not one defined in namespace.yaml (${namespaces.join(', ')})`);
    }
    for (const d of K8S) {
      const pod = podSpecOf(d);
      if (!pod) continue;
      const volumes = arr(pod.volumes).map(obj);
      for (const v of volumes) {
        const secret = obj(v.secret);
        const cm = obj(v.configMap);
        if (secret.secretName && !secret.optional && !findK8s('Secret', str(secret.secretName)!)) problems.push(`${where(d)}: volume ${str(v.name)} uses Secret ${str(secret.secretName)}, defined nowhere (not even secret.example.yaml)`);
        if (cm.name && !cm.optional && !findK8s('ConfigMap', str(cm.name)!)) problems.push(`${where(d)}: volume ${str(v.name)} uses ConfigMap ${str(cm.name)}, not defined`);
      }
      for (const c of [...arr(pod.initContainers), ...arr(pod.containers)].map(obj)) {
        for (const m of arr(c.volumeMounts).map(obj)) {
          if (!volumes.some((v) => v.name === m.name)) problems.push(`${where(d)}: container ${str(c.name)} mounts volume ${str(m.name)}, which the pod does not define`);
        }
        for (const f of arr(c.envFrom).map(obj)) {
          const cm = obj(f.configMapRef);
          const sec = obj(f.secretRef);
          if (cm.name && !cm.optional && !findK8s('ConfigMap', str(cm.name)!)) problems.push(`${where(d)}: envFrom ConfigMap ${str(cm.name)} is not defined`);
          if (sec.name && !sec.optional && !findK8s('Secret', str(sec.name)!)) problems.push(`${where(d)}: envFrom Secret ${str(sec.name)} is not in secret.example.yaml`);
        }
        for (const e of arr(c.env).map(obj)) {
          const vf = obj(e.valueFrom);
          for (const [kind, ref] of [['ConfigMap', obj(vf.configMapKeyRef)], ['Secret', obj(vf.secretKeyRef)]] as const) {
            if (!ref.name || ref.optional) continue;
            const target = findK8s(kind, str(ref.name)!);
            const keys = Object.keys({ ...obj(target?.value.data), ...obj(target?.value.stringData) });
            if (!target || !keys.includes(str(ref.key) ?? '')) problems.push(`${where(d)}: env ${str(e.name)} reads ${kind} ${str(ref.name)} key ${str(ref.key)}, which is not defined`);
          }
        }
      }
    }
    const podLabels = (d: YamlDoc) => obj(obj(obj(d.value.spec).template).metadata).labels;
    const matches = (selector: Obj, labels: Obj) => Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => obj(labels)[k] === v);
    for (const d of k8sByKind('Deployment')) {
      const sel = obj(obj(obj(d.value.spec).selector).matchLabels);
      if (!matches(sel, obj(podLabels(d)))) problems.push(`${where(d)}: selector does not match its pod template's labels`);
    }
    for (const svc of k8sByKind('Service')) {
      const sel = obj(obj(svc.value.spec).selector);
      const targets = k8sByKind('Deployment').filter((d) => matches(sel, obj(podLabels(d))));
      if (!targets.length) {
        problems.push(`${where(svc)}: selector ${JSON.stringify(sel)} matches no Deployment`);
        continue;
      }
      const ports = CONTAINERS.filter((c) => targets.includes(c.owner)).flatMap((c) => [...c.ports.keys()]);
      for (const p of arr(obj(svc.value.spec).ports).map(obj)) {
        const t = str(p.targetPort ?? p.port) ?? '';
        if (!ports.includes(t)) problems.push(`${where(svc)}: targetPort ${t} is not a port of ${targets.map(nameOf).join(', ')}`);
      }
    }
    for (const pdb of k8sByKind('PodDisruptionBudget')) {
      const sel = obj(obj(obj(pdb.value.spec).selector).matchLabels);
      if (!k8sByKind('Deployment').some((d) => matches(sel, obj(podLabels(d))))) problems.push(`${where(pdb)}: selector matches no Deployment`);
    }
    // kustomization: lists every manifest except the secret example, and only files that exist.
    for (const k of KUSTOMIZATIONS) {
      const dir = path.posix.dirname(k.file);
      const listed = arr(k.value.resources).map((r) => path.posix.join(dir, str(r) ?? ''));
      for (const r of listed) if (!exists(r)) problems.push(`${k.file}: resource ${r} does not exist`);
      for (const f of YAML_FILES.filter((f) => path.posix.dirname(f) === dir && f !== k.file)) {
        const isExample = /\.example\.ya?ml$/.test(f);
        if (isExample && listed.includes(f)) problems.push(`${k.file}: lists ${f}; applying it would overwrite the real Secrets with placeholders`);
        if (!isExample && !listed.includes(f)) problems.push(`${k.file}: does not list ${f}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('references in the compose file resolve: services, conditions, files, variables', () => {
    const problems: string[] = [];
    const envExample = exists(COMPOSE_ENV_EXAMPLE)
      ? new Set(
          read(COMPOSE_ENV_EXAMPLE)
            .split(/\r?\n/)
            .map((l) => /^([A-Z0-9_]+)=/.exec(l.trim())?.[1])
            .filter((x): x is string => !!x),
        )
      : new Set<string>();
    const docs = exists(OPERATIONS_DOC) ? read(OPERATIONS_DOC) : '';
    for (const d of COMPOSE) {
      const dir = path.posix.dirname(d.file);
      const services = obj(d.value.services);
      const topSecrets = obj(d.value.secrets);
      const text = read(d.file);
      for (const [, name, op] of text.matchAll(/\$\{([A-Z0-9_]+)(:?[-?])?/g)) {
        if (op?.endsWith('-')) continue;
        if (!envExample.has(name!)) problems.push(`${d.file}: uses \${${name}} without a default and ${COMPOSE_ENV_EXAMPLE} does not list it`);
      }
      for (const [name, raw] of Object.entries(services)) {
        const s = obj(raw);
        const at = `${d.file} service ${name}`;
        const dependsOn = Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((x) => [str(x) ?? '', {}])) : obj(s.depends_on);
        for (const [dep, cond] of Object.entries(dependsOn)) {
          const target = services[dep];
          if (!target) {
            problems.push(`${at}: depends on ${dep}, which is not a service`);
            continue;
          }
          const condition = str(obj(cond).condition);
          if (condition === 'service_healthy' && !isObj(obj(target).healthcheck)) problems.push(`${at}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
          if (condition === 'service_completed_successfully' && ['always', 'unless-stopped'].includes(str(obj(target).restart) ?? '')) {
            problems.push(`${at}: waits for ${dep} to complete, but ${dep} restarts ${str(obj(target).restart)}`);
          }
        }
        if (isObj(s.build)) {
          const context = path.posix.join(dir, str(s.build.context) ?? '.');
          const dockerfile = path.posix.join(context, str(s.build.dockerfile) ?? 'Dockerfile');
          if (!exists(context)) problems.push(`${at}: build context ${context} does not exist`);
          if (!exists(dockerfile)) problems.push(`${at}: Dockerfile ${dockerfile} does not exist`);
        }
        for (const v of arr(s.volumes)) {
          const source = typeof v === 'string' ? v.split(':')[0]! : (str(obj(v).source) ?? '');
          if (/^\.{1,2}\//.test(source) && !exists(path.posix.join(dir, source))) problems.push(`${at}: mounts ${source}, which does not exist`);
        }
        for (const x of arr(s.secrets)) {
          const source = typeof x === 'string' ? x : (str(obj(x).source) ?? '');
          if (!topSecrets[source]) problems.push(`${at}: uses secret ${source}, not defined under secrets:`);
        }
      }
      for (const [name, raw] of Object.entries(topSecrets)) {
        const file = composeValue(str(obj(raw).file));
        if (!file) continue;
        // Secret files are the operator's (never committed): operations.md must say how to create them.
        if (!exists(path.posix.join(dir, file)) && !docs.includes(path.posix.basename(file))) {
          problems.push(`${d.file}: secret ${name} reads ${file}, which does not exist and ${OPERATIONS_DOC} does not explain`);
        }
      }
      // The app starts only after the migrations ran.
      const migrate = Object.entries(services).find(([, s]) => JSON.stringify(obj(s).command ?? '').includes('dist/scripts/migrate.js'))?.[0];
      for (const c of ROLE_CONTAINERS.filter((c) => c.owner === d)) {
        const name = c.where.split(' service ')[1]!;
        const cond = str(obj(obj(obj(services[name]).depends_on)[migrate ?? '']).condition);
        if (!migrate) problems.push(`${d.file}: no service runs dist/scripts/migrate.js`);
        else if (cond !== 'service_completed_successfully') problems.push(`${c.where}: must wait for ${migrate} (condition service_completed_successfully)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('file paths given to the app point at a mounted secret or volume, or into the image', () => {
    const problems: string[] = [];
    const pathVars = ['SIGNING_KEY_PATH', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA', 'CALENDAR_DIR', 'LOG_DIR'];
    const workdir = RUNTIME_STAGE?.workdir ?? '/app';
    const imageDests = RUNTIME_STAGE?.copies.map((c) => c.dest) ?? [];
    const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir.replace(/\/$/, '')}/`);
    for (const c of ROLE_CONTAINERS) {
      for (const v of pathVars) {
        const value = c.env.get(v);
        if (!value || !value.startsWith('/')) continue;
        if (c.mounts.some((m) => m && under(value, m))) continue;
        if (under(value, workdir) && imageDests.some((d) => under(value, d) || under(d, value))) {
          const inRepo = path.posix.relative(workdir, value);
          if (!exists(inRepo) && !exists(path.posix.join('dist', inRepo))) problems.push(`${c.where}: ${v}=${value}, but ${inRepo} is not in the repository`);
          continue;
        }
        problems.push(`${c.where}: ${v}=${value} is neither mounted nor copied into the image`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('secret.example.yaml holds placeholders only', () => {
    const problems: string[] = [];
    for (const d of k8sByKind('Secret')) {
      if (!/\.example\.ya?ml$/.test(d.file)) problems.push(`${where(d)}: Secrets belong only in *.example.yaml, with placeholders`);
      if (d.value.data !== undefined) problems.push(`${where(d)}: uses data: (base64); placeholders go in stringData`);
      for (const [k, v] of Object.entries(obj(d.value.stringData))) {
        const s = str(v) ?? '';
        if (s !== '' && !s.includes('CHANGE_ME')) problems.push(`${where(d)}: ${k} is not a placeholder (empty or containing CHANGE_ME)`);
      }
    }
    expect(problems).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hardening (issue 10, "Deployment hardening"): what an infrastructure-as-code scan checks, held here so a change to a
// manifest cannot quietly undo it. docs/security.md, "Deployment", says where a check does not apply and why.
// ---------------------------------------------------------------------------------------------------------------

const HIGH_UID = 10000;
const DIGEST_PINNED = /@sha256:[0-9a-f]{64}$/;
/** Variables that hold a secret value: only their *_FILE form may be set. */
const SECRET_VARS = ['JWT_SECRET', 'DATABASE_URL', 'TEMPORAL_API_KEY', 'PAYLOAD_CODEC_DEV_SECRET'];
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod']);
const WORKLOADS = K8S.filter((d) => WORKLOAD_KINDS.has(kindOf(d)));

interface RawContainer {
  where: string;
  workload: YamlDoc;
  pod: Obj;
  c: Obj;
}
const RAW_CONTAINERS: RawContainer[] = WORKLOADS.flatMap((d) => {
  const pod = podSpecOf(d) ?? {};
  return [...arr(pod.initContainers), ...arr(pod.containers)].map((raw) => ({ where: `${where(d)} container ${str(obj(raw).name) ?? '?'}`, workload: d, pod, c: obj(raw) }));
});
const podLabelsOf = (d: YamlDoc): Obj => {
  const spec = obj(d.value.spec);
  const template = kindOf(d) === 'CronJob' ? obj(obj(obj(spec.jobTemplate).spec).template) : obj(spec.template);
  return obj(obj(template.metadata).labels);
};
const selects = (selector: Obj, labels: Obj) => Object.entries(obj(selector.matchLabels)).every(([k, v]) => labels[k] === v);
const POLICIES = k8sByKind('NetworkPolicy');
const policiesFor = (d: YamlDoc) => POLICIES.filter((p) => selects(obj(obj(p.value.spec).podSelector), podLabelsOf(d)));
/** Mounted paths of a container, whichever deployment format it comes from. */
const isUnder = (p: string, dir: string) => p === dir || p.startsWith(`${dir.replace(/\/$/, '')}/`);
const mountedIn = (c: Container, p: string) => c.mounts.some((m) => m && (isUnder(p, m) || isUnder(m, p)));

describe('deployment hardening', () => {
  it('every Kubernetes container runs as a non-root high UID, read-only, without capabilities or privilege escalation, under RuntimeDefault seccomp', () => {
    const problems: string[] = [];
    expect(RAW_CONTAINERS.length).toBeGreaterThanOrEqual(4);
    for (const { where: at, pod, c } of RAW_CONTAINERS) {
      const podSc = obj(pod.securityContext);
      const sc = obj(c.securityContext);
      const eff = (k: string) => (sc[k] !== undefined ? sc[k] : podSc[k]);
      if (eff('runAsNonRoot') !== true) problems.push(`${at}: runAsNonRoot is not true`);
      for (const k of ['runAsUser', 'runAsGroup']) {
        const id = Number(eff(k));
        if (!(id >= HIGH_UID)) problems.push(`${at}: ${k} ${String(eff(k) ?? '(image default)')}; use a high id (>= ${HIGH_UID}) that no host user has`);
      }
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
      if (sc.privileged === true) problems.push(`${at}: privileged`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
      if (!arr(obj(sc.capabilities).drop).includes('ALL')) problems.push(`${at}: capabilities do not drop ALL`);
      if (arr(obj(sc.capabilities).add).length) problems.push(`${at}: adds capabilities ${JSON.stringify(obj(sc.capabilities).add)}`);
      const seccomp = str(obj(sc.seccompProfile).type) ?? str(obj(podSc.seccompProfile).type);
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${at}: seccompProfile ${seccomp ?? '(none)'}, expected RuntimeDefault`);
      if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push(`${at}: shares a host namespace`);
    }
    // The image itself runs as the same high, numeric UID (not `node`, 1000), so a pod without a securityContext is safe too.
    const user = RUNTIME_STAGE?.user ?? '';
    if (!/^\d+(:\d+)?$/.test(user) || Number(user.split(':')[0]) < HIGH_UID) problems.push(`${DOCKERFILE}: USER ${user || '(none)'}; use a numeric UID >= ${HIGH_UID}`);
    expect(problems).toEqual([]);
  });

  it('compose runs the app as the same high UID, read-only, without capabilities or new privileges', () => {
    const problems: string[] = [];
    for (const d of COMPOSE) {
      for (const [name, raw] of Object.entries(obj(d.value.services))) {
        const s = obj(raw);
        const c = CONTAINERS.find((x) => x.owner === d && x.where.endsWith(`service ${name}`));
        if (!c?.app) continue;
        const at = `${d.file} service ${name}`;
        const uid = Number((str(s.user) ?? '').split(':')[0]);
        if (!(uid >= HIGH_UID)) problems.push(`${at}: user ${str(s.user) ?? '(image default)'}; use ${HIGH_UID}+`);
        if (s.read_only !== true) problems.push(`${at}: read_only is not true`);
        if (!arr(s.cap_drop).includes('ALL')) problems.push(`${at}: cap_drop does not include ALL`);
        if (!arr(s.security_opt).some((o) => /^no-new-privileges(:true)?$/.test(str(o) ?? ''))) problems.push(`${at}: no security_opt no-new-privileges`);
        if (s.privileged === true) problems.push(`${at}: privileged`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('no service-account token is mounted: every pod has its own service account with automount off', () => {
    const problems: string[] = [];
    const accounts = k8sByKind('ServiceAccount');
    for (const d of WORKLOADS) {
      const pod = podSpecOf(d) ?? {};
      const sa = str(pod.serviceAccountName);
      if (!sa || sa === 'default') problems.push(`${where(d)}: runs as the namespace's default service account; give it its own`);
      if (pod.automountServiceAccountToken !== false) problems.push(`${where(d)}: automountServiceAccountToken is not false (nothing here calls the Kubernetes API)`);
      const account = accounts.find((a) => nameOf(a) === sa);
      if (sa && sa !== 'default' && !account) problems.push(`${where(d)}: service account ${sa} is not defined`);
      if (account && account.value.automountServiceAccountToken !== false) problems.push(`${where(account)}: automountServiceAccountToken is not false`);
    }
    // No permissions are granted to them: nothing binds a role.
    for (const d of [...k8sByKind('RoleBinding'), ...k8sByKind('ClusterRoleBinding')]) problems.push(`${where(d)}: a role binding; the workloads need no Kubernetes API access`);
    expect(problems).toEqual([]);
  });

  it('every image is pinned by digest: the Kubernetes manifests, the kustomize image override, the Dockerfile bases', () => {
    const problems: string[] = [];
    for (const { where: at, c } of RAW_CONTAINERS) {
      if (!DIGEST_PINNED.test(str(c.image) ?? '')) problems.push(`${at}: image ${str(c.image)} is not pinned by digest (@sha256:<64 hex>)`);
    }
    for (const k of KUSTOMIZATIONS) {
      for (const i of arr(k.value.images).map(obj)) {
        if (i.newTag !== undefined) problems.push(`${k.file}: image ${str(i.name)} sets newTag; set digest instead`);
        if (!/^sha256:[0-9a-f]{64}$/.test(str(i.digest) ?? '')) problems.push(`${k.file}: image ${str(i.name)} has no sha256 digest`);
      }
    }
    const stageNames = new Set(DOCKER_STAGES.map((s) => s.name).filter(Boolean));
    for (const s of DOCKER_STAGES) {
      if (stageNames.has(s.from)) continue;
      if (!DIGEST_PINNED.test(s.from)) problems.push(`${DOCKERFILE}: FROM ${s.from} is not pinned by digest`);
    }
    expect(problems).toEqual([]);
  });

  it('network policies: default deny, API ingress from the ingress controller only, egress only where the app goes', () => {
    const problems: string[] = [];
    const denyAll = POLICIES.find((p) => {
      const spec = obj(p.value.spec);
      const types = arr(spec.policyTypes);
      return Object.keys(obj(spec.podSelector)).length === 0 && types.includes('Ingress') && types.includes('Egress') && !arr(spec.ingress).length && !arr(spec.egress).length;
    });
    if (!denyAll) problems.push('infra/k8s: no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)');
    const portsOf = (rules: Obj[]) => rules.flatMap((r) => arr(r.ports).map((p) => Number(obj(p).port)));
    for (const p of POLICIES) {
      const spec = obj(p.value.spec);
      for (const [dir, key] of [['ingress', 'from'], ['egress', 'to']] as const) {
        for (const rule of arr(spec[dir]).map(obj)) {
          const peers = arr(rule[key]).map(obj);
          if (!peers.length) problems.push(`${where(p)}: an ${dir} rule without ${key}: it allows every peer`);
          if (!arr(rule.ports).length) problems.push(`${where(p)}: an ${dir} rule without ports: it allows every port`);
          for (const peer of peers) {
            const cidr = str(obj(peer.ipBlock).cidr);
            if (cidr === '0.0.0.0/0' || cidr === '::/0') problems.push(`${where(p)}: ${dir} to/from anywhere (${cidr})`);
            if (peer.namespaceSelector !== undefined && !Object.keys(obj(obj(peer.namespaceSelector).matchLabels)).length) problems.push(`${where(p)}: ${dir} from/to every namespace`);
          }
        }
      }
    }
    // The worker takes no work over the network; its only ingress is the monitoring namespace scraping its metrics.
    const allowed = { api: { ingress: [3000, 9464], egress: [53, 7233, 5432] }, worker: { ingress: [9465, 3001], egress: [53, 7233, 5432, 443] } };
    for (const d of k8sByKind('Deployment')) {
      const role = ROLE_CONTAINERS.find((c) => c.owner === d)?.role;
      if (!role) continue;
      const applied = policiesFor(d);
      if (!applied.some((p) => p !== denyAll)) problems.push(`${where(d)}: no NetworkPolicy of its own`);
      const rules = (dir: 'ingress' | 'egress') => applied.flatMap((p) => arr(obj(p.value.spec)[dir]).map(obj));
      for (const dir of ['ingress', 'egress'] as const) {
        for (const port of portsOf(rules(dir))) if (!allowed[role][dir].includes(port)) problems.push(`${where(d)}: ${dir} allowed on port ${port}, not one the ${role} needs`);
      }
      for (const port of allowed[role].egress) if (!portsOf(rules('egress')).includes(port)) problems.push(`${where(d)}: no egress on ${port}, which the ${role} needs`);
      if (role === 'api') {
        const fromIngressController = rules('ingress').some(
          (r) => portsOf([r]).includes(3000) && arr(r.from).map(obj).every((peer) => /ingress/.test(str(obj(obj(peer.namespaceSelector).matchLabels)['kubernetes.io/metadata.name']) ?? '')),
        );
        if (!fromIngressController) problems.push(`${where(d)}: API traffic (3000) is not limited to the ingress controller's namespace`);
      }
      const onlyMonitoring = (r: Record<string, unknown>) =>
        arr(r.from).length > 0 && arr(r.from).map(obj).every((peer) => str(obj(obj(peer.namespaceSelector).matchLabels)['kubernetes.io/metadata.name']) === 'monitoring');
      if (role === 'worker' && !rules('ingress').every(onlyMonitoring)) problems.push(`${where(d)}: the worker accepts ingress from outside the monitoring namespace; nothing else calls it`);
    }
    for (const d of k8sByKind('Job')) if (!policiesFor(d).some((p) => p !== denyAll)) problems.push(`${where(d)}: no NetworkPolicy selects the job's pods (check its template labels)`);
    expect(problems).toEqual([]);
  });

  it('no secret is passed as an environment variable: Secrets are mounted files named by *_FILE / *_PATH / *_DIR', () => {
    const problems: string[] = [];
    for (const { where: at, c } of RAW_CONTAINERS) {
      for (const f of arr(c.envFrom).map(obj)) if (f.secretRef) problems.push(`${at}: envFrom Secret ${str(obj(f.secretRef).name)}; mount it as a volume instead`);
      for (const e of arr(c.env).map(obj)) if (obj(e.valueFrom).secretKeyRef) problems.push(`${at}: env ${str(e.name)} from a secretKeyRef; mount the Secret and use ${str(e.name)}_FILE`);
    }
    for (const c of APP_CONTAINERS) {
      for (const v of SECRET_VARS) if (c.env.has(v)) problems.push(`${c.where}: sets ${v} in the environment; use ${v}_FILE`);
    }
    for (const d of k8sByKind('ConfigMap')) {
      for (const k of Object.keys(obj(d.value.data))) if (SECRET_VARS.includes(k)) problems.push(`${where(d)}: holds ${k}, a secret`);
    }
    expect(problems).toEqual([]);
  });

  it('the app runs with NODE_ENV=production and every secret it requires there, each a mounted file; the private signing key is the worker\'s only', () => {
    const problems: string[] = [];
    const need = (c: Container, v: string) => {
      const value = c.env.get(v);
      if (!value) problems.push(`${c.where}: ${v} is not set`);
      else if (value.startsWith('/') && !mountedIn(c, value)) problems.push(`${c.where}: ${v}=${value} is not a mounted file`);
    };
    for (const c of APP_CONTAINERS) {
      if (c.env.get('NODE_ENV') !== 'production') problems.push(`${c.where}: NODE_ENV is ${c.env.get('NODE_ENV') ?? 'unset'}, not production`);
      if (JSON.stringify(c.command).includes('dist/scripts/migrate.js')) need(c, 'DATABASE_URL_FILE');
    }
    for (const c of ROLE_CONTAINERS) {
      need(c, 'DATABASE_URL_FILE');
      need(c, 'PAYLOAD_CODEC_KEYS_DIR');
      need(c, 'PAYLOAD_CODEC_KEY_ID');
      need(c, 'SIGNING_KEY_ID');
      need(c, 'SIGNING_PUBLIC_KEY_PATH');
      if (c.role === 'api') {
        if (!c.env.get('JWT_SECRET_FILE') && !c.env.get('JWT_PUBLIC_KEY_PATH')) problems.push(`${c.where}: neither JWT_SECRET_FILE nor JWT_PUBLIC_KEY_PATH is set`);
        for (const v of ['JWT_SECRET_FILE', 'JWT_PUBLIC_KEY_PATH']) if (c.env.get(v)) need(c, v);
        if (c.env.has('SIGNING_KEY_PATH')) problems.push(`${c.where}: the API gets SIGNING_KEY_PATH; it must hold public keys only`);
        if (c.mounts.some((m) => /certificate-signing\.pem$|\/signing$/.test(m))) problems.push(`${c.where}: the API mounts the private signing key`);
      } else {
        need(c, 'SIGNING_KEY_PATH');
        if (c.env.has('JWT_SECRET_FILE')) problems.push(`${c.where}: the worker gets the token secret, which it does not use`);
      }
    }
    // Kubernetes: the private key's Secret is mounted by the worker's pods and nowhere else.
    for (const d of WORKLOADS) {
      const mountsKey = arr((podSpecOf(d) ?? {}).volumes).some((v) => str(obj(obj(v).secret).secretName) === 'onestop-signing-key');
      const isWorker = ROLE_CONTAINERS.some((c) => c.owner === d && c.role === 'worker');
      if (mountsKey && !isWorker) problems.push(`${where(d)}: mounts the signing key Secret; only the worker signs`);
    }
    expect(problems).toEqual([]);
  });
});
