/**
 * Names of the signed certificate fields (data/services/*.json `certificates[].fields`, paths into the form), for the
 * print and verify pages. From the issuing service's form schema when the page has it (a signed-in caller reads the
 * catalogue): `vehicle.plate` is titled as the form titles it (web/src/form-schema.ts `pathLabel`).
 *
 * The public pages (verification by code, the applicant's print view from a tracking session) have no catalogue:
 * GET /services needs a token, and the public certificate does not carry titles. For them, and only for them, the
 * committed services' field names below remain; any other field shows as its last key in words.
 */
import { byFormOrder, FormSchema, keyAsWords, pathLabel, signedFieldPath } from '../../form-schema';
import type { Lang } from '../../i18n';

// The committed services' certificate fields, for pages without the catalogue (see above); not needed by any page
// that has the service's form schema. A new service's fields are not listed here, and need not be.
const PUBLIC_FALLBACK: Record<string, { zh: string; en: string }> = {
  'applicant.name': { zh: '申请人', en: 'Applicant' },
  'applicant.address': { zh: '地址', en: 'Address' },
  'applicant.legalRepresentative': { zh: '法定代表人', en: 'Legal representative' },
  'carrier.name': { zh: '校车服务提供者', en: 'Carrier' },
  'driver.name': { zh: '驾驶人', en: 'Driver' },
  'vehicle.plate': { zh: '号牌号码', en: 'Plate' },
  'vehicle.seats': { zh: '核载人数', en: 'Seats' },
  'vehicle.totalMassKg': { zh: '总质量（千克）', en: 'Total mass (kg)' },
  'vehicle.axles': { zh: '轴数', en: 'Axles' },
  'cargo.name': { zh: '货物名称', en: 'Cargo' },
  'loaded.lengthMm': { zh: '装载后长度（毫米）', en: 'Loaded length (mm)' },
  'loaded.widthMm': { zh: '装载后宽度（毫米）', en: 'Loaded width (mm)' },
  'loaded.heightMm': { zh: '装载后高度（毫米）', en: 'Loaded height (mm)' },
  'loaded.grossMassKg': { zh: '车货总质量（千克）', en: 'Gross mass (kg)' },
  'route.name': { zh: '行驶线路', en: 'Route' },
  'route.originCity': { zh: '起运地', en: 'From' },
  'route.destinationCity': { zh: '目的地', en: 'To' },
  'route.segmentIds': { zh: '通行路段', en: 'Road segments' },
  'route.travelFrom': { zh: '通行起始日期', en: 'Travel from' },
  'route.travelTo': { zh: '通行截止日期', en: 'Travel until' },
  'route.stops': { zh: '停靠站点', en: 'Stops' },
  'route.departureTimes': { zh: '发车时间', en: 'Departure times' },
};

/** The schema node of a signed field: the path itself, or the `vehicles` element a per-vehicle certificate names. */
const nodeOf = (schema: FormSchema, path: string) => schema.at(signedFieldPath(schema, path));

/** The signed fields to show, in the form's order when the schema is known (the payload's keys are sorted). */
export function orderedFields<T>(fields: Record<string, T>, schema: FormSchema | null | undefined): [string, T][] {
  const entries = Object.entries(fields);
  if (!schema) return entries;
  const cmp = byFormOrder(schema);
  return entries.sort(([a], [b]) => cmp(a, b));
}

export function fieldLabel(key: string, lang: Lang, schema?: FormSchema | null): string {
  if (schema && FormSchema.title(nodeOf(schema, key))) return pathLabel(schema, key, lang);
  const known = PUBLIC_FALLBACK[key];
  if (known) return known[lang];
  return keyAsWords(key.split('.').pop() ?? key, lang);
}

/** A signed field's value as signed (dates and instants in the payload's own text), lists joined, yes/no, enum titles. */
export function fieldText(value: unknown, lang: Lang, schema?: FormSchema | null, key?: string): string {
  if (value === null || value === undefined || value === '') return '—';
  const node = schema && key ? nodeOf(schema, key) : undefined;
  const one = (v: unknown) => {
    const title = node && (typeof v === 'string' || typeof v === 'number') ? (schema!.enumTitle(node, v) ?? schema!.enumTitle(schema!.child(node, 0), v)) : undefined;
    return title ? title[lang] || title.zh : String(v);
  };
  if (Array.isArray(value)) return value.map(one).join(lang === 'zh' ? '、' : ', ');
  if (typeof value === 'boolean') return value ? (lang === 'zh' ? '是' : 'Yes') : lang === 'zh' ? '否' : 'No';
  if (typeof value === 'object') return JSON.stringify(value);
  return one(value);
}
