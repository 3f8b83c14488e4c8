/**
 * Token rules (exp, iat, aud, maximum life; HS256 with the shared secret or RS256/ES256/EdDSA with a public key),
 * the production secret check, and the webhook signature that covers a timestamp.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import jwt from 'jsonwebtoken';
import { signDevToken, verifyToken, type AuthConfig } from '../../api/http/auth';
import { type ApiError } from '../../api/http/errors';
import { signWebhook, verifyWebhookSignature } from '../../activities/webhooks';
import { assertApiSecrets, DEV_JWT_SECRET, loadConfig } from '../../infra/config';


function rawHs256(claims: Record<string, unknown>, secret: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const SECRET = 'unit-test-secret-0123456789abcdef0123456789';
const cfg: AuthConfig = { secret: SECRET, issuer: 'onestop', audience: 'onestop-api', maxAgeSeconds: 12 * 3600 };
const now = () => Math.floor(Date.now() / 1000);

async function status(token: string, c: AuthConfig = cfg): Promise<number> {
  try {
    await verifyToken(`Bearer ${token}`, c);
    return 200;
  } catch (err) {
    return (err as ApiError).status;
  }
}

/** HS256 with exactly these claims (jsonwebtoken adds or strips iat on its own, which would hide what is tested). */
const hs = (claims: Record<string, unknown>) => rawHs256({ role: 'ops', sub: 'ops-1', iss: 'onestop', ...claims }, SECRET);

describe('tokens', () => {
  it('accepts a dev token (exp, iat, aud, within the maximum life) and keeps its claims', async () => {
    const t = signDevToken({ sub: 'city-portal', role: 'portal', applicant: '91370800MA3C00010K' }, cfg);
    await expect(verifyToken(`Bearer ${t}`, cfg)).resolves.toEqual({ sub: 'city-portal', role: 'portal', clientId: 'city-portal', applicant: '91370800MA3C00010K' });
    expect(jwt.decode(t)).toMatchObject({ aud: 'onestop-api', iss: 'onestop' });
  });

  it('accepts a hand-made token with every required claim (the control for the refusals below)', async () => {
    expect(await status(hs({ iat: now(), exp: now() + 600, aud: 'onestop-api' }))).toBe(200);
  });

  it.each([
    ['without exp', { iat: now(), aud: 'onestop-api' }],
    ['without iat', { exp: now() + 600, aud: 'onestop-api' }],
    ['without aud', { iat: now(), exp: now() + 600 }],
    ['for another audience', { iat: now(), exp: now() + 600, aud: 'another-api' }],
    ['living longer than the maximum', { iat: now(), exp: now() + 13 * 3600, aud: 'onestop-api' }],
    ['expired', { iat: now() - 7200, exp: now() - 3600, aud: 'onestop-api' }],
    ['issued in the future', { iat: now() + 3600, exp: now() + 7200, aud: 'onestop-api' }],
    ['from another issuer', { iss: 'elsewhere', iat: now(), exp: now() + 600, aud: 'onestop-api' }],
  ])('refuses a token %s (401)', async (_what, claims) => {
    expect(await status(hs(claims))).toBe(401);
  });

  it('JWT_MAX_AGE bounds dev tokens too', async () => {
    expect(await status(signDevToken({ sub: 'o', role: 'ops' }, cfg, '13h'))).toBe(401);
    expect(await status(signDevToken({ sub: 'o', role: 'ops' }, { ...cfg, maxAgeSeconds: 600 }), { ...cfg, maxAgeSeconds: 600 })).toBe(401);
    expect(await status(signDevToken({ sub: 'o', role: 'ops' }, cfg, '10m'), { ...cfg, maxAgeSeconds: 600 })).toBe(200);
  });

  it('refuses an unsigned (alg none) token', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ role: 'ops', sub: 'x', iss: 'onestop', aud: 'onestop-api', iat: now(), exp: now() + 60 })).toString('base64url');
    expect(await status(`${header}.${payload}.`)).toBe(401);
  });

  describe.each([
    ['EdDSA', () => generateKeyPairSync('ed25519')],
    ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ])('public-key verification (JWT_PUBLIC_KEY_PATH): %s', (alg, makePair) => {
    const pair = makePair();
    const pkCfg: AuthConfig = { ...cfg, publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    const sign = (o: { alg?: string; aud?: string; life?: number } = {}) =>
      new SignJWT({ role: 'reviewer', department: 'transport' })
        .setProtectedHeader({ alg: o.alg ?? alg })
        .setSubject('tr-01')
        .setIssuer('onestop')
        .setAudience(o.aud ?? 'onestop-api')
        .setIssuedAt()
        .setExpirationTime(now() + (o.life ?? 3600))
        .sign(pair.privateKey);

    it('accepts a token signed with the private key', async () => {
      await expect(verifyToken(`Bearer ${await sign()}`, pkCfg)).resolves.toMatchObject({ sub: 'tr-01', role: 'reviewer', department: 'transport' });
    });

    it('refuses another audience, too long a life, and an HS256 token made with the shared secret', async () => {
      expect(await status(await sign({ aud: 'other' }), pkCfg)).toBe(401);
      expect(await status(await sign({ life: 24 * 3600 }), pkCfg)).toBe(401);
      // Algorithm confusion: the shared secret (or the public key used as an HMAC key) must not verify anything.
      expect(await status(signDevToken({ sub: 'o', role: 'ops' }, cfg), pkCfg)).toBe(401);
      expect(await status(rawHs256({ role: 'ops', sub: 'o', iss: 'onestop', aud: 'onestop-api', iat: now(), exp: now() + 600 }, pkCfg.publicKey!), pkCfg)).toBe(401);
    });
  });
});

