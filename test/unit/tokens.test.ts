import t from 'tap';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { createTokenVerifier, signToken } from '../../src/auth/tokens.js';
import { originalServerAccepts, originalToken } from '../helpers/original-token.js';

const secret = 'a-test-secret-of-some-length';
const verify = createTokenVerifier({ secret, clockSkewSeconds: 5 });
const rejects = (token: string, code: string, name: string) =>
  t.rejects(verify(token), { name: 'HttpError', status: 401, code }, name);

t.test('our tokens look like the original’s and the original server accepts them', async (t) => {
  const token = await signToken({ user: 'sally', secret, expiresIn: 60 });
  const header = decodeProtectedHeader(token);
  const claims = decodeJwt(token);
  t.equal(header.alg, 'HS256');
  t.equal(header.exp, claims.exp, 'exp is copied into the header');
  t.equal(claims.user, 'sally');
  t.equal(claims.exp! - claims.nbf!, 60);
  t.ok(await originalServerAccepts(token, secret));
  t.notOk(await originalServerAccepts(token, 'other-secret'));
});

t.test('tokens made as the original made them are accepted', async (t) => {
  const principal = await verify(await originalToken('sally', secret));
  t.equal(principal.user, 'sally');
  t.same([...principal.scopes], ['upload'], 'no scope claim: upload only, as in the original');
});

t.test('scopes', async (t) => {
  const token = await signToken({ user: 'a', secret, expiresIn: 60, scopes: ['read', 'delete'] });
  t.same([...(await verify(token)).scopes].sort(), ['delete', 'read']);
});

t.test('refusals carry stable codes', async () => {
  await rejects(await originalToken('sally', 'wrong'), 'token_bad_signature', 'wrong secret');
  await rejects(await originalToken('sally', secret, { expiresIn: -10 }), 'token_expired', 'expired beyond the skew');
  await rejects(await originalToken('sally', secret, { nbf: Date.now() / 1000 + 60, expiresIn: 120 }), 'token_not_yet_valid', 'nbf ahead');
  await rejects('a.b.c', 'token_malformed', 'garbage');
});

t.test('clock skew is forgiven up to the setting', async (t) => {
  const principal = await verify(await originalToken('sally', secret, { expiresIn: -2 }));
  t.equal(principal.user, 'sally', 'expired 2 s ago, skew 5 s');
  const strict = createTokenVerifier({ secret, clockSkewSeconds: 0 });
  await t.rejects(strict(await originalToken('sally', secret, { expiresIn: -2 })), { code: 'token_expired' });
});
