/**
 * `npm run build`: the production artefacts, in dist/.
 *   1. tsc -p tsconfig.build.json      -> dist/{api,worker,scripts,infra,...}/*.js (no tests, no bench)
 *   2. the service and calendar data   -> dist/data (the compiled code resolves data/ relative to dist/)
 *   3. bundleWorkflowCode              -> dist/workflow-bundle.js (production workers load it instead of running
 *                                         webpack at start: faster start, and every replica runs the same bundle)
 *   4. a check that the entry points the Dockerfile, compose file and Kubernetes manifests run were emitted.
 * One progress line per stage, then the total time. Any failure exits non-zero with the reason.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle } from '../worker/workflow-bundle';

/** The repository root: the nearest folder with package.json (works from scripts/ and from a compiled dist/scripts/). */
function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

const ROOT = findRoot(__dirname);
const DIST = path.join(ROOT, 'dist');
const BUNDLE = path.join(DIST, 'workflow-bundle.js');
const UNTRACED_BUNDLE = path.join(DIST, 'workflow-bundle-untraced.js');
/** What the deployment files run (infra/docker, infra/compose, infra/k8s). */
const ENTRY_POINTS = ['api/main', 'worker/main', 'scripts/migrate', 'scripts/register-search-attributes'];

class BuildError extends Error {}

const started = Date.now();
const say = (line: string) => console.log(`▸ ${line}`);
const rel = (p: string) => path.relative(ROOT, p) || '.';

async function stage<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const t = Date.now();
  const result = await fn();
  say(`${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  return result;
}

function compile(): void {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  if (r.error) throw new BuildError(`tsc could not run: ${r.error.message}`);
  if (r.status !== 0) throw new BuildError(`tsc -p tsconfig.build.json failed (exit ${r.status}); see the errors above`);
}

function copyData(to: string): void {
  const from = path.join(ROOT, 'data');
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, { recursive: true });
}

/**
 * Where the compiled code itself will look for the data and the workflow bundle. infra/config.ts resolves
 * PROJECT_ROOT from its own folder, so compiled it may point at dist/ rather than at the repository root; asking the
 * compiled modules (in a child process) keeps the build right whichever way that is resolved.
 */
function compiledLookups(): { projectRoot: string; bundlePath: string } {
  const script = `
    const cfg = require(${JSON.stringify(path.join(DIST, 'infra', 'config.js'))});
    const w = require(${JSON.stringify(path.join(DIST, 'worker', 'create-worker.js'))});
    process.stdout.write(JSON.stringify({ projectRoot: cfg.PROJECT_ROOT, bundlePath: w.WORKFLOW_BUNDLE_PATH }));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new BuildError(`could not load the compiled config/worker modules: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as { projectRoot: string; bundlePath: string };
}

async function bundle(): Promise<number> {
  const workflowsPath = path.join(ROOT, 'workflows', 'index.ts');
  if (!fs.existsSync(workflowsPath)) throw new BuildError(`${rel(workflowsPath)} not found`);
  // The worker's own bundler (worker/workflow-bundle.ts): the same options (failure converter, OpenTelemetry's
  // interceptor modules), and a manifest beside the bundle that lets a worker with the sources check it is current.
  const { bytes } = await buildWorkflowBundle(BUNDLE, true);
  // The variant a worker with tracing off runs (no OpenTelemetry workflow interceptors).
  await buildWorkflowBundle(UNTRACED_BUNDLE, false);
  return bytes;
}

function checkEntryPoints(): string[] {
  const notes: string[] = [];
  for (const entry of ENTRY_POINTS) {
    const source = path.join(ROOT, `${entry}.ts`);
    const compiled = path.join(DIST, `${entry}.js`);
    if (!fs.existsSync(source)) {
      notes.push(`${entry}.ts does not exist yet: dist/${entry}.js was not built (the deployment files run it)`);
    } else if (!fs.existsSync(compiled)) {
      throw new BuildError(`${entry}.ts exists but dist/${entry}.js was not emitted: is it in tsconfig.build.json's include?`);
    }
  }
  return notes;
}

async function main(): Promise<void> {
  say(`building ${rel(ROOT) === '.' ? path.basename(ROOT) : ROOT} into ${rel(DIST)}/`);
  await stage('cleaned dist/', () => fs.rmSync(DIST, { recursive: true, force: true }));
  await stage('compiled TypeScript (tsc -p tsconfig.build.json)', compile);
  await stage('copied data/ to dist/data', () => copyData(path.join(DIST, 'data')));
  const size = await stage('bundled the workflows', bundle);
  say(`  ${rel(BUNDLE)}: ${(size / 1024).toFixed(0)} KiB`);

  const { projectRoot, bundlePath } = compiledLookups();
  if (path.resolve(bundlePath) !== BUNDLE) {
    // The compiled worker looks elsewhere (PROJECT_ROOT resolved to dist/): put a copy where it looks, or production
    // workers would silently fall back to bundling from source, which a compiled image cannot do.
    fs.mkdirSync(path.dirname(bundlePath), { recursive: true });
    fs.copyFileSync(BUNDLE, bundlePath);
    fs.copyFileSync(UNTRACED_BUNDLE, path.join(path.dirname(bundlePath), path.basename(UNTRACED_BUNDLE)));
    say(`  compiled worker looks for the bundle at ${rel(bundlePath)}: copied it there`);
  }
  if (path.resolve(projectRoot) !== ROOT && path.resolve(projectRoot) !== DIST) {
    copyData(path.join(projectRoot, 'data'));
    say(`  compiled PROJECT_ROOT is ${rel(projectRoot)}: copied data/ there too`);
  }

  const notes = await stage('checked the entry points', checkEntryPoints);
  for (const n of notes) say(`  ! ${n}`);
  say(`build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(`✖ build failed: ${(err as Error).message}`);
  if (!(err instanceof BuildError) && process.env.DEBUG) console.error(err);
  process.exit(1);
});
