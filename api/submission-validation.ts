/**
 * Everything a submission must satisfy before a case exists: the service's form schema, the scenario answers and the
 * materials they require (情形选择), referenced electronic certificates (证照免交), and the oversize form's physical
 * plausibility. All problems are collected and reported at once, with their field paths.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { shanghaiDate } from '../domain/calendar';
import { findCertificate, isoDay } from '../infra/repositories/certificates';
import { REQUIRED_DOCUMENTS, classifyOversize, validateOversizeApplication, type OversizeApplication } from '../domain/oversize';
import type { ServiceDefinition } from '../domain/types';
import { ApiError, validationError, type FieldIssue } from './http/errors';
import { FORM_SCHEMAS, type CaseSubmissionBody } from './schemas/forms';

/** The oversize rule engine's document names, as the service definition's material ids. */
const DOCUMENT_MATERIALS: Record<string, string> = { escort_plan: 'escort-plan', outline_drawing: 'outline-drawing' };

export function requiredMaterials(def: ServiceDefinition, answers: Record<string, string>): string[] {
  const required = new Set(def.baseMaterials);
  for (const q of def.scenarios) {
    const option = q.options.find((o) => o.value === answers[q.id]);
    for (const m of option?.requiresMaterials ?? []) required.add(m);
  }
  return [...required];
}

export async function validateSubmission(def: ServiceDefinition, body: CaseSubmissionBody, em: EntityManager, nowMs: number) {
  const issues: FieldIssue[] = [];
  const parsed = FORM_SCHEMAS[def.form].safeParse(body.form);
  if (!parsed.success) {
    for (const i of parsed.error.issues) issues.push({ path: ['body', 'form', ...i.path.map(String)].join('.'), message: i.message });
  } else if (def.form === 'oversize-cargo') {
    for (const e of validateOversizeApplication(parsed.data)) issues.push({ path: `body.form.${e.path}`, message: e.message });
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
  // The over-limit category decides the documents: category III also needs an escort plan and an outline drawing.
  if (def.form === 'oversize-cargo' && parsed.success && issues.length === 0) {
    for (const doc of REQUIRED_DOCUMENTS[classifyOversize(parsed.data as OversizeApplication).category]) {
      const material = DOCUMENT_MATERIALS[doc];
      if (material && known.has(material) && !required.includes(material)) required.push(material);
    }
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
