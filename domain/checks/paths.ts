/**
 * Form paths: how a configured check names the values it reads in the submitted form, so that a check type serves any
 * form. `applicant.creditCode` is one value; `drivers[*].idCard` is each driver's; `vehicles[0].plate` the first
 * vehicle's. A path with `[*]` gives one value per entry (at most one `[*]` per path).
 *
 * The object that holds the addressed value is its *entry* (`{ idCard, name }` for `drivers[*].idCard`): a check's
 * title names the entry's fields (`driver {name}`), so a report says whom or what a finding is about.
 *
 * Pure and dependency-free.
 */

export type PathSegment = { key: string } | { index: number } | { each: true };

const SEGMENT = /^([A-Za-z_$][A-Za-z0-9_$]*)((?:\[(?:\*|\d+)\])*)$/;

/** The segments of a path, or a message saying what is wrong with it. */
export function parseFormPath(path: string): PathSegment[] | { problem: string } {
  if (typeof path !== 'string' || path.trim() === '') return { problem: 'a form path must be a non-empty text such as drivers[*].idCard' };
  const segments: PathSegment[] = [];
  for (const part of path.split('.')) {
    const m = SEGMENT.exec(part);
    if (!m) return { problem: `'${path}' is not a form path (names joined by '.', with [*] or [n] after a list, e.g. drivers[*].idCard)` };
    segments.push({ key: m[1]! });
    for (const [, inner] of m[2]!.matchAll(/\[(\*|\d+)\]/g)) segments.push(inner === '*' ? { each: true } : { index: Number(inner) });
  }
  if (segments.filter((s) => 'each' in s).length > 1) return { problem: `'${path}' has more than one [*]: a check reads one list at a time` };
  return segments;
}

/** Whether a path gives one value per list entry. */
export function isListPath(path: string): boolean {
  return path.includes('[*]');
}

/** One value the path reaches, with the object that holds it and its position in the list (0 for a single value). */
export interface Addressed {
  value: unknown;
  entry: Record<string, unknown>;
  index: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The values `path` reaches in `form`: none when a part is missing (a form without the optional list), one for a plain
 * path, one per entry for `[*]`. Throws on a path that does not parse (the catalogue refuses those at load).
 */
export function resolveFormPath(form: unknown, path: string): Addressed[] {
  const segments = parseFormPath(path);
  if ('problem' in segments) throw new RangeError(segments.problem);
  let current: { node: unknown; holder: Record<string, unknown>; index: number }[] = [{ node: form, holder: isRecord(form) ? form : {}, index: 0 }];
  for (const seg of segments) {
    const next: typeof current = [];
    for (const c of current) {
      if ('key' in seg) {
        if (isRecord(c.node) && seg.key in c.node) next.push({ node: c.node[seg.key], holder: c.node, index: c.index });
      } else if (Array.isArray(c.node)) {
        if ('index' in seg) {
          if (seg.index < c.node.length) next.push({ node: c.node[seg.index], holder: c.holder, index: c.index });
        } else {
          c.node.forEach((node, index) => next.push({ node, holder: c.holder, index }));
        }
      }
    }
    current = next;
  }
  return current.map((c) => ({ value: c.node, entry: c.holder, index: c.index }));
}

/** The text values a path reaches (plates, ID numbers, credit codes); other values are left out. */
export function textsAt(form: unknown, path: string): string[] {
  return resolveFormPath(form, path)
    .map((a) => a.value)
    .filter((v): v is string => typeof v === 'string');
}

/** The last key of a path (`idCard` of `drivers[*].idCard`): the field of the entry that holds the value. */
export function lastKey(path: string): string | undefined {
  const segments = parseFormPath(path);
  if ('problem' in segments) return undefined;
  const keys = segments.filter((s): s is { key: string } => 'key' in s);
  return keys[keys.length - 1]?.key;
}

/** A schema node with its local `$ref` (`#/$defs/name`) resolved against `root`, the node's own keys winning. */
function deref(root: unknown, node: unknown): unknown {
  if (!isRecord(node) || typeof node.$ref !== 'string' || !node.$ref.startsWith('#/$defs/') || !isRecord(root)) return node;
  const defs = root.$defs;
  const target = isRecord(defs) ? defs[node.$ref.slice('#/$defs/'.length)] : undefined;
  if (!isRecord(target)) return node;
  const { $ref: _ref, ...own } = node;
  return { ...(deref(root, target) as Record<string, unknown>), ...own };
}

/**
 * Walks a path through the form's JSON Schema (`properties`, `items`, local `$ref`s). Returns the node the path ends
 * at and the object schema holding its last key, or a problem; `undefined` when the schema says too little to tell.
 */
export function schemaAtPath(path: string, schema: unknown): { node: unknown; holder: Record<string, unknown> } | { problem: string } | undefined {
  const segments = parseFormPath(path);
  if ('problem' in segments) return { problem: segments.problem };
  let node: unknown = deref(schema, schema);
  let holder: Record<string, unknown> = isRecord(node) ? node : {};
  const walked: string[] = [];
  for (const seg of segments) {
    if (!isRecord(node)) return undefined;
    if ('key' in seg) {
      const props = node.properties;
      if (!isRecord(props)) return undefined;
      if (!(seg.key in props)) return { problem: `'${path}': the form has no field ${[...walked, seg.key].join('.')}` };
      holder = node;
      node = deref(schema, props[seg.key]);
      walked.push(seg.key);
    } else {
      if (!('items' in node)) return { problem: `'${path}': ${walked.join('.')} is not a list in the form` };
      node = deref(schema, node.items);
      walked[walked.length - 1] += 'each' in seg ? '[*]' : `[${seg.index}]`;
    }
  }
  return { node, holder };
}

/** Problems of a path against the form's JSON Schema; empty when the schema allows it (or says too little to tell). */
export function pathProblemsInSchema(path: string, schema: unknown): string[] {
  const at = schemaAtPath(path, schema);
  return at && 'problem' in at ? [at.problem] : [];
}
