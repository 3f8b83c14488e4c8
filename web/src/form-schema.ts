/**
 * A service's form schema (its definition's `formSchema`, JSON Schema 2020-12, served by GET /services) read for
 * display: for any path of a submitted form, the schema node that describes it and its bilingual title (`x-title`),
 * the order of an object's fields (the schema's property order: stored JSON does not keep key order), and how a value
 * reads (`x-enumTitles` or `oneOf` of `const`s for enums, booleans, dates, instants, units from the field name).
 * So a new service's form shows with its own Chinese and English labels and no page code.
 *
 * Only the keywords that say where a value's schema is are followed: local `$ref`s (JSON pointers, `#/$defs/...`),
 * `properties`, `additionalProperties`/`patternProperties`, `items`/`prefixItems`, and the members of `allOf`,
 * `anyOf`, `oneOf` and `if`/`then`/`else` (a field declared in a conditional branch still has a title). Validation is
 * the API's business. A key the schema does not know is shown as itself, split into words: never an error.
 *
 * Plain TypeScript with no imports, so the unit tests load it under Node as the browser does.
 */

export type Lang = 'zh' | 'en';
export interface Bilingual {
  zh: string;
  en: string;
}
/** A JSON Schema node as served: any JSON object (booleans `true`/`false` are schemas too). */
export type SchemaNode = { [key: string]: unknown };
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is SchemaNode => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBilingual = (v: unknown): v is Bilingual => isObject(v) && typeof v.zh === 'string' && typeof v.en === 'string';

/** Units a field name may end with (`lengthMm`, `grossMassKg`): the platform's convention for numbers with units. */
const UNITS: Record<string, Bilingual> = {
  Mm: { zh: '毫米', en: 'mm' },
  Cm: { zh: '厘米', en: 'cm' },
  M: { zh: '米', en: 'm' },
  Km: { zh: '千米', en: 'km' },
  Kg: { zh: '千克', en: 'kg' },
  Tonnes: { zh: '吨', en: 't' },
  Kw: { zh: '千瓦', en: 'kW' },
  Kwh: { zh: '千瓦时', en: 'kWh' },
  Yuan: { zh: '元', en: 'yuan' },
  Percent: { zh: '%', en: '%' },
  Days: { zh: '天', en: 'days' },
  Months: { zh: '月', en: 'months' },
  Years: { zh: '年', en: 'years' },
};
// The unit is the last capitalised word of a camelCase name with at least one word before it (`massKg`, not `Kg`).
const UNIT_SUFFIX = new RegExp(`^[a-z][A-Za-z0-9]*?[a-z0-9](${Object.keys(UNITS).sort((a, b) => b.length - a.length).join('|')})$`);

/** The unit a field name carries (`loadedLengthMm` -> mm), or null. */
export function unitOfKey(key: string): Bilingual | null {
  const m = UNIT_SUFFIX.exec(key);
  return m ? (UNITS[m[1]!] ?? null) : null;
}

/** A key shown as words when no schema names it: `grossMassKg` -> "Gross mass (kg)", `driverIdCard` -> "Driver id card". */
export function keyAsWords(key: string, lang: Lang = 'en'): string {
  const unit = unitOfKey(key);
  const m = unit ? UNIT_SUFFIX.exec(key) : null;
  const base = m ? key.slice(0, key.length - m[1]!.length) : key;
  const words = base.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return unit ? withUnit(text, unit, lang) : text;
}

function withUnit(title: string, unit: Bilingual, lang: Lang): string {
  return lang === 'zh' ? `${title}（${unit.zh}）` : `${title} (${unit.en})`;
}

/** Whether a title already names the unit (in brackets or as a word), so it is not added twice. */
function mentionsUnit(title: string, unit: Bilingual, lang: Lang): boolean {
  const u = lang === 'zh' ? unit.zh : unit.en;
  if (lang === 'zh') return title.includes(u);
  return new RegExp(`(^|[^A-Za-z])${u.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z]|$)`, 'i').test(title);
}

/** One JSON pointer segment, unescaped (RFC 6901: ~1 is /, ~0 is ~), and percent-decoded as URI fragments are. */
const unescapeSegment = (s: string) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');

export class FormSchema {
  readonly root: SchemaNode;

  constructor(root: unknown) {
    this.root = isObject(root) ? root : {};
  }

