/**
 * Determinism guard: committed histories of the three services (test/replay/histories, recorded by
 * test/replay/record-histories.ts) are replayed against the current workflow code on every run. A change that would
 * break a running case fails here; make such changes with patched() and record new histories.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/create-worker';

const dir = path.resolve(__dirname, '../replay/histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

it('has a history of each of the three services for every workflow version (v1; v2 combined task writes; v3 sparse search-attribute upserts)', () => {
  for (const version of ['v1', 'v2', 'v3']) {
    expect(files.filter((f) => f.startsWith(`${version}-`)).sort()).toEqual(
      ['freight-company', 'oversize-cargo', 'school-bus'].map((s) => `${version}-${s}.json`),
    );
  }
});

it.each(files)('replays %s against the current workflow code', async (file) => {
  const recorded = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { workflowId: string; history: unknown };
  const history = temporal.api.history.v1.History.fromObject(recorded.history as Record<string, unknown>);
  expect(history.events?.length).toBeGreaterThan(20);
  await Worker.runReplayHistory({ workflowsPath: require.resolve(WORKFLOWS_PATH) }, history, recorded.workflowId);
});
