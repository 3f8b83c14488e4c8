/**
 * Prints a dev token signed with the configured JWT_SECRET, for the configured audience (JWT_AUDIENCE), living
 * JWT_MAX_AGE (12 h) unless --expires asks for less (the API refuses tokens that live longer).
 *   npm run token -- --role portal
 *   npm run token -- --role reviewer --department education --sub edu-01
 *   npm run token -- --role ops
 *   npm run token -- --role portal --sub city-portal --applicant 91370800MA3C00010K   (the applicant the city's
 *     identity system authenticated: prefill and unmasked personal data are for that data subject only)
 */
import { parseArgs } from 'node:util';
import { signDevToken, ROLES, type Role } from '../api/http/auth';
import type { Department } from '../domain/types';
import { catalogSourcesFromEnv, loadDepartments } from '../infra/services/catalog';
import { loadConfig } from '../infra/config';

const { values } = parseArgs({
  options: { role: { type: 'string' }, department: { type: 'string' }, sub: { type: 'string' }, applicant: { type: 'string' }, expires: { type: 'string' } },
});
const role = values.role as Role;
if (!ROLES.includes(role)) {
  console.error(`--role must be one of ${ROLES.join(', ')}`);
  process.exit(2);
}
// The city's departments (data/city/departments.json, or CITY_FILES).
const departments = loadDepartments(catalogSourcesFromEnv(process.env).cityFiles);
if (role === 'reviewer' && !departments.has(values.department ?? '')) {
  console.error(`reviewers need --department, one of ${departments.codes().join(', ')}`);
  process.exit(2);
}
const cfg = loadConfig();
const UNIT = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const lifeMatch = /^([1-9][0-9]{0,8})([smhd]?)$/.exec(values.expires ?? `${cfg.jwt.maxAgeSeconds}`);
const lifeSeconds = lifeMatch ? Number(lifeMatch[1]) * (lifeMatch[2] ? UNIT[lifeMatch[2] as keyof typeof UNIT] : 1) : NaN;
if (!(lifeSeconds > 0) || lifeSeconds > cfg.jwt.maxAgeSeconds) {
  console.error(`--expires must be a duration (e.g. 30m, 12h) of at most JWT_MAX_AGE (${cfg.jwt.maxAgeSeconds} s)`);
  process.exit(2);
}
const sub = values.sub ?? (role === 'reviewer' ? `${values.department}-reviewer` : role === 'portal' ? 'portal-system' : 'ops-staff');
console.log(
  signDevToken(
    {
      sub,
      role,
      ...(role === 'reviewer' ? { department: values.department as Department } : {}),
      ...(values.applicant ? { applicant: values.applicant } : {}),
    },
    { secret: cfg.jwt.secret, issuer: cfg.jwt.issuer, audience: cfg.jwt.audience },
    lifeSeconds,
  ),
);
