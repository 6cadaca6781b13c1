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

t.test('a token checked once is not trusted past its time: expiry and nbf are checked at every use', async (t) => {
  let clock = 1_900_000_000;
  const verifyAt = createTokenVerifier({ secret, clockSkewSeconds: 5, now: () => clock });
  const token = await signToken({ user: 'sally', secret, expiresIn: 60, now: clock });
  t.equal((await verifyAt(token)).user, 'sally');
  t.equal((await verifyAt(token)).user, 'sally', 'again: known to this process now');
  clock += 64;
  t.equal((await verifyAt(token)).user, 'sally', 'expired 4 s ago, within the 5 s skew');
  clock += 2;
  await t.rejects(verifyAt(token), { code: 'token_expired' }, 'past exp and the skew: refused, as a token never seen is');
  clock -= 66 + 10;
  await t.rejects(verifyAt(token), { code: 'token_not_yet_valid' }, 'before its nbf (a clock set back): refused');
  clock += 10;
  t.equal((await verifyAt(token)).user, 'sally', 'and fine again inside its time');
  const [head, body, signature] = token.split('.');
  const tampered = `${head}.${body}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BA' : 'AA'}`;
  await t.rejects(verifyAt(tampered), { code: 'token_bad_signature' }, 'another signature beside a known token is checked in full');
  const otherUser = await signToken({ user: 'mallory', secret: 'not-the-secret', expiresIn: 60, now: clock });
  await t.rejects(verifyAt(`${head}.${otherUser.split('.')[1]}.${signature}`), { code: 'token_bad_signature' }, 'a known signature on other claims is checked in full');
});

t.test('the verified-token cache is bounded and drops the oldest', async (t) => {
  const { VerifiedTokens } = await import('../../src/auth/verified-tokens.js');
  const cache = new VerifiedTokens(2);
  const entry = (exp: number) => ({ payload: { exp }, protectedHeader: { alg: 'HS256' } });
  cache.add('a', entry(100));
  cache.add('b', entry(100));
  cache.add('c', entry(100));
  t.equal(cache.size, 2);
  t.equal(cache.get('a', 50, 0), undefined, 'the oldest went');
  t.ok(cache.get('c', 50, 0));
  t.equal(cache.get('c', 100, 0), undefined, 'at exp, with no skew: gone');
  t.equal(cache.size, 1);
});
