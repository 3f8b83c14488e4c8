/**
 * Abuse limits and security headers, in front of every route.
 *
 * Two fixed-window limits per minute (express-rate-limit, in memory per API process): one per client address, one per
 * bearer token. The address limit holds off floods with or without a token; the token limit holds one leaked or
 * misbehaving client to its share whatever addresses it comes from. Over a limit: 429 with Retry-After and the API's
 * error body. Behind the gateway, set API_TRUST_PROXY_HOPS so the address is the client's, not the gateway's.
 *
 * Headers: helmet's defaults (HSTS, nosniff, frame denial, referrer policy, cross-origin policies) with a Content
 * Security Policy that the API's only HTML page, /docs (swagger-ui served from /docs/assets, its start script from
 * /docs/init.js), works under: scripts from this origin only, no inline script.
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import helmet from 'helmet';

export interface RateLimitOptions {
  /** Requests per minute per client address; 0 turns the limit off. */
  perIpPerMinute: number;
  /** Requests per minute per bearer token; 0 turns the limit off. */
  perTokenPerMinute: number;
}

/** Probes of the orchestrator are never limited: a throttled readiness probe would take the pod out of service. */
const UNLIMITED = new Set(['/healthz', '/readyz']);

const tooMany: Options['handler'] = (req, res, _next, options) => {
  const info = (req as unknown as { rateLimit?: { resetTime?: Date } }).rateLimit;
  const seconds = info?.resetTime ? Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
  res.setHeader('Retry-After', String(seconds));
  res.status(429).json({ error: { code: 'rate_limited', message: `too many requests; retry in ${seconds} s` } });
};

function bearer(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') && header.length > 7 ? header.slice(7) : undefined;
}

export function rateLimiters(o: RateLimitOptions): RequestHandler[] {
  const common = {
    windowMs: 60_000,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    handler: tooMany,
  };
  const limiters: RequestHandler[] = [];
  if (o.perIpPerMinute > 0) {
    limiters.push(rateLimit({ ...common, limit: o.perIpPerMinute, skip: (req) => UNLIMITED.has(req.path) }));
  }
  if (o.perTokenPerMinute > 0) {
    limiters.push(
      rateLimit({
        ...common,
        limit: o.perTokenPerMinute,
        skip: (req) => UNLIMITED.has(req.path) || bearer(req.headers.authorization) === undefined,
        // A digest, not the token: the store never holds a usable credential. Unverified on purpose: counting
        // happens before the (costlier) signature check, and a forged token only spends its own budget.
        keyGenerator: (req) => `token:${createHash('sha256').update(bearer(req.headers.authorization)!).digest('base64url')}`,
      }),
    );
  }
  return limiters;
}

export function securityHeaders(o: { production: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        // swagger-ui sets style attributes on its elements.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'object-src': ["'none'"],
        // Only in production: in development the API is plain http on loopback.
        'upgrade-insecure-requests': o.production ? [] : null,
      },
    },
    frameguard: { action: 'deny' },
  });
}

/** Personal data and tokens must not sit in shared caches or the browser's. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
