/**
 * Names, values and order of a certificate's signed fields (data/services/*.json `certificates[].fields`, paths into
 * the form) for the print and verify pages, from the issuing service's form schema (GET /services, public): a field is
 * titled as the form titles it (web/src/form-schema.ts `pathLabel`: `vehicle.plate` -> 车辆号牌号码). No per-service
 * table: with no schema (the catalogue unreachable) a field shows as its last key in words.
 */
import { byFormOrder, FormSchema, keyAsWords, pathLabel, signedFieldPath } from '../../form-schema';
import type { Lang } from '../../i18n';

/** The schema node of a signed field: the path itself, or the `vehicles` element a per-vehicle certificate names. */
const nodeOf = (schema: FormSchema, path: string) => schema.at(signedFieldPath(schema, path));

/** The signed fields to show, in the form's order when the schema is known (the payload's keys are sorted). */
export function orderedFields<T>(fields: Record<string, T>, schema: FormSchema | null | undefined): [string, T][] {
  const entries = Object.entries(fields);
  if (!schema) return entries;
  const cmp = byFormOrder(schema);
  return entries.sort(([a], [b]) => cmp(a, b));
}

/** Field names (the withheld ones) in the form's order when the schema is known. */
export function orderedPaths(paths: readonly string[], schema: FormSchema | null | undefined): string[] {
  return schema ? [...paths].sort(byFormOrder(schema)) : [...paths];
}

export function fieldLabel(key: string, lang: Lang, schema?: FormSchema | null): string {
  if (schema && FormSchema.title(nodeOf(schema, key))) return pathLabel(schema, key, lang);
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
