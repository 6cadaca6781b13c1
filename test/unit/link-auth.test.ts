import t from 'tap';
import { downloadTokenMatches, hashDownloadToken, newDownloadToken } from '../../src/auth/download-token.js';
import { authorizeLink } from '../../src/auth/link-policy.js';
import { authorize } from '../../src/auth/policy.js';
import type { Principal, Scope } from '../../src/auth/principal.js';
import { checkSignedLink, linkKey, signLink } from '../../src/auth/signed-link.js';
import { HttpError } from '../../src/core/http-error.js';
import { linkSignature } from '../helpers/signed-link.js';

const who = (user: string, ...scopes: Scope[]): Principal => ({ user, scopes: new Set(scopes) });
const code = (fn: () => void) => {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    return error instanceof HttpError ? error.code : String(error);
  }
};

t.test('authorize: principal, action, resource', async (t) => {
  const cases: Array<[Principal, Parameters<typeof authorize>[1], string | undefined, string]> = [
    [who('a', 'upload'), 'upload', 'a', 'allowed'],
    [who('a', 'upload'), 'read', 'a', 'insufficient_scope'],
    [who('a', 'upload'), 'delete', 'a', 'insufficient_scope'],
    [who('a', 'read'), 'read', 'a', 'allowed'],
    [who('a', 'read'), 'list', 'a', 'allowed'],
    [who('a', 'read'), 'share', 'a', 'allowed'],
    [who('a', 'read'), 'delete', 'a', 'insufficient_scope'],
    [who('a', 'delete'), 'delete', 'a', 'allowed'],
    [who('a', 'read', 'delete', 'upload'), 'read', 'b', 'forbidden'],
    [who('a', 'read', 'delete', 'upload'), 'list-users', undefined, 'insufficient_scope'],
    [who('a', 'admin'), 'read', 'b', 'allowed'],
    [who('a', 'admin'), 'delete', 'b', 'allowed'],
    [who('a', 'admin'), 'list-users', undefined, 'allowed'],
  ];
  for (const [principal, action, owner, expected] of cases) {
    t.equal(code(() => authorize(principal, action, owner === undefined ? {} : { owner })), expected,
      `${[...principal.scopes].join('+')} ${action} ${owner ?? '(all users)'}`);
  }
});

t.test('download tokens', async (t) => {
  const token = newDownloadToken();
  t.match(token, /^[A-Za-z0-9_-]{43}$/);
  t.not(newDownloadToken(), token, 'random');
  const hash = hashDownloadToken(token);
  t.ok(downloadTokenMatches(token, hash));
  t.notOk(downloadTokenMatches(`${token}x`, hash));
  t.notOk(downloadTokenMatches('', hash));
  t.notOk(downloadTokenMatches(token, undefined), 'no file');
  t.notOk(downloadTokenMatches('', undefined), 'no file, no token');
  t.notOk(downloadTokenMatches('', hashDownloadToken('')), 'an empty token never matches');
  t.notOk(downloadTokenMatches(token, 'not-a-hash'));
  t.equal(code(() => authorizeLink({ kind: 'download-token', token, tokenHash: hash }, linkKey('s'), 0)), 'allowed');
  t.equal(code(() => authorizeLink({ kind: 'download-token', token, tokenHash: undefined }, linkKey('s'), 0)), 'download_token_invalid');
});

t.test('signed links', async (t) => {
  const secret = 'a secret of some length';
  const key = linkKey(secret);
  const path = '/files/alice/0123456789abcdef0123456789abcdef';
  const { expires, signature } = signLink(key, 'GET', path, 2000);
  t.equal(signature, linkSignature(secret, path, 2000), 'matches the documented algorithm');
  t.not(Buffer.from(key).toString('hex'), Buffer.from(secret).toString('hex'), 'the key is derived, not the secret');
  const check = (over: Partial<{ method: string; path: string; expires: string; signature: string }>, now = 1000) =>
    checkSignedLink({ method: 'GET', path, expires, signature, ...over }, key, now);
  t.equal(check({}), 'valid');
  t.equal(check({ method: 'HEAD' }), 'valid', 'HEAD is GET');
  t.equal(check({}, 2000), 'expired', 'at the expiry');
  t.equal(check({}, 3000), 'expired');
  t.equal(check({ method: 'DELETE' }), 'invalid', 'the method is signed');
  t.equal(check({ path: `${path}0` }), 'invalid', 'the path is signed');
  t.equal(check({ expires: '2001' }), 'invalid', 'the expiry is signed');
  t.equal(check({ expires: '1e3' }), 'invalid');
  t.equal(check({ expires: '' }), 'invalid');
  t.equal(check({ signature: signature.slice(1) }), 'invalid');
  t.equal(check({ signature: `${signature.slice(0, -1)}+` }), 'invalid');
  t.equal(checkSignedLink({ method: 'GET', path, expires, signature }, linkKey('another secret'), 1000), 'invalid');
  t.equal(code(() => authorizeLink({ kind: 'signed-link', method: 'GET', path, expires, signature }, key, 3000)), 'link_expired');
  t.equal(code(() => authorizeLink({ kind: 'signed-link', method: 'GET', path, expires: '2001', signature }, key, 3000)), 'link_invalid', 'an altered, expired link is altered');
});
