/**
 * The example submissions, read from the service definitions (each file's `example`): served by GET /services/:code,
 * carried in the OpenAPI document, and used by the tests and the benchmark, so all of them send what a portal would
 * send. The examples name the demo seed's companies, people and vehicles (infra/db/seed.ts); dates written
 * `{{today+N}}` are N days after the moment asked for (the oversize trip is next week, at night).
 *
 * The typed readers below are for code that edits an example (tests): the forms' TypeScript shapes are domain/forms.ts.
 */
import type { FreightCompanyForm, MaterialRef, OversizeCargoForm, SchoolBusForm } from '../../domain/forms';
import { committedCatalog } from '../../infra/services/catalog';

/** A submission as POST /cases takes it, with the form of one service. */
export interface Submission<F> {
  serviceCode: string;
  channel: 'online' | 'counter';
  scenarioAnswers: Record<string, string>;
  materials: MaterialRef[];
  form: F & Record<string, unknown>;
}

/** The committed service's example, its dates relative to `nowMs`: a fresh copy each call. */
export function exampleOf<F = Record<string, unknown>>(code: string, nowMs = Date.now()): Submission<F> {
  const example = committedCatalog().example(code, nowMs);
  if (!example) throw new Error(`no service ${code} in data/services`);
  return example as unknown as Submission<F>;
}

export const schoolBusExample = (nowMs?: number) => exampleOf<SchoolBusForm>('SCHOOLBUS', nowMs);
export const freightCompanyExample = (nowMs?: number) => exampleOf<FreightCompanyForm>('FREIGHTCO', nowMs);
/** A category I load that passes all 21 checks (fast-tracked). Travel is next week, at night. */
export const oversizeCargoExample = (nowMs?: number) => exampleOf<OversizeCargoForm>('OVERSIZE', nowMs);

/** Every committed service's example, by service code. */
export const EXAMPLES: Record<string, (nowMs?: number) => Submission<Record<string, unknown>>> = Object.fromEntries(
  committedCatalog()
    .list()
    .map((d) => [d.code, (nowMs?: number) => exampleOf(d.code, nowMs)]),
);
