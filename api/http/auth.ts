/**
 * Bearer JWT auth. `role` is portal | reviewer | ops; reviewers carry their `department`; `sub` is the person or
 * system. HS256 with JWT_SECRET (dev default) or, with JWT_PUBLIC_KEY_PATH, the identity provider's public key
 * (RS256, ES256 or EdDSA, chosen by the key's type: a key never verifies a token of another algorithm).
 *
 * Every token must name this API as its audience (`aud`), carry `iat` and `exp`, and live no longer than the
 * configured maximum (exp - iat): a leaked token is useful for hours, not for ever.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { Request } from 'express';
import { jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { z } from '../schemas/zod';
import { DEPARTMENT_CODE_PATTERN, type Department } from '../../domain/types';
import { ApiError } from './errors';

export const ROLES = ['portal', 'reviewer', 'ops'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  sub: string;
  role: Role;
  department?: Department;
  /** Portal tokens: the portal client (its registered id). Equal to `sub`: the portal system is the caller. */
  clientId?: string;
  /**
   * Portal tokens: the applicant the city's identity system authenticated for this request (a unified social credit
   * code or a resident ID number). Personal data is returned unmasked only to this data subject.
   */
  applicant?: string;
}

const claimsSchema = z
  .object({
    sub: z.string().min(1).max(128),
    role: z.enum(ROLES),
    // The shape only: the departments are the city's data, and a reviewer sees the tasks of the department named.
    department: z.string().regex(DEPARTMENT_CODE_PATTERN).optional(),
    applicant: z.string().regex(/^[0-9A-Z]{18}$/).optional(),
  })
  .refine((c) => c.role !== 'reviewer' || c.department !== undefined, { message: 'reviewer tokens need a department' })
  .transform((c) => ({ ...c, ...(c.role === 'portal' ? { clientId: c.sub } : {}) }));

export const DEFAULT_AUDIENCE = 'onestop-api';
export const DEFAULT_MAX_AGE_SECONDS = 12 * 3600;

export interface AuthConfig {
  secret: string;
  issuer: string;
  /** Expected `aud` (JWT_AUDIENCE); default `onestop-api`. */
  audience?: string;
  /** Longest accepted token life, exp - iat, in seconds (JWT_MAX_AGE); default 12 h. */
  maxAgeSeconds?: number;
  /** PEM (SPKI) public key: when set, only tokens signed with its private key are accepted. */
  publicKey?: string;
}

/** The algorithm a public key verifies: fixed by the key, never taken from the token's header. */
function algorithmFor(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'ec':
      if (key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
      break;
    case 'ed25519':
      return 'EdDSA';
  }
  throw new Error(`JWT_PUBLIC_KEY_PATH holds a key this API cannot verify with (${key.asymmetricKeyType ?? 'unknown'}); use RSA, EC P-256 or Ed25519`);
}

interface VerificationKey {
  key: KeyObject;
  algorithms: string[];
}

// Keys are parsed once per config value, not per request.
const keyCache = new Map<string, VerificationKey>();
function verificationKey(cfg: AuthConfig): VerificationKey {
  const cacheKey = cfg.publicKey ? `pk:${cfg.publicKey}` : `hs:${cfg.secret}`;
  let k = keyCache.get(cacheKey);
  if (!k) {
    if (cfg.publicKey) {
      const key = createPublicKey(cfg.publicKey);
      k = { key, algorithms: [algorithmFor(key)] };
    } else {
      k = { key: createSecretKey(Buffer.from(cfg.secret, 'utf8')), algorithms: ['HS256'] };
    }
    keyCache.set(cacheKey, k);
  }
  return k;
}

/** Fails at start-up (not on the first request) when JWT_PUBLIC_KEY_PATH holds an unusable key. */
export function checkAuthConfig(cfg: AuthConfig): void {
  verificationKey(cfg);
}

export async function verifyToken(header: string | undefined, cfg: AuthConfig): Promise<Principal> {
  if (!header?.startsWith('Bearer ')) throw new ApiError('unauthorized', 'a Bearer token is required');
  const { key, algorithms } = verificationKey(cfg);
  const maxAge = cfg.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  let claims: Record<string, unknown>;
  try {
    const verified = await jwtVerify(header.slice(7), key, {
      algorithms,
      issuer: cfg.issuer,
      audience: cfg.audience ?? DEFAULT_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'aud', 'sub'],
      // A token dated in the future by more than a clock skew is as suspicious as an old one.
      clockTolerance: 30,
      maxTokenAge: maxAge,
    });
    claims = verified.payload as Record<string, unknown>;
  } catch {
    throw new ApiError('unauthorized', 'the token is invalid, expired, or not issued for this API');
  }
  // maxTokenAge bounds how long ago it was issued; this bounds how long it was issued for.
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp - claims.iat > maxAge) {
    throw new ApiError('unauthorized', `the token lives longer than the allowed ${maxAge} s`);
  }
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) throw new ApiError('unauthorized', 'the token lacks a valid role, department or subject');
  return parsed.data;
}

/**
 * A dev/test token (HS256 with the shared secret), for `npm run token`, tests and the benchmark. Synchronous on
 * purpose (jsonwebtoken): tests and drills mint tokens inline; jose's signing is async. Verification is jose's.
 */
export function signDevToken(p: Principal, cfg: AuthConfig, expiresIn: jwt.SignOptions['expiresIn'] = '12h'): string {
  return jwt.sign(
    { role: p.role, ...(p.department ? { department: p.department } : {}), ...(p.applicant ? { applicant: p.applicant } : {}) },
    cfg.secret,
    { algorithm: 'HS256', subject: p.sub, issuer: cfg.issuer, audience: cfg.audience ?? DEFAULT_AUDIENCE, expiresIn },
  );
}

export type Access = 'public' | Role[];

export async function authorize(req: Request, access: Access, cfg: AuthConfig): Promise<Principal | undefined> {
  if (access === 'public') return undefined;
  const principal = await verifyToken(req.headers.authorization, cfg);
  if (!access.includes(principal.role)) throw new ApiError('forbidden', `this endpoint is for ${access.join(', ')}`);
  return principal;
}