  /** The node a local `$ref` points to (`#`, `#/$defs/x`, `#/properties/a/items`), or undefined. */
  pointer(ref: string): SchemaNode | undefined {
    if (!ref.startsWith('#')) return undefined; // another document: not served with the form
    let node: unknown = this.root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const seg = unescapeSegment(raw);
      if (Array.isArray(node)) node = node[Number(seg)];
      else if (isObject(node)) node = node[seg];
      else return undefined;
    }
    return isObject(node) ? node : undefined;
  }

  /**
   * The node with its `$ref` chain merged in: the referring node's own keywords win (a field's `x-title` beside
   * `$ref: #/$defs/organisation` names that field, the definition names the type). Cycles stop.
   */
  resolve(node: unknown, seen: Set<string> = new Set()): SchemaNode | undefined {
    if (!isObject(node)) return undefined;
    const ref = node.$ref;
    if (typeof ref !== 'string' || seen.has(ref)) return node;
    seen.add(ref);
    const target = this.resolve(this.pointer(ref), seen);
    if (!target) return node;
    const { $ref: _ignored, ...own } = node;
    return { ...target, ...own };
  }

  /** The node and the members of its combinators and conditionals, resolved: where a field may be declared. */
  private branches(node: SchemaNode, depth = 0): SchemaNode[] {
    const out = [node];
    if (depth > 8) return out;
    for (const k of ['allOf', 'anyOf', 'oneOf']) {
      const members = node[k];
      if (Array.isArray(members)) for (const m of members) this.pushResolved(m, out, depth);
    }
    for (const k of ['if', 'then', 'else']) this.pushResolved(node[k], out, depth);
    return out;
  }

  private pushResolved(m: unknown, out: SchemaNode[], depth: number): void {
    const r = this.resolve(m);
    if (r) out.push(...this.branches(r, depth + 1));
  }

  /** The schema of a child of a value described by `node`: a property of an object, an element of an array. */
  child(node: SchemaNode | undefined, key: string | number): SchemaNode | undefined {
    if (!node) return undefined;
    const branches = this.branches(node);
    if (typeof key === 'number') {
      for (const b of branches) {
        const prefix = b.prefixItems;
        if (Array.isArray(prefix) && key < prefix.length) return this.resolve(prefix[key]);
      }
      for (const b of branches) if (isObject(b.items)) return this.resolve(b.items);
      return undefined;
    }
    for (const b of branches) if (isObject(b.properties) && isObject(b.properties[key])) return this.resolve(b.properties[key]);
    for (const b of branches) {
      if (!isObject(b.patternProperties)) continue;
      for (const [pattern, s] of Object.entries(b.patternProperties)) {
        try {
          if (new RegExp(pattern, 'u').test(key)) return this.resolve(s);
        } catch {
          // A pattern this browser's RegExp cannot read names no field here.
        }
      }
    }
    for (const b of branches) if (isObject(b.additionalProperties)) return this.resolve(b.additionalProperties);
    return undefined;
  }

  /** The node of a path from the form's root (`['vehicles', 0, 'plate']`, or `'route.travelFrom'`). */
  at(path: readonly (string | number)[] | string): SchemaNode | undefined {
    const segments = typeof path === 'string' ? (path === '' ? [] : path.split('.')) : path;
    let node = this.resolve(this.root);
    for (const seg of segments) {
      // A numeric segment of a dotted path is an index when the node describes an array.
      const key = typeof seg === 'string' && /^\d+$/.test(seg) && node && this.isArray(node) ? Number(seg) : seg;
      node = this.child(node, key);
      if (!node) return undefined;
    }
    return node;
  }

  private isArray(node: SchemaNode): boolean {
    return this.branches(node).some((b) => b.type === 'array' || 'items' in b || 'prefixItems' in b);
  }

  /** The declared property names of an object node, in the schema's order (members of allOf etc. after its own). */
  order(node: SchemaNode | undefined): string[] {
    if (!node) return [];
    const out: string[] = [];
    for (const b of this.branches(node)) if (isObject(b.properties)) for (const k of Object.keys(b.properties)) if (!out.includes(k)) out.push(k);
    return out;
  }

  /** A node's own bilingual title: `x-title`, else a plain `title` in both languages. */
  static title(node: SchemaNode | undefined): Bilingual | undefined {
    if (!node) return undefined;
    if (isBilingual(node['x-title'])) return node['x-title'];
    return typeof node.title === 'string' ? { zh: node.title, en: node.title } : undefined;
  }

  /**
   * The label of a field: its schema title (with the unit of its name added when the title does not say it), else
   * the key split into words. Array elements have no name of their own: `key` is the array's.
   */
  label(node: SchemaNode | undefined, key: string, lang: Lang): string {
    const title = FormSchema.title(node);
    if (!title) return keyAsWords(key, lang);
    const text = title[lang] || title.zh || title.en;
    const unit = unitOfKey(key);
    return unit && !mentionsUnit(text, unit, lang) ? withUnit(text, unit, lang) : text;
  }

  /** The format a value's node declares (`date`, `date-time`, `id-card`, `plate`, `credit-code`, ...), through combinators. */
  format(node: SchemaNode | undefined): string | undefined {
    if (!node) return undefined;
    for (const b of this.branches(node)) if (typeof b.format === 'string') return b.format;
    return undefined;
  }

  /** The title of an enumerated value: `x-enumTitles[value]`, or the `x-title`/`title` of a `oneOf`/`anyOf` `const`. */
  enumTitle(node: SchemaNode | undefined, value: Json): Bilingual | undefined {
    if (!node) return undefined;
    for (const b of this.branches(node)) {
      const titles = b['x-enumTitles'];
      if (isObject(titles) && (typeof value === 'string' || typeof value === 'number')) {
        const t = titles[String(value)];
        if (isBilingual(t)) return t;
      }
      if ('const' in b && b.const === value && b !== node) {
        const t = FormSchema.title(b);
        if (t) return t;
      }
    }
    return undefined;
  }
}

