/**
 * The certificate signature algorithms, by name (no crypto here: infra/config.ts reads SIGNING_ALGORITHM with it).
 * `SM2-SM3`: SM2 over SM3 with the default identifier (infra/signing/sm2.ts); `Ed25519`: RFC 8032.
 */
export const SIGNATURE_ALGORITHMS = ['SM2-SM3', 'Ed25519'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/** `SIGNING_ALGORITHM`: `SM2` (default; `SM2-SM3` too) or `Ed25519`, any case. Throws one line naming the variable. */
export function parseSigningAlgorithm(raw: string | undefined): SignatureAlgorithm {
  const v = (raw ?? '').trim().toUpperCase();
  if (v === '' || v === 'SM2' || v === 'SM2-SM3') return 'SM2-SM3';
  if (v === 'ED25519') return 'Ed25519';
  throw new Error(`SIGNING_ALGORITHM must be SM2 or Ed25519, got "${raw}"`);
}
