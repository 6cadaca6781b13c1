import { decodeJwt, SignJWT } from 'jose';
import t from 'tap';
import { createTokenVerifier } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config/load.js';
import { bdfu } from '../helpers/run.js';

/**
 * Security review (issue 12), item 8: a token without `exp` never expired. `exp` is required
 * now, and may lie at most TOKEN_MAX_LIFETIME_SECONDS ahead (30 days unless raised, up to 10 years).
 */
const secret = 'token-lifetime-secret-0123456789';
const now = 1_800_000_000;
const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
const DAY = 86_400;

t.test('exp is required, and bounded', async (t) => {
  const verify = createTokenVerifier({ secret, clockSkewSeconds: 5, maxLifetimeSeconds: 30 * DAY, now: () => now });
  await t.rejects(verify(await sign({ user: 'alice' })), { status: 401, code: 'token_invalid_claims', message: /no exp/ }, 'no exp at all');
  await t.rejects(verify(await sign({ user: 'alice', nbf: now - 10 })), { code: 'token_invalid_claims' }, 'nbf but no exp');
  await t.rejects(verify(await sign({ user: 'alice', exp: now + 31 * DAY })), { status: 401, code: 'token_lifetime_too_long' }, '31 days ahead');
  t.equal((await verify(await sign({ user: 'alice', exp: now + 30 * DAY }))).user, 'alice', '30 days ahead is allowed');
  t.equal((await verify(await sign({ user: 'alice', exp: now + 60 }))).user, 'alice', 'a minute');
});

t.test('TOKEN_MAX_LIFETIME_SECONDS allows long-lived tokens explicitly, up to 10 years', async (t) => {
  const settings = (value?: number) => loadConfig({ env: {}, overrides: { jwtSecretKey: secret, storageDir: '/tmp/x', ...(value ? { tokenMaxLifetimeSeconds: value } : {}) } });
  t.equal(settings().settings.tokenMaxLifetimeSeconds, 30 * DAY, '30 days by default');
  const year = createTokenVerifier({ secret, clockSkewSeconds: 5, maxLifetimeSeconds: 365 * DAY, now: () => now });
  t.equal((await year(await sign({ user: 'alice', exp: now + 300 * DAY }))).user, 'alice', 'a year allowed: 300 days accepted');
  await t.rejects(year(await sign({ user: 'alice' })), { code: 'token_invalid_claims' }, 'still no token without exp');
  t.throws(() => loadConfig({ env: { BDFU_TOKEN_MAX_LIFETIME_SECONDS: String(11 * 365 * DAY) }, overrides: { jwtSecretKey: secret, storageDir: '/tmp/x' } }),
    { name: 'ConfigError', message: /TOKEN_MAX_LIFETIME_SECONDS .* between 60 and 315360000/ });
});

t.test('bdfu gen-token always sets exp', async (t) => {
  for (const args of [['alice', secret], ['--expires-in', '7200', 'alice', secret]]) {
    const made = await bdfu(['gen-token', ...args]);
    t.equal(made.code, 0, made.stderr);
    const claims = decodeJwt(made.stdout.trim());
    t.type(claims.exp, 'number', `exp set (${args.join(' ')})`);
    t.equal(claims.exp! - claims.nbf!, args[0] === '--expires-in' ? 7200 : 60);
  }
  const never = await bdfu(['gen-token', '--expires-in', '0', 'alice', secret]);
  t.equal(never.code, 1, 'no lifetime of 0 (never expiring)');
});
