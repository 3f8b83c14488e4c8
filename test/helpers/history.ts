/** Reading a workflow history as Temporal stores it: every string and every payload, whatever field holds them. */
import type { Payload } from '@temporalio/common';

/** Every string and every byte field (as UTF-8) of a history: where clear text would be, whatever field holds it. */
export function textOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) textOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) textOf(v, out);
  return out;
}

/** Every payload in a history (objects with byte-valued metadata and data). */
export function payloadsOf(value: unknown, out: Payload[] = []): Payload[] {
  if (Array.isArray(value)) for (const v of value) payloadsOf(v, out);
  else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const o = value as Payload;
    if (o.metadata && o.metadata.encoding instanceof Uint8Array) out.push(o);
    else for (const v of Object.values(value)) payloadsOf(v, out);
  }
  return out;
}
