/**
 * The workflow bundle every case worker runs: built once per version of the workflow code, never stale.
 *
 * A bundle is stored with a manifest: the project source files webpack put into it (read from the bundle's own module
 * ids) with a hash of their content, the hash of package-lock.json (the SDK and zod versions in it) and the bundling
 * options. A worker checks the manifest against the files as they are now, which takes milliseconds, and runs the
 * bundle only when everything matches; otherwise it bundles (5–10 s of webpack) and stores the new bundle for the
 * next worker. So tests, the benchmark and the drills start their workers in about a second and always run the
 * current code; a stale dist/ bundle can never be picked up; and a worker that restarts after a crash is back at once
 * (issue 13: recovery within 30 s).
 *
 * Where: dist/workflow-bundle.js (`npm run build`, the production image) is used when its manifest matches; the
 * cache is node_modules/.cache/onestop-workflows/<checkout>/ (what workers build themselves): bundles there are named
 * by the hash of their code and never overwritten, and the manifest that names the current one is replaced
 * atomically, so a worker reading it while another writes never runs a mix. In a compiled deployment without the
 * TypeScript sources the manifest cannot be checked: the image's dist bundle is the code, as built.
 *
 * Two variants: with OpenTelemetry's workflow interceptors (tracing on) and without (tracing off, the default). Off,
 * the interceptors would still make a span for every activity, local activity and signal and send it out of the
 * sandbox to be dropped: about a fifth of the workflow thread's time in the benchmark's profile. They add headers and
 * spans, never commands, so a case may move between workers of either variant and every history replays on both.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { PROJECT_ROOT } from '../infra/config';

export const WORKFLOWS_PATH = path.join(PROJECT_ROOT, 'workflows', 'index.ts');
export const WORKFLOW_BUNDLE_PATH = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
/** The variant without the tracing interceptors (scripts/build.ts builds both). */
export const WORKFLOW_BUNDLE_UNTRACED_PATH = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle-untraced.js');
/**
 * Workflow interceptor modules: OpenTelemetry's, so a case's workflow run, its signals and the activities it schedules
 * join the case's trace. Bundled into every bundle (a pre-built bundle ignores the worker's option).
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [path.join(PROJECT_ROOT, 'workflows', 'otel-interceptors.ts')];
/** The failure converter runs inside the workflow sandbox too: the bundle must carry it (infra/temporal/codec.ts). */
export const FAILURE_CONVERTER_PATH = path.join(PROJECT_ROOT, 'infra', 'temporal', 'failure-converter.ts');
/** Per checkout: worktrees sharing one node_modules keep their own bundles. */
export const WORKFLOW_BUNDLE_CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'onestop-workflows', createHash('sha256').update(PROJECT_ROOT).digest('hex').slice(0, 12));
const cacheManifest = (tracing: boolean) => path.join(WORKFLOW_BUNDLE_CACHE_DIR, `current-${tracing ? 'traced' : 'untraced'}.manifest.json`);
const distPath = (tracing: boolean) => (tracing ? WORKFLOW_BUNDLE_PATH : WORKFLOW_BUNDLE_UNTRACED_PATH);
const manifestOf = (bundlePath: string) => bundlePath.replace(/\.js$/, '.manifest.json');

interface Manifest {
  /** The bundle's file name, in the manifest's folder. */
  bundle: string;
  /** What was bundled, and how: changes to these rebuild. */
  options: string;
  lockHash: string;
  /** Project files in the bundle (relative to PROJECT_ROOT) and the hash of their content. */
  files: Record<string, string>;
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const interceptorModules = (tracing: boolean) => (tracing ? WORKFLOW_INTERCEPTOR_MODULES : []);

function optionsKey(tracing: boolean): string {
  const rel = (p: string) => path.relative(PROJECT_ROOT, p);
  return JSON.stringify({ workflows: rel(WORKFLOWS_PATH), interceptors: interceptorModules(tracing).map(rel), failureConverter: rel(FAILURE_CONVERTER_PATH) });
}

function lockHash(): string {
  const lock = path.join(PROJECT_ROOT, 'package-lock.json');
  return fs.existsSync(lock) ? sha(fs.readFileSync(lock)) : 'none';
}

function fileHash(rel: string): string | undefined {
  try {
    return sha(fs.readFileSync(path.join(PROJECT_ROOT, rel)));
  } catch {
    return undefined;
  }
}

/** The project's own modules in a bundle: webpack names each `./<path>` (node_modules are covered by the lock hash). */
function projectModules(code: string): string[] {
  const files = new Set<string>();
  for (const m of code.matchAll(/^\/\*\*\*\/ "\.\/([^"]+)"/gm)) {
    const rel = m[1]!;
    if (!rel.includes('node_modules/') && fs.existsSync(path.join(PROJECT_ROOT, rel))) files.add(rel);
  }
  return [...files].sort();
}

