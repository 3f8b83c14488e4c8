/**
 * Determinism guard: committed histories (test/replay/histories, recorded by test/replay/record-histories.ts: the three
 * services' happy paths of every version, and since v4 one history per branch: timers, rejection, withdrawal,
 * supplement, calendar update, malformed signals, needs attention + ops retry; since v6 with user metadata: activity
 * summaries, which replay does not compare; since v7 a category III case and the two-level escalation; v9 every branch
 * again, its records being local activities) are replayed against the current workflow code on every run. A change
 * that would break a running case fails here; make such changes with patched() and record new histories.
 *
 * The code is the worker's own bundle of the current sources (worker/workflow-bundle.ts), built or found once for all
 * the histories instead of bundled again for each; both of its variants (with the OpenTelemetry workflow interceptors,
 * tracing on, and without, tracing off), since a case may move between workers of either.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowTracingSinks } from '../../worker/create-worker';
import { currentWorkflowBundle } from '../../worker/workflow-bundle';

const dir = path.resolve(__dirname, '../replay/histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

const SERVICES = ['freight-company', 'oversize-cargo', 'school-bus'];
/** Since v4 (validated signals, needs attention), every branch of the workflow, not only the happy paths. */
const BRANCHES = ['calendar-update', 'malformed-signals', 'needs-attention', 'rejection', 'supplement', 'timers', 'withdrawal'];

const bundles: Record<'traced' | 'untraced', Awaited<ReturnType<typeof currentWorkflowBundle>> | undefined> = { traced: undefined, untraced: undefined };
beforeAll(async () => {
  bundles.traced = await currentWorkflowBundle(undefined, { tracing: true });
  bundles.untraced = await currentWorkflowBundle(undefined, { tracing: false });
}, 120_000);

it('has a history of each of the three services for every workflow version (v1; v2 combined task writes; v3 sparse search-attribute upserts; v4 validated signals and needs attention; v5 bounded webhook wait; v6 user metadata; v7 statutory step period and two-level escalation; v8 statutory holidays in provisional calendars; v9 local-activity records, idle-time publication, one durable timer)', () => {
  for (const version of ['v1', 'v2', 'v3']) {
    expect(files.filter((f) => f.startsWith(`${version}-`)).sort()).toEqual(SERVICES.map((s) => `${version}-${s}.json`));
  }
  expect(files.filter((f) => f.startsWith('v4-')).sort()).toEqual([...SERVICES, ...BRANCHES].sort().map((s) => `v4-${s}.json`));
  // v5 (bounded wait for a dead portal's deliveries): the happy paths and the branch it adds.
  expect(files.filter((f) => f.startsWith('v5-')).sort()).toEqual([...SERVICES, 'webhook-abandoned'].sort().map((s) => `v5-${s}.json`));
  // v6 (user metadata: a summary on every activity, current details): the happy paths and the branches whose activities
  // only it summarises (the needs-attention flag, the portal callbacks). No command changed; these guard what comes next.
  expect(files.filter((f) => f.startsWith('v6-')).sort()).toEqual([...SERVICES, 'needs-attention', 'webhook-abandoned'].sort().map((s) => `v6-${s}.json`));
  // v7 (issue 11): the happy paths (SCHOOLBUS re-planned as one joint review; the oversize category's period on the
  // highway permit only), a category III case (15 working days, the case promise with it) and the two-level escalation.
  expect(files.filter((f) => f.startsWith('v7-')).sort()).toEqual([...SERVICES, 'category-iii', 'escalation'].sort().map((s) => `v7-${s}.json`));
  // v8 (statutory holidays in a provisional calendar): the calendar update, whose deadline into 2031 now skips 元旦.
  expect(files.filter((f) => f.startsWith('v8-')).sort()).toEqual(['v8-calendar-update.json']);
  // v9 (issue 13, `lean-records`): the records run as local activities, so every branch again; the clock branches
  // (timers, escalation, calendar update) also cover the one durable timer, needs-attention a failed local activity.
  expect(files.filter((f) => f.startsWith('v9-')).sort()).toEqual(
    [...SERVICES, ...BRANCHES, 'category-iii', 'escalation', 'webhook-abandoned'].sort().map((s) => `v9-${s}.json`),
  );
});

it.each(files)('replays %s against the current workflow code', async (file) => {
  const recorded = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { workflowId: string; history: unknown };
  const history = temporal.api.history.v1.History.fromObject(recorded.history as Record<string, unknown>);
  expect(history.events?.length).toBeGreaterThan(20);
  // The traced bundle carries the worker's workflow interceptor modules (OpenTelemetry): headers and spans, never commands.
  for (const workflowBundle of [bundles.traced!, bundles.untraced!]) {
    await Worker.runReplayHistory({ workflowBundle, sinks: workflowTracingSinks() }, history, recorded.workflowId);
  }
});
