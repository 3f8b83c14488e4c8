/**
 * Registers the platform's custom search attributes on a namespace. The dev server gets them as `--search-attribute`
 * flags; other servers (the time-skipping test server, a self-hosted cluster) through the operator API.
 * Temporal Cloud namespaces register them in the Cloud UI or with tcld instead.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../workflows/definitions';

const T = temporal.api.enums.v1.IndexedValueType;
const TYPES = {
  Keyword: T.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: T.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  Datetime: T.INDEXED_VALUE_TYPE_DATETIME,
  Bool: T.INDEXED_VALUE_TYPE_BOOL,
} as const;

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  let known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (err) {
    // The time-skipping test server implements add but not list (gRPC 12 UNIMPLEMENTED): add them all.
    if ((err as { code?: number }).code !== 12) throw err;
  }
  const missing = SEARCH_ATTRIBUTES.filter((sa) => !known.has(sa.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((sa) => [sa.name, TYPES[sa.type]])),
  });
  return missing.map((sa) => sa.name);
}
