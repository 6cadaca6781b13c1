import t from 'tap';
import { normalisePublicUrl } from '../../src/config/public-url.js';
import { runCgi } from '../helpers/cgi-direct.js';
import { makeFixture } from '../helpers/fixture.js';
import { multipart } from '../helpers/http.js';
import { serveInProcess } from '../helpers/in-process.js';
import { rawHttp } from '../helpers/raw-http.js';
import { scopedToken } from '../helpers/tokens.js';

/**
 * Security review (issue 12), item 7: with `Host: evil.example/x?#@` the upload's Location and
 * share links pointed at evil.example. A Host that is not host[:port] is refused (the
 * bad-input table has those cases, for `bdfu serve` and CGI); PUBLIC_URL, when set, is the
 * only base of every link.
 */
const SECRET = 'public-url-secret-0123456789';
const PUBLIC = 'https://files.example.org/bdfu/';

function upload(token: string, host: string) {
  const form = multipart([{ name: 'file', filename: 'f.bin', type: 'application/octet-stream', data: 'hello' }]);
  return { path: 'upload', headers: [['host', host], ['content-type', form.contentType], ['authorization', `Bearer ${token}`]] as [string, string][], body: form.body };
}

t.test('PUBLIC_URL is the base of Location and share links, whatever Host says', async (t) => {
  const storageDir = makeFixture('public-url').storageDir;
  const base = await serveInProcess(t, { jwtSecretKey: SECRET, storageDir, publicUrl: 'https://files.example.org/bdfu' });
  const token = await scopedToken('alice', SECRET, 'upload read');
  const up = await rawHttp(base, upload(token, 'evil.example'));
  t.equal(up.status, 201, up.text);
  t.equal(up.headers.location, `${PUBLIC}files/alice/${up.json.id}`, 'Location');
  const share = await rawHttp(base, { method: 'POST', path: `files/alice/${up.json.id}/share`, headers: [['host', 'evil.example:8443'], ['authorization', `Bearer ${token}`]] });
  t.equal(share.status, 201, share.text);
  t.match(share.json.url, new RegExp(`^${PUBLIC.replace(/[./]/g, '\\$&')}files/alice/${up.json.id}\\?expires=`), 'share link');
  const bad = await rawHttp(base, upload(token, 'evil.example/x?#@'));
  t.equal(bad.status, 400, 'a Host that is not host[:port] is refused even so');
  t.equal(bad.json.code, 'bad_host');
});

t.test('without PUBLIC_URL a valid Host is used as before; a bad one is refused', async (t) => {
  const storageDir = makeFixture('host').storageDir;
  const base = await serveInProcess(t, { jwtSecretKey: SECRET, storageDir });
  const token = await scopedToken('alice', SECRET);
  const ok = await rawHttp(base, upload(token, 'files.example:8080'));
  t.equal(ok.status, 201);
  t.equal(ok.headers.location, `http://files.example:8080/files/alice/${ok.json.id}`);
  for (const host of ['evil.example/x?#@', 'evil.example@good.example', 'a b', 'evil.example#', '[::1']) {
    const reply = await rawHttp(base, upload(token, host));
    t.equal(reply.json?.code, 'bad_host', `Host: ${host}`);
    t.notOk(reply.headers.location, 'no Location');
  }
});

t.test('CGI: PUBLIC_URL wins over HTTP_HOST', async (t) => {
  const fixture = makeFixture('public-url-cgi', { PUBLIC_URL: PUBLIC });
  const form = multipart([{ name: 'file', filename: 'f.bin', type: 'text/plain', data: 'hi' }]);
  const reply = await runCgi({
    GATEWAY_INTERFACE: 'CGI/1.1', BDFU_SETTINGS: fixture.config, REQUEST_METHOD: 'POST', PATH_INFO: '/upload', SCRIPT_NAME: '/cgi-bin/bdfu',
    SERVER_NAME: 'localhost', SERVER_PORT: '80', HTTP_HOST: 'evil.example', CONTENT_TYPE: form.contentType, CONTENT_LENGTH: String(form.body.length),
    HTTP_AUTHORIZATION: `Bearer ${await scopedToken('carol', fixture.secret)}`,
  }, form.body);
  t.equal(reply.status, 201, reply.text);
  t.equal(reply.headers.location, `${PUBLIC}files/carol/${reply.json.id}`);
});

t.test('PUBLIC_URL is checked at start-up', async (t) => {
  t.equal(normalisePublicUrl('https://files.example.org/bdfu'), PUBLIC, 'a trailing slash is added');
  t.equal(normalisePublicUrl(''), '', 'unset');
  for (const bad of ['files.example.org', 'ftp://files.example.org/', 'https://user:pw@files.example.org/', 'https://files.example.org/?x=1', 'https://files.example.org/#top']) {
    t.throws(() => normalisePublicUrl(bad), { name: 'ConfigError', message: /^PUBLIC_URL/ }, bad);
  }
});
