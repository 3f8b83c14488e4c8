/**
 * Temporal's remote codec protocol, so that ops read decoded payloads in the Temporal UI (and `temporal workflow show
 * --codec-endpoint`): `POST <endpoint>/decode` and `<endpoint>/encode`, body and answer `{ payloads: [...] }` in the
 * protobuf JSON form (metadata values and data in base64), the form the UI sends.
 *
 * - `POST /api/v1/codec/{decode,encode}`: an ops Bearer token. The UI sends the signed-in user's access token when it
 *   is configured with `codec.passAccessToken` (and only to an https endpoint).
 * - `POST /api/v1/codec/dev/<secret>/{decode,encode}`: development only. The dev server's UI has no login and cannot
 *   send a token, so `npm start` makes a random secret per start, gives it to the API (PAYLOAD_CODEC_DEV_SECRET) and
 *   to the UI (`--ui-codec-endpoint`). api/main.ts enables it only outside production with the API on loopback; a
 *   wrong secret is a 404, like a path that does not exist.
 *
 * CORS lets the UI's origin (PAYLOAD_CODEC_UI_ORIGINS) call it, including the preflight with `X-Namespace` and
 * `Authorization`. Payload contents are never logged: errors name key ids and payload positions only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import cors from 'cors';
import express, { type Request, type Response, type Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { PayloadCodecError } from '../../infra/temporal/codec';
import { authorize, type AuthConfig } from '../http/auth';
import { ApiError, fromZod } from '../http/errors';
import { z } from '../schemas/zod';

/** Mounted under the API's base path: `/api/v1/codec`. */
export const CODEC_PATH = '/codec';

export interface CodecEndpointConfig {
  codec: PayloadCodec;
  /** Origins of the Temporal UI allowed to call from a browser. */
  uiOrigins: string[];
  /** The development capability secret; set only outside production with the API on loopback (api/main.ts). */
  devSecret?: string;
}

// Protobuf JSON writes bytes as base64 (standard or URL-safe alphabet).
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
// Protobuf JSON omits an empty repeated field: the CLI sends `{}` for a query without arguments, which means no payloads.
// Anything else than `payloads` is still refused (strict), so a body that is not a payload list is a 400.
const payloadsBody = z
  .object({
    payloads: z
      .array(z.object({ metadata: z.record(z.string().max(256), base64).optional(), data: base64.optional() }))
      .max(1000)
      .default([]),
  })
  .strict();

const fromJson = (p: z.infer<typeof payloadsBody>['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The codec router; empty (every path a 404) when the API was built without a codec. */
export function codecRoutes(deps: { auth: AuthConfig; payloadCodec?: CodecEndpointConfig }): Router {
  const router = express.Router();
  const cfg = deps.payloadCodec;
  if (!cfg) return router;

  router.use(
    cors({
      origin: cfg.uiOrigins,
      methods: ['POST'],
      allowedHeaders: ['Content-Type', 'X-Namespace', 'Authorization', 'Authorization-Extras'],
      credentials: true, // the UI's codec.includeCredentials
      maxAge: 600,
    }),
  );

  const apply = (op: 'encode' | 'decode') => async (req: Request, res: Response) => {
    const parsed = payloadsBody.safeParse(req.body);
    if (!parsed.success) throw fromZod(parsed.error, 'body');
    let out: Payload[];
    try {
      out = await cfg.codec[op](parsed.data.payloads.map(fromJson));
    } catch (err) {
      if (err instanceof PayloadCodecError) throw new ApiError('business_rule', `the payloads cannot be ${op}d: ${err.message}`);
      throw err;
    }
    res.json({ payloads: out.map(toJson) });
  };

  const opsOnly = async (req: Request, _res: Response, next: () => void) => {
    await authorize(req, ['ops'], deps.auth);
    next();
  };
  router.post('/decode', opsOnly, apply('decode'));
  router.post('/encode', opsOnly, apply('encode'));

  if (cfg.devSecret) {
    const expected = digest(cfg.devSecret);
    const capability = (req: Request, _res: Response, next: () => void) => {
      // Compared as digests in constant time; a miss looks like any unknown path (and does not echo the secret).
      if (!timingSafeEqual(digest(String(req.params.secret)), expected)) throw new ApiError('not_found', `no route ${req.method} ${req.baseUrl}/dev/…`);
      next();
    };
    router.post('/dev/:secret/decode', capability, apply('decode'));
    router.post('/dev/:secret/encode', capability, apply('encode'));
  }
  return router;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * The endpoint's settings from configuration. The development secret is refused in production (the process must not
 * start with it) and ignored, with a warning, when the API listens beyond loopback.
 */
export function codecEndpointConfig(
  codec: PayloadCodec,
  cfg: { uiOrigins: string[]; devSecret?: string },
  env: { production: boolean; apiHost: string; warn: (line: string) => void },
): CodecEndpointConfig {
  if (cfg.devSecret && env.production) throw new Error('PAYLOAD_CODEC_DEV_SECRET is for development only: unset it when NODE_ENV=production');
  if (cfg.devSecret && !LOOPBACK.has(env.apiHost)) {
    env.warn(`the development codec endpoint is off: API_HOST ${env.apiHost} is not loopback (PAYLOAD_CODEC_DEV_SECRET ignored)`);
    return { codec, uiOrigins: cfg.uiOrigins };
  }
  return { codec, uiOrigins: cfg.uiOrigins, ...(cfg.devSecret ? { devSecret: cfg.devSecret } : {}) };
}
