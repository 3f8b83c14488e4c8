/**
 * Bearer JWT auth. `role` is portal | reviewer | ops; reviewers carry their `department`; `sub` is the person or
 * system. HS256 with JWT_SECRET (dev default) or RS256/EdDSA with JWT_PUBLIC_KEY_PATH.
 */
import type { Request } from 'express';
import jwt from 'jsonwebtoken';
import { z } from '../schemas/zod';
import { DEPARTMENTS, type Department } from '../../domain/types';
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
    department: z.enum(DEPARTMENTS).optional(),
    applicant: z.string().regex(/^[0-9A-Z]{18}$/).optional(),
  })
  .refine((c) => c.role !== 'reviewer' || c.department !== undefined, { message: 'reviewer tokens need a department' })
  .transform((c) => ({ ...c, ...(c.role === 'portal' ? { clientId: c.sub } : {}) }));

export interface AuthConfig {
  secret: string;
  issuer: string;
  publicKey?: string;
}

export function verifyToken(header: string | undefined, cfg: AuthConfig): Principal {
  if (!header?.startsWith('Bearer ')) throw new ApiError('unauthorized', 'a Bearer token is required');
  let claims: unknown;
  try {
    claims = cfg.publicKey
      ? jwt.verify(header.slice(7), cfg.publicKey, { algorithms: ['RS256', 'ES256', 'EdDSA' as jwt.Algorithm], issuer: cfg.issuer })
      : jwt.verify(header.slice(7), cfg.secret, { algorithms: ['HS256'], issuer: cfg.issuer });
  } catch {
    throw new ApiError('unauthorized', 'the token is invalid or expired');
  }
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) throw new ApiError('unauthorized', 'the token lacks a valid role, department or subject');
  return parsed.data;
}

export function signDevToken(p: Principal, cfg: AuthConfig, expiresIn: jwt.SignOptions['expiresIn'] = '12h'): string {
  return jwt.sign({ role: p.role, ...(p.department ? { department: p.department } : {}), ...(p.applicant ? { applicant: p.applicant } : {}) }, cfg.secret, {
    algorithm: 'HS256',
    subject: p.sub,
    issuer: cfg.issuer,
    expiresIn,
  });
}

export type Access = 'public' | Role[];

export function authorize(req: Request, access: Access, cfg: AuthConfig): Principal | undefined {
  if (access === 'public') return undefined;
  const principal = verifyToken(req.headers.authorization, cfg);
  if (!access.includes(principal.role)) throw new ApiError('forbidden', `this endpoint is for ${access.join(', ')}`);
  return principal;
}
