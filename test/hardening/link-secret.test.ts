import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { linkSecret } from '../../src/auth/link-secret.js';
import { runCgi } from '../helpers/cgi-direct.js';
import { makeFixture } from '../helpers/fixture.js';
import { http, uploadFile } from '../helpers/http.js';
import { makeKeyPair } from '../helpers/keys.js';
import { startBdfu } from '../helpers/serve.js';
import { linkSignature } from '../helpers/signed-link.js';
import { scopedToken } from '../helpers/tokens.js';
import { withKey } from './bad-input-cases.js';

/**
 * Security review (issue 12), item 1: with only public keys configured, links were signed with
 * a key derived from the empty string, a public constant: anyone could forge one.
 */
const now = () => Math.floor(Date.now() / 1000);
const keysDir = makeFixture('link-keys').dir;
const gateway = makeKeyPair(keysDir, 'gateway', 'rsa');

function publicKeysOnly(name: string, extra: string[] = []) {
  const fixture = makeFixture(name);
  writeFileSync(fixture.config, [`STORAGE_DIR = '${fixture.storageDir}'`, `JWT_PUBLIC_KEYS = ['${gateway.publicPath}']`, ...extra].join('\n') + '\n');
  return fixture;
}

const readToken = (user: string) => withKey({ user, exp: now() + 300, nbf: now() - 1, scope: 'upload read' }, gateway);

t.test('public keys only (bdfu serve): a link signed with the empty secret is refused; real links work', async (t) => {
  const fixture = publicKeysOnly('link-pub');
  const served = await startBdfu([fixture.config]);
  t.teardown(() => served.stop());
  const token = await readToken('alice');
  const up = await uploadFile(served.url, token, randomBytes(64));
  t.equal(up.status, 201, up.text);
  const path = `/files/alice/${up.json.id}`;
  const expires = now() + 3600;
  const forged = await http(`${served.url}files/alice/${up.json.id}?expires=${expires}&signature=${linkSignature('', path, expires)}`);
  t.equal(forged.status, 403, 'the HMAC under HKDF("") does not open the file');
  t.equal(forged.json.code, 'link_invalid');

  const secretFile = join(fixture.storageDir, '.link-secret');
  t.ok(existsSync(secretFile), 'a link secret was made at start');
  t.equal(statSync(secretFile).mode & 0o777, 0o600, 'kept with mode 0600');
  const share = await http(`${served.url}files/alice/${up.json.id}/share`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  t.equal(share.status, 201, share.text);
  const shared = await http(share.json.url);
  t.equal(shared.status, 200, 'a link the server made opens the file');
  const secret = readFileSync(secretFile, 'utf8').trim();
  t.ok(secret.length >= 43, 'the secret is 256 random bits');
  t.equal(share.json.url.split('signature=')[1], linkSignature(secret, path, Number(new URL(share.json.url).searchParams.get('expires'))), 'signed with the kept secret');
});

t.test('public keys only (CGI): the empty-secret link is refused, and all processes share one link secret', async (t) => {
  const fixture = publicKeysOnly('link-cgi');
  const env = { GATEWAY_INTERFACE: 'CGI/1.1', BDFU_SETTINGS: fixture.config, SERVER_NAME: '127.0.0.1', SERVER_PORT: '80', SCRIPT_NAME: '/cgi-bin/bdfu', REMOTE_ADDR: '192.0.2.1' };
  const token = await readToken('alice');
  const form = `--b\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n\r\nhello\r\n--b--\r\n`;
  const up = await runCgi({ ...env, REQUEST_METHOD: 'POST', PATH_INFO: '/upload', CONTENT_TYPE: 'multipart/form-data; boundary=b', CONTENT_LENGTH: String(form.length), HTTP_AUTHORIZATION: `Bearer ${token}` }, form);
  t.equal(up.status, 201, up.text);
  const id = up.json.id as string;
  const expires = now() + 3600;
  const get = (query: string) => runCgi({ ...env, REQUEST_METHOD: 'GET', PATH_INFO: `/files/alice/${id}`, QUERY_STRING: query });
  const forged = await get(`expires=${expires}&signature=${linkSignature('', `/files/alice/${id}`, expires)}`);
  t.equal(forged.status, 403);
  t.equal(forged.json.code, 'link_invalid');
  const shares = await Promise.all([1, 2].map(() => runCgi({ ...env, REQUEST_METHOD: 'POST', PATH_INFO: `/files/alice/${id}/share`, HTTP_AUTHORIZATION: `Bearer ${token}` })));
  for (const share of shares) {
    t.equal(share.status, 201, share.text);
    const opened = await get(new URL(share.json.url).search.slice(1));
    t.equal(opened.status, 200, 'a link made by one process opens in another');
  }
});

t.test('rotating the link secret revokes every link', async (t) => {
  const first = makeFixture('link-rotate', { LINK_SECRET_KEY: 'first-link-secret-0123456789' });
  const served = await startBdfu([first.config]);
  const token = await scopedToken('alice', first.secret, 'upload read');
  const up = await uploadFile(served.url, token, randomBytes(32));
  const share = await http(`${served.url}files/alice/${up.json.id}/share`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  t.equal((await http(share.json.url)).status, 200, 'the link works');
  const path = `/files/alice/${up.json.id}`;
  const expires = Number(new URL(share.json.url).searchParams.get('expires'));
  t.equal(new URL(share.json.url).searchParams.get('signature'), linkSignature('first-link-secret-0123456789', path, expires), 'signed with LINK_SECRET_KEY, not JWT_SECRET_KEY');
  await served.stop();

  writeFileSync(first.config, readFileSync(first.config, 'utf8').replace('first-link-secret-0123456789', 'second-link-secret-0123456789'));
  const again = await startBdfu([first.config]);
  t.teardown(() => again.stop());
  const after = await http(share.json.url.replace(served.url, again.url));
  t.equal(after.status, 403, 'the old link is refused once the link secret changed');
  t.equal(after.json.code, 'link_invalid');
  const bearer = await http(`${again.url}files/alice/${up.json.id}`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(bearer.status, 200, 'tokens are untouched by the link secret');
});

t.test('a short LINK_SECRET_KEY refuses to start', async (t) => {
  const fixture = makeFixture('link-short', { LINK_SECRET_KEY: 'short' });
  await t.rejects(startBdfu([fixture.config]), /LINK_SECRET_KEY is shorter than 16 characters/);
});

t.test('the link secret is never the empty string', async (t) => {
  const dir = makeFixture('link-unit').storageDir;
  t.equal(linkSecret({ linkSecretKey: 'explicit-link-secret-xyz', jwtSecretKey: 'jwt', storageDir: dir }), 'explicit-link-secret-xyz');
  t.equal(linkSecret({ linkSecretKey: '', jwtSecretKey: 'the-jwt-secret-key', storageDir: dir }), 'the-jwt-secret-key', 'JWT_SECRET_KEY stays the link key (links given out keep working)');
  const made = linkSecret({ linkSecretKey: '', jwtSecretKey: '', storageDir: dir });
  t.ok(made.length >= 43, 'without either, a random secret');
  t.equal(linkSecret({ linkSecretKey: '', jwtSecretKey: '', storageDir: dir }), made, 'kept: the same on the next call');
});
