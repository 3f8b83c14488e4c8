/**
 * Everything a submission must satisfy before a case exists: the service's form (its JSON Schema and cross-field rules,
 * compiled by the catalogue), the scenario answers and the materials they require (情形选择), the materials the form's
 * content requires (`materialsWhen`: oversize category III needs an escort plan and an outline drawing), and referenced
 * electronic certificates (证照免交). All problems are collected and reported at once, with their field paths. Nothing
 * here knows a particular service.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { shanghaiDate } from '../domain/calendar';
import { findCertificate, isoDay } from '../infra/repositories/certificates';
import type { ServiceCatalog } from '../infra/services/catalog';
import type { ServiceDefinition } from '../domain/types';
import { ApiError, validationError, type FieldIssue } from './http/errors';
import { formSchemaOf, type CaseSubmissionBody } from './schemas/forms';

export function requiredMaterials(def: ServiceDefinition, answers: Record<string, string>): string[] {
  const required = new Set(def.baseMaterials);
  for (const q of def.scenarios) {
    const option = q.options.find((o) => o.value === answers[q.id]);
    for (const m of option?.requiresMaterials ?? []) required.add(m);
  }
  return [...required];
}

export async function validateSubmission(def: ServiceDefinition, body: CaseSubmissionBody, em: EntityManager, nowMs: number, catalog: ServiceCatalog) {
  const issues: FieldIssue[] = [];
  const compiled = catalog.form(def.code);
  if (!compiled) throw new Error(`service ${def.code} has no form in the catalogue`);
  const parsed = formSchemaOf(compiled).safeParse(body.form);
  if (!parsed.success) {
    for (const i of parsed.error.issues) issues.push({ path: ['body', 'form', ...i.path.map(String)].join('.'), message: i.message });
  }

  for (const q of def.scenarios) {
    const answer = body.scenarioAnswers[q.id];
    if (answer === undefined) issues.push({ path: `body.scenarioAnswers.${q.id}`, message: `answer required: ${q.options.map((o) => o.value).join(' | ')}` });
    else if (!q.options.some((o) => o.value === answer)) issues.push({ path: `body.scenarioAnswers.${q.id}`, message: `must be one of ${q.options.map((o) => o.value).join(', ')}` });
  }
  for (const key of Object.keys(body.scenarioAnswers)) {
    if (!def.scenarios.some((q) => q.id === key)) issues.push({ path: `body.scenarioAnswers.${key}`, message: 'no such scenario question' });
  }

  const known = new Map(def.materials.map((m) => [m.id, m]));
  const given = new Map<string, string>();
  body.materials.forEach((m, i) => {
    if (!known.has(m.material)) issues.push({ path: `body.materials.${i}.material`, message: `unknown material for ${def.code}` });
    else if (given.has(m.material)) issues.push({ path: `body.materials.${i}.material`, message: 'listed twice' });
    given.set(m.material, m.reference);
  });
  const required = requiredMaterials(def, body.scenarioAnswers);
  // What the form's content requires (the definition's `materialsWhen`), judged on a form that is valid.
  if (parsed.success && issues.length === 0) {
    for (const m of catalog.materialsRequiredBy(def.code, parsed.data)) if (known.has(m) && !required.includes(m)) required.push(m);
  }
  for (const m of required) {
    if (!given.has(m)) issues.push({ path: 'body.materials', message: `missing required material "${m}" (${known.get(m)?.name.zh ?? m})` });
  }
  if (issues.length > 0) throw validationError(issues);

  // 证照免交: a referenced certificate must exist, be valid today, not revoked, be the right type, and be the applicant's.
  const form = parsed.success ? (parsed.data as { applicant: { creditCode: string; name: string } }) : undefined;
  const today = shanghaiDate(nowMs);
  const certIssues: FieldIssue[] = [];
  for (const [i, m] of body.materials.entries()) {
    if (!m.reference.startsWith('cert:')) continue;
    const no = m.reference.slice(5);
    const cert = await findCertificate(em, no);
    const path = `body.materials.${i}.reference`;
    const wantType = known.get(m.material)?.certificateType;
    // Unknown and someone else's answer alike: submissions cannot probe which certificate numbers exist.
    if (!cert || cert.holderKey !== form?.applicant.creditCode) certIssues.push({ path, message: `certificate ${no} is not a certificate of this applicant` });
    else if (cert.revokedAt) certIssues.push({ path, message: `certificate ${no} is revoked` });
    else if (isoDay(cert.validUntil) < today) certIssues.push({ path, message: `certificate ${no} expired on ${isoDay(cert.validUntil)}` });
    else if (!wantType) certIssues.push({ path, message: `material "${m.material}" cannot be replaced by a certificate` });
    else if (cert.type !== wantType) certIssues.push({ path, message: `certificate ${no} is a ${cert.type}, "${m.material}" needs a ${wantType}` });
  }
  if (certIssues.length > 0) throw new ApiError('business_rule', 'a referenced certificate cannot be used', certIssues);
  return parsed.data as Record<string, unknown> & { applicant: { creditCode: string; name: string } };
}
