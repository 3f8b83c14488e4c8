/**
 * The submitted form, rendered from its JSON whatever the service: objects as labelled lists (nested ones indented),
 * lists of values joined, lists of objects numbered, yes/no for booleans. What the API masked stays masked.
 */
import { useI18n } from '../../i18n';
import { byFieldOrder, fieldLabel, fieldValue } from './form-labels';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function Value({ value }: { value: Json }) {
  const { t, lang } = useI18n();
  if (value === null) return <>—</>;
  if (typeof value === 'boolean') return <>{value ? t('yes') : t('no')}</>;
  if (typeof value === 'number') return <>{value.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en')}</>;
  if (typeof value === 'string') return <>{fieldValue(value, lang)}</>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <>{t('none')}</>;
    if (value.every((v) => v === null || typeof v !== 'object')) {
      return <>{value.map((v) => (typeof v === 'string' ? fieldValue(v, lang) : String(v))).join(lang === 'zh' ? '、' : ', ')}</>;
    }
    return (
      <ol style={{ paddingLeft: 20, margin: 0 }}>
        {value.map((v, i) => (
          <li key={i}>
            <Value value={v} />
          </li>
        ))}
      </ol>
    );
  }
  return <Tree value={value} />;
}

export function Tree({ value, exclude = [] }: { value: { [key: string]: Json }; exclude?: string[] }) {
  const { lang } = useI18n();
  const entries = Object.entries(value)
    .filter(([k]) => !exclude.includes(k))
    .sort(([a], [b]) => byFieldOrder(a, b));
  return (
    <dl className="kv-tree" style={{ margin: 0, display: 'grid', gridTemplateColumns: 'minmax(8em, max-content) 1fr', gap: '4px 16px' }}>
      {entries.map(([k, v]) => {
        const nested = v !== null && typeof v === 'object' && !Array.isArray(v);
        return (
          <div key={k} style={{ display: 'contents' }}>
            <dt style={nested ? { gridColumn: '1 / -1', marginTop: 8 } : undefined}>{fieldLabel(k, lang)}</dt>
            <dd style={{ margin: 0, gridColumn: nested ? '1 / -1' : undefined, paddingLeft: nested ? 16 : 0, borderLeft: nested ? '2px solid #f0f0f0' : undefined, overflowWrap: 'anywhere' }}>
              <Value value={v} />
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

export type { Json };
