/**
 * Free-text hygiene shared by the API (request bodies) and the case workflow (signal payloads). Dependency-free: the
 * workflow sandbox imports it.
 *
 * Refused: NUL (PostgreSQL text and jsonb cannot hold it, so a write would fail on every retry), unpaired UTF-16
 * surrogates (not valid Unicode: they cannot be encoded as UTF-8) and the other C0 control characters, which no person
 * types and which break logs and terminals. Allowed: tab, newline, and carriage return (a browser textarea sends CRLF
 * line breaks; refusing them would turn ordinary multi-line comments into 400s).
 */

const ALLOWED_CONTROLS = new Set([0x09, 0x0a, 0x0d]);

/**
 * Why `s` cannot be accepted as free text, or `undefined` when it can. The reason names the kind of problem and its
 * position, never the text itself (which may be personal data).
 */
export function textProblem(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) {
      if (c === 0) return `contains a NUL character (position ${i})`;
      if (!ALLOWED_CONTROLS.has(c)) return `contains the control character U+${hex(c)} (position ${i})`;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : -1;
      if (next < 0xdc00 || next > 0xdfff) return `contains an unpaired surrogate (position ${i})`;
      i += 1; // a valid pair: skip its low half
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return `contains an unpaired surrogate (position ${i})`;
    }
  }
  return undefined;
}

const hex = (c: number) => c.toString(16).toUpperCase().padStart(4, '0');
