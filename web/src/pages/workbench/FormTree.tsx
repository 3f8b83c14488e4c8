/**
 * The submitted form, rendered from its JSON and its service's form schema whatever the service (web/src/form-schema.ts):
 * labels are the definition's bilingual titles in the schema's order, enumerated values their titles, booleans
 * yes/no, instants Beijing time, identifiers (the platform's formats) as written. Objects are labelled lists (nested
 * ones indented), lists of values joined, lists of objects numbered. A field the schema does not name shows as its
 * key in words; with no schema at all (the catalogue not loaded yet) every field does. What the API masked stays masked.
 */
import { formatInstant } from '../../format';
import { FormSchema, fieldRows, type SchemaNode } from '../../form-schema';
import { useI18n } from '../../i18n';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const IDENTIFIER_FORMATS = new Set(['id-card', 'credit-code', 'plate']);

function Scalar({ value, node, schema }: { value: string | number | boolean | null; node: SchemaNode | undefined; schema: FormSchema }) {
  const { t, lang } = useI18n();
  if (value === null) return <>—</>;
  const title = schema.enumTitle(node, value);
  if (title) return <>{title[lang] || title.zh}</>;
  if (typeof value === 'boolean') return <>{value ? t('yes') : t('no')}</>;
  if (typeof value === 'number') return <>{value.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en')}</>;
  const format = schema.format(node);
  if (format === 'date-time') return <>{formatInstant(value)}</>;
  // Identifiers are read character by character (and may be masked, 3708**********0031): figures of equal width.
  if (format && IDENTIFIER_FORMATS.has(format)) return <span className="form-identifier" data-format={format} style={{ fontVariantNumeric: 'tabular-nums', letterSpacing: '0.02em' }}>{value}</span>;
  return <>{value}</>;
}

function Value({ value, node, schema }: { value: Json; node: SchemaNode | undefined; schema: FormSchema }) {
  const { t, lang } = useI18n();
  if (value === null || typeof value !== 'object') return <Scalar value={value} node={node} schema={schema} />;
  if (Array.isArray(value)) {
    if (value.length === 0) return <>{t('none')}</>;
    const sep = lang === 'zh' ? '、' : ', ';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      return (
        <>
          {value.map((v, i) => (
            <span key={i}>
              {i > 0 && sep}
              <Scalar value={v as string | number | boolean | null} node={schema.child(node, i)} schema={schema} />
            </span>
          ))}
        </>
      );
    }
    return (
      <ol style={{ paddingLeft: 20, margin: 0 }}>
        {value.map((v, i) => (
          <li key={i}>
            <Value value={v} node={schema.child(node, i)} schema={schema} />
          </li>
        ))}
      </ol>
    );
  }
  return <Tree value={value} node={node} schema={schema} />;
}

/**
 * An object of the form as a labelled list. `schema`: the service's form schema (null while unknown); `node`: the
 * object's own node in it (the root when omitted).
 */
export function Tree({ value, exclude = [], schema, node }: { value: { [key: string]: Json }; exclude?: string[]; schema?: FormSchema | null; node?: SchemaNode }) {
  const { lang } = useI18n();
  const s = schema ?? EMPTY;
  const here = node ?? s.at([]);
  return (
    // fit-content(50%): a long label wraps at half the width instead of squeezing the value beside it (phone width).
    <dl className="kv-tree" style={{ margin: 0, display: 'grid', gridTemplateColumns: 'fit-content(50%) 1fr', gap: '4px 16px' }}>
      {fieldRows(s, here, value, lang, exclude).map((row) => {
        const nested = row.value !== null && typeof row.value === 'object' && !Array.isArray(row.value);
        return (
          <div key={row.key} style={{ display: 'contents' }}>
            <dt data-field={row.key} style={nested ? { gridColumn: '1 / -1', marginTop: 8 } : undefined}>
              {row.label}
            </dt>
            <dd style={{ margin: 0, gridColumn: nested ? '1 / -1' : undefined, paddingLeft: nested ? 16 : 0, borderLeft: nested ? '2px solid #f0f0f0' : undefined, overflowWrap: 'anywhere' }}>
              <Value value={row.value} node={row.node} schema={s} />
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

const EMPTY = new FormSchema({});

export type { Json };