export interface FieldRow {
  key: string;
  label: string;
  node: SchemaNode | undefined;
  value: Json;
}

/**
 * An object's fields as rows to show: the schema's declared fields first in its order, then keys it does not know in
 * their stored order (nothing the API sent is hidden), each with its label and node.
 */
export function fieldRows(schema: FormSchema, node: SchemaNode | undefined, value: { [key: string]: Json }, lang: Lang, exclude: readonly string[] = []): FieldRow[] {
  const declared = schema.order(node);
  const keys = Object.keys(value).filter((k) => !exclude.includes(k));
  const rank = (k: string) => {
    const i = declared.indexOf(k);
    return i < 0 ? declared.length : i;
  };
  return keys
    .map((k, i) => ({ k, i }))
    .sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i)
    .map(({ k }) => {
      const child = schema.child(node, k);
      return { key: k, label: schema.label(child, k, lang), node: child, value: value[k] as Json };
    });
}

/**
 * A certificate's signed field as a path of the form: a per-vehicle certificate names `vehicle.x` for the `x` of each
 * of a form's `vehicles` (domain/forms.ts vehiclesOf; the catalogue checks the fields the same way).
 */
export function signedFieldPath(schema: FormSchema, path: string): string[] {
  const segments = path.split('.');
  if (segments[0] === 'vehicle' && !schema.at(segments) && schema.at(['vehicles', 0, ...segments.slice(1)])) return ['vehicles', '0', ...segments.slice(1)];
  return segments;
}

/**
 * The label of a dotted path (a certificate's signed field, `vehicle.plate`): the leaf's title, preceded by its
 * parent's when the leaf's alone would be ambiguous (`applicant.name` -> 申请人 名称 rather than 名称). Titles that
 * already contain the parent's (线路名称 under 线路) stand alone. A path the schema does not know shows as its last key in words.
 */
export function pathLabel(schema: FormSchema, path: string, lang: Lang): string {
  const segments = signedFieldPath(schema, path);
  const leafKey = segments[segments.length - 1] ?? path;
  const leaf = schema.at(segments);
  const leafText = schema.label(leaf, leafKey, lang);
  if (segments.length < 2) return leafText;
  // The nearest named ancestor (array indices have no title of their own).
  for (let i = segments.length - 1; i > 0; i--) {
    const parentKey = segments[i - 1]!;
    if (/^\d+$/.test(parentKey)) continue;
    const parent = FormSchema.title(schema.at(segments.slice(0, i)));
    if (!parent) return leafText;
    // A parent title's bracketed note (申请人（学校）) is not repeated in a compound label.
    const p = (parent[lang] || parent.zh).replace(/\s*[（(].*?[)）]\s*$/, '');
    if (leafText.toLowerCase().includes(p.toLowerCase())) return leafText;
    return lang === 'zh' ? `${p}${leafText}` : `${p}: ${leafText.charAt(0).toLowerCase()}${leafText.slice(1)}`;
  }
  return leafText;
}

/**
 * Orders dotted paths (a certificate's signed fields, which arrive in canonical JSON's sorted order) as the form declares
 * them: field by field along the path, in the schema's property order; paths it does not know after, as they came.
 */
export function byFormOrder(schema: FormSchema): (a: string, b: string) => number {
  const rank = (path: string): number[] => {
    const out: number[] = [];
    let node = schema.at([]);
    for (const seg of signedFieldPath(schema, path)) {
      const order = schema.order(node);
      const i = order.indexOf(seg);
      if (i < 0 && /^\d+$/.test(seg)) {
        out.push(Number(seg));
        node = schema.child(node, Number(seg));
        continue;
      }
      out.push(i < 0 ? Number.MAX_SAFE_INTEGER : i);
      if (i < 0) break;
      node = schema.child(node, seg);
    }
    return out;
  };
  return (a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < Math.min(ra.length, rb.length); i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return ra.length - rb.length;
  };
}
