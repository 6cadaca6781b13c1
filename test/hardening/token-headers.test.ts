import { createHmac, createPrivateKey, createPublicKey, createSign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { createTokenVerifier } from '../../src/auth/tokens.js';
import { makeFixture } from '../helpers/fixture.js';
import { makeKeyPair } from '../helpers/keys.js';

/**
 * What held up in the security review (issue 12), kept tested: a token cannot choose how it is
 * checked. `crit` extensions are refused, `jku` and `jwk` headers never make the server fetch or
 * trust a key, and a `kid` is a name to look up, never a path to read.
 */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const claims = { user: 'alice', exp: now + 300, nbf: now - 1 };
const SECRET = 'token-headers-secret-0123456789';
const keysDir = makeFixture('token-headers').dir;
const gateway = makeKeyPair(keysDir, 'gateway', 'rsa');
const attacker = makeKeyPair(keysDir, 'attacker', 'rsa');

function hs256(header: Record<string, unknown>): string {
  const input = `${b64({ alg: 'HS256', ...header })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

function rs256(header: Record<string, unknown>, privatePem = attacker.privatePem): string {
  const input = `${b64({ alg: 'RS256', ...header })}.${b64(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(createPrivateKey(privatePem)).toString('base64url')}`;
}

const verify = createTokenVerifier({ keys: { jwtSecretKey: SECRET, jwtPublicKeys: [gateway.publicPath] }, clockSkewSeconds: 5 });

t.test('a crit header the server does not implement is refused, even with a good signature', async (t) => {
  t.equal((await verify(hs256({}))).user, 'alice', 'the same token without crit is fine');
  await t.rejects(verify(hs256({ crit: ['x-bdfu-admin'], 'x-bdfu-admin': true })), { name: 'HttpError', status: 401 });
  await t.rejects(verify(rs256({ kid: 'gateway', crit: ['b64'], b64: false }, gateway.privatePem)), { name: 'HttpError', status: 401 }, 'b64: false (unencoded payload) is not honoured');
});

t.test('jku and jwk headers are ignored: the server fetches nothing and trusts only its own keys', async (t) => {
  let fetched = 0;
  const jwks = createServer((_req, res) => {
    fetched++;
    res.end(JSON.stringify({ keys: [{ ...createPublicKey(attacker.publicPem).export({ format: 'jwk' }), kid: 'attacker' }] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => jwks.close(resolve)));
  const jku = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  await t.rejects(verify(rs256({ jku, kid: 'attacker' })), { status: 401, code: 'token_unknown_key' }, 'jku with the attacker’s kid');
  await t.rejects(verify(rs256({ jku })), { status: 401, code: 'token_bad_signature' }, 'jku without a kid');
  await t.rejects(verify(rs256({ jku, kid: 'gateway' })), { status: 401, code: 'token_bad_signature' }, 'jku with the real kid');
  const jwk = createPublicKey(attacker.publicPem).export({ format: 'jwk' });
  await t.rejects(verify(rs256({ jwk })), { status: 401, code: 'token_bad_signature' }, 'an embedded jwk');
  await t.rejects(verify(rs256({ jwk, kid: 'gateway' })), { status: 401, code: 'token_bad_signature' });
  t.equal(fetched, 0, 'nothing was fetched from the jku');
});

t.test('a kid is a name, never a path', async (t) => {
  t.equal((await verify(rs256({ kid: 'gateway' }, gateway.privatePem))).user, 'alice', 'the configured kid');
  for (const kid of ['../../../../etc/passwd', gateway.publicPath, 'gateway.pem', `${keysDir}/attacker`, 'attacker', '../attacker', 'gateway/../attacker', '']) {
    await t.rejects(verify(rs256({ kid })), { status: 401, code: 'token_unknown_key' }, `kid ${JSON.stringify(kid)}`);
  }
});