/** The bundle the manifest names, when it was built from the sources as they are now; else undefined. */
export function currentBundleOf(manifestPath: string, tracing: boolean): string | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  const bundlePath = path.join(path.dirname(manifestPath), manifest.bundle ?? '');
  if (!manifest.bundle || !fs.existsSync(bundlePath)) return undefined;
  if (manifest.options !== optionsKey(tracing) || manifest.lockHash !== lockHash()) return undefined;
  const files = Object.entries(manifest.files ?? {});
  return files.length > 0 && files.every(([rel, hash]) => fileHash(rel) === hash) ? bundlePath : undefined;
}

/**
 * Bundles the workflows from source (webpack). With `target` (dist/): writes it there with its manifest beside it.
 * Without: into the cache, as `<hash of the code>.js`, then points the cache's manifest at it (atomic rename).
 */
export async function buildWorkflowBundle(target?: string, tracing = true): Promise<{ code: string; bytes: number; path: string }> {
  // Module ids relative to the project root whatever the current directory, so the manifest can name the files.
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(WORKFLOWS_PATH),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    workflowInterceptorModules: interceptorModules(tracing),
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: (config) => ({ ...config, context: PROJECT_ROOT }),
  });
  const bundlePath = target ?? path.join(WORKFLOW_BUNDLE_CACHE_DIR, `${sha(code).slice(0, 16)}.js`);
  const manifestPath = target ? manifestOf(target) : cacheManifest(tracing);
  const manifest: Manifest = { bundle: path.basename(bundlePath), options: optionsKey(tracing), lockHash: lockHash(), files: {} };
  for (const rel of projectModules(code)) manifest.files[rel] = fileHash(rel)!;
  fs.mkdirSync(path.dirname(bundlePath), { recursive: true });
  // Two workers may build at once (parallel test files): each writes its own temporary files, then renames.
  const tmp = `${bundlePath}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, bundlePath);
  fs.writeFileSync(`${tmp}.manifest`, JSON.stringify(manifest, null, 1));
  fs.renameSync(`${tmp}.manifest`, manifestPath);
  if (!target) pruneCache(bundlePath);
  return { code, bytes: Buffer.byteLength(code), path: bundlePath };
}

/** Cached bundles of earlier code, a day old: no worker still starting can be about to read them. */
function pruneCache(keep: string): void {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const f of fs.readdirSync(WORKFLOW_BUNDLE_CACHE_DIR)) {
    const p = path.join(WORKFLOW_BUNDLE_CACHE_DIR, f);
    try {
      if (p !== keep && f.endsWith('.js') && fs.statSync(p).mtimeMs < dayAgo) fs.rmSync(p, { force: true });
    } catch {
      /* another process pruned it */
    }
  }
}

/** The bundles being built in this process, by variant: the workers of one test file share one build. */
const building = new Map<boolean, Promise<{ code: string }>>();

/**
 * The bundle a worker runs: dist/ when current, else the cache when current, else a new build (stored in the cache).
 * Without sources (a compiled deployment) the dist bundle as it is.
 */
export async function currentWorkflowBundle(
  log: (line: string) => void = () => undefined,
  { tracing = true }: { tracing?: boolean } = {},
): Promise<{ codePath: string } | { code: string }> {
  const haveSources = fs.existsSync(WORKFLOWS_PATH);
  if (!haveSources) {
    // An image built before the untraced variant existed has only the traced one: it runs the same cases.
    const built = [distPath(tracing), WORKFLOW_BUNDLE_PATH].find((p) => fs.existsSync(p));
    if (!built) throw new Error(`no workflow sources and no ${distPath(tracing)}: run npm run build`);
    return { codePath: built };
  }
  const current = currentBundleOf(manifestOf(distPath(tracing)), tracing) ?? currentBundleOf(cacheManifest(tracing), tracing);
  if (current) return { codePath: current };
  let pending = building.get(tracing);
  if (!pending) {
    const t0 = Date.now();
    pending = buildWorkflowBundle(undefined, tracing).then((b) => {
      log(`workflow bundle (${tracing ? 'with' : 'without'} tracing) built from source in ${((Date.now() - t0) / 1000).toFixed(1)} s (${(b.bytes / 1024).toFixed(0)} KiB), cached for the next worker`);
      return b;
    });
    building.set(tracing, pending);
    pending.finally(() => building.delete(tracing)).catch(() => undefined);
  }
  return { code: (await pending).code };
}
