/**
 * Electronic certificates. The body carries the exact signed payload string and the base64 Ed25519 signature, so
 * anyone can verify a certificate offline with the public key served here.
 */
import { z } from '../schemas/zod';
import { shanghaiDate } from '../../domain/calendar';
import { verifyCertificateSignature } from '../../infra/signing/certificate-signer';
import type { ApiDeps } from '../context';
import { ApiError, notFound } from '../http/errors';
import { json, type RouteTable } from '../http/route';

interface CertRow {
  no: string;
  case_no: string;
  type: string;
  subject_key: string;
  holder_key: string;
  holder_name: string;
  authority: string;
  fields: Record<string, unknown>;
  valid_from: string;
  valid_until: string;
  issued_at: Date;
  payload: string;
  signature: string;
  key_id: string;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

const noParam = z.object({ no: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) });
const SELECT = `select no, case_no, type, subject_key, holder_key, holder_name, authority, fields, to_char(valid_from, 'YYYY-MM-DD') as valid_from,
  to_char(valid_until, 'YYYY-MM-DD') as valid_until, issued_at, payload, signature, key_id, revoked_at, revoked_reason from certificate where no = ?`;

export function certificateRoutes(t: RouteTable, deps: ApiDeps): void {
  const conn = () => deps.orm.em.fork().getConnection();
  const load = async (no: string) => (await conn().execute<CertRow[]>(SELECT, [no]))[0];

  t.add({
    method: 'get',
    path: '/certificates/public-key',
    summary: 'The Ed25519 public key (PEM) that verifies certificate signatures: the current one, or `?keyId=` for the key a certificate names',
    tags: ['public'],
    access: 'public',
    query: z.object({ keyId: z.string().max(64).optional() }),
    responses: { 200: { description: 'PEM', content: { 'application/x-pem-file': { schema: z.string() } } }, 404: json(z.object({}), 'Unknown key id') },
    handler: async ({ query }) => {
      const pem = query.keyId ? deps.publicKeys.get(query.keyId) : deps.publicKeys.currentPem;
      if (!pem) throw notFound(`public key ${query.keyId}`);
      return { status: 200, text: { contentType: 'application/x-pem-file', content: pem }, headers: { 'X-Key-Id': query.keyId ?? deps.publicKeys.currentKeyId } };
    },
  });

  t.add({
    method: 'get',
    path: '/certificates/:no/verify',
    summary: 'Public verification: valid | revoked | expired | unknown, and whether the signature checks',
    tags: ['public'],
    access: 'public',
    params: noParam,
    responses: { 200: json(z.object({ no: z.string(), status: z.enum(['valid', 'revoked', 'expired', 'unknown']), signatureValid: z.boolean().nullable() }), 'Verification result') },
    handler: async ({ params }) => {
      const c = await load(params.no);
      if (!c) return { status: 200, body: { no: params.no, status: 'unknown', signatureValid: null } };
      const key = deps.publicKeys.get(c.key_id);
      const signatureValid = key ? verifyCertificateSignature(c.payload, c.signature, key) : false;
      const status = c.revoked_at ? 'revoked' : c.valid_until < shanghaiDate(Date.now()) ? 'expired' : 'valid';
      return {
        status: 200,
        body: { no: c.no, status, signatureValid, keyId: c.key_id, type: c.type, holder: c.holder_name, authority: c.authority, validUntil: c.valid_until },
      };
    },
  });

  t.add({
    method: 'get',
    path: '/certificates/:no',
    summary: 'A certificate with its signed payload string and base64 signature',
    tags: ['certificates'],
    access: ['portal', 'reviewer', 'ops'],
    params: noParam,
    responses: { 200: json(z.object({ no: z.string(), payload: z.string(), signature: z.string() }).loose(), 'The certificate'), 404: json(z.object({}), 'Unknown') },
    handler: async ({ params }) => {
      const c = await load(params.no);
      if (!c) throw notFound(`certificate ${params.no}`);
      return {
        status: 200,
        body: {
          no: c.no,
          caseNo: c.case_no,
          type: c.type,
          subject: c.subject_key,
          holder: { key: c.holder_key, name: c.holder_name },
          authority: c.authority,
          fields: c.fields,
          validFrom: c.valid_from,
          validUntil: c.valid_until,
          revoked: c.revoked_at !== null,
          revokedReason: c.revoked_reason,
          keyId: c.key_id,
          payload: c.payload,
          signature: c.signature,
          signatureAlgorithm: 'Ed25519',
        },
      };
    },
  });

  t.add({
    method: 'post',
    path: '/certificates/:no/revoke',
    summary: 'Revoke a certificate (ops); verification then answers `revoked`',
    tags: ['ops'],
    access: ['ops'],
    params: noParam,
    body: z.object({ reason: z.string().trim().min(1).max(500) }),
    responses: { 200: json(z.object({ no: z.string(), revoked: z.boolean() }), 'Revoked'), 404: json(z.object({}), 'Unknown'), 409: json(z.object({}), 'Already revoked') },
    handler: async ({ params, body }) => {
      const updated = await conn().execute<{ no: string }[]>(
        'update certificate set revoked_at = now(), revoked_reason = ? where no = ? and revoked_at is null returning no',
        [body.reason, params.no],
      );
      if (updated.length === 0) {
        if (!(await load(params.no))) throw notFound(`certificate ${params.no}`);
        throw new ApiError('conflict', `certificate ${params.no} is already revoked`);
      }
      return { status: 200, body: { no: params.no, revoked: true, reason: body.reason } };
    },
  });
}
