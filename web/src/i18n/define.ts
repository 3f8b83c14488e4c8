/**
 * A small typed dictionary instead of an i18n framework: two languages, plain strings with `{name}` placeholders.
 * Each area of the app keeps its own messages file (common, workbench, …) made with `defineMessages`; TypeScript
 * refuses an English table that misses or adds a key.
 */
export type Lang = 'zh' | 'en';

export function defineMessages<K extends string>(zh: Record<K, string>, en: NoInfer<Record<K, string>>): Record<Lang, Record<K, string>> {
  return { zh, en };
}
