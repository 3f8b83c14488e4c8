/**
 * Prints a dev token signed with the configured JWT_SECRET.
 *   npm run token -- --role portal
 *   npm run token -- --role reviewer --department education --sub edu-01
 *   npm run token -- --role ops
 *   npm run token -- --role portal --sub city-portal --applicant 91370800MA3C00010K   (the applicant the city's
 *     identity system authenticated: prefill and unmasked personal data are for that data subject only)
 */
import { parseArgs } from 'node:util';
import { signDevToken, ROLES, type Role } from '../api/http/auth';
import { DEPARTMENTS, type Department } from '../domain/types';
import { loadConfig } from '../infra/config';

const { values } = parseArgs({
  options: { role: { type: 'string' }, department: { type: 'string' }, sub: { type: 'string' }, applicant: { type: 'string' }, expires: { type: 'string', default: '12h' } },
});
const role = values.role as Role;
if (!ROLES.includes(role)) {
  console.error(`--role must be one of ${ROLES.join(', ')}`);
  process.exit(2);
}
if (role === 'reviewer' && !DEPARTMENTS.includes(values.department as Department)) {
  console.error(`reviewers need --department, one of ${DEPARTMENTS.join(', ')}`);
  process.exit(2);
}
const cfg = loadConfig();
const sub = values.sub ?? (role === 'reviewer' ? `${values.department}-reviewer` : role === 'portal' ? 'portal-system' : 'ops-staff');
console.log(
  signDevToken(
    {
      sub,
      role,
      ...(role === 'reviewer' ? { department: values.department as Department } : {}),
      ...(values.applicant ? { applicant: values.applicant } : {}),
    },
    { secret: cfg.jwt.secret, issuer: cfg.jwt.issuer },
    values.expires as '12h',
  ),
);