describe('production secrets', () => {
  const prod = (env: Record<string, string>) => () => assertApiSecrets({ NODE_ENV: 'production', ...env });

  it.each([
    ['missing', {}, 'JWT_SECRET is not set'],
    ['the published default', { JWT_SECRET: DEV_JWT_SECRET }, 'JWT_SECRET is a published default'],
    ['a placeholder', { JWT_SECRET: 'CHANGE_ME-CHANGE_ME-CHANGE_ME-CHANGE_ME' }, 'JWT_SECRET is a published default or placeholder'],
    ['short', { JWT_SECRET: 'a'.repeat(31) }, 'JWT_SECRET is shorter than 32 bytes'],
  ])('refuses a %s JWT_SECRET with one line naming it', (_what, env, message) => {
    expect(prod(env)).toThrow(message);
    try {
      prod(env)();
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
      if ('JWT_SECRET' in env) expect((err as Error).message).not.toContain((env as { JWT_SECRET: string }).JWT_SECRET);
    }
  });

  it('accepts a long random secret, or a public key instead of any secret; development is not checked', () => {
    expect(prod({ JWT_SECRET: 'k'.repeat(16) + 'Zq9-x7Lm2#Vb8@Tn4$Wc' })).not.toThrow();
    expect(prod({ JWT_PUBLIC_KEY_PATH: '/keys/idp.pem' })).not.toThrow();
    expect(() => assertApiSecrets({ NODE_ENV: 'development' })).not.toThrow();
  });

  it('reads JWT_AUDIENCE and JWT_MAX_AGE', () => {
    expect(loadConfig({}).jwt).toMatchObject({ audience: 'onestop-api', maxAgeSeconds: 43200 });
    expect(loadConfig({ JWT_AUDIENCE: 'x', JWT_MAX_AGE: '30m' }).jwt).toMatchObject({ audience: 'x', maxAgeSeconds: 1800 });
    expect(() => loadConfig({ JWT_MAX_AGE: '1e3' })).toThrow('JWT_MAX_AGE');
  });
});

describe('webhook signature', () => {
  const body = '{"caseNo":"JN-SCHOOLBUS-20261126-000001","event":"case_accepted"}';
  const clientSecret = 'whsec-city-portal-0123456789abcdef0123';
  const t = 1_795_000_000;

  it('covers the timestamp and the body, under the client’s own secret', () => {
    const signature = signWebhook(body, clientSecret, t);
    expect(verifyWebhookSignature({ body, timestamp: String(t), signature, secret: clientSecret, nowSeconds: t + 10 })).toBe(true);
    expect(verifyWebhookSignature({ body, timestamp: String(t), signature, secret: DEV_JWT_SECRET, nowSeconds: t + 10 })).toBe(false);
    expect(verifyWebhookSignature({ body: body.replace('accepted', 'rejected'), timestamp: String(t), signature, secret: clientSecret, nowSeconds: t })).toBe(false);
    expect(verifyWebhookSignature({ body, timestamp: String(t + 1), signature, secret: clientSecret, nowSeconds: t })).toBe(false);
  });

  it('a replay outside the tolerance fails', () => {
    const signature = signWebhook(body, clientSecret, t);
    expect(verifyWebhookSignature({ body, timestamp: String(t), signature, secret: clientSecret, nowSeconds: t + 301 })).toBe(false);
    expect(verifyWebhookSignature({ body, timestamp: String(t), signature, secret: clientSecret, nowSeconds: t + 3600, toleranceSeconds: 7200 })).toBe(true);
  });
});
