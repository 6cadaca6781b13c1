import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixture } from '../helpers/fixture.js';
import { jsonOrUndefined, multipart } from '../helpers/http.js';
import { originalToken } from '../helpers/original-token.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { CHILD_PATH } from '../helpers/child-env.js';

const fixture = makeFixture('cgi-only');

/** Runs cgi-bin/bdfu once, as a web server would, and splits its CGI response. */
async function cgi(env: NodeJS.ProcessEnv, input: Buffer | string = '', script = CGI_SCRIPT) {
  const res = await run(script, [], { env: { PATH: CHILD_PATH, GATEWAY_INTERFACE: 'CGI/1.1', BDFU_SETTINGS: fixture.config, ...env }, input });
  const [head = '', ...rest] = res.stdout.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const status = Number(/^Status: (\d+)/.exec(lines[0] ?? '')?.[1]);
  const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 2)]));
  const body = rest.join('\r\n\r\n');
  return { status, headers, body, json: jsonOrUndefined(body), code: res.code, stderr: res.stderr };
}

async function uploadEnv(user = 'sally') {
  const data = randomBytes(2000);
  const { body, contentType } = multipart([{ name: 'file', filename: 'a.bin', data }]);
  const env = { REQUEST_METHOD: 'POST', PATH_INFO: '/upload', SCRIPT_NAME: '/cgi-bin/bdfu', CONTENT_TYPE: contentType, CONTENT_LENGTH: String(body.length) };
  return { data, body, env, token: await originalToken(user, fixture.secret) };
}

t.test('Authorization from HTTP_AUTHORIZATION or REDIRECT_HTTP_AUTHORIZATION', async (t) => {
  const { data, body, env, token } = await uploadEnv();
  const direct = await cgi({ ...env, HTTP_AUTHORIZATION: `Bearer ${token}` }, body);
  t.equal(direct.status, 201, direct.body);
  t.same(readFileSync(join(fixture.storageDir, 'sally', direct.json.id)), data);
  const redirected = await cgi({ ...env, HTTP_AUTHORIZATION: '', REDIRECT_HTTP_AUTHORIZATION: `Bearer ${token}` }, body);
  t.equal(redirected.status, 201, 'after an internal redirect (rewrite trick in .htaccess)');
});

t.test('no Authorization at all: the 401 explains that the web server may drop it', async (t) => {
  const { body, env } = await uploadEnv();
  for (const extra of [{}, { HTTP_AUTHORIZATION: '' }]) {
    const res = await cgi({ ...env, ...extra }, body);
    t.equal(res.status, 401);
    t.equal(res.json.code, 'token_missing');
    t.match(res.json.error, /web server .* dropping it: under Apache, put 'CGIPassAuth On' in the script's <Directory> or \.htaccess \(also for a plain cgi-bin\/\), or see the section 'Passing the Authorization header'/);
    t.equal(res.headers['www-authenticate'], 'Bearer realm="bdfu"');
  }
});

t.test('a de-chunked body: no CONTENT_LENGTH, read to the end of stdin', async (t) => {
  const { data, body, env, token } = await uploadEnv();
  const { CONTENT_LENGTH: _, ...noLength } = env;
  const res = await cgi({ ...noLength, HTTP_TRANSFER_ENCODING: 'chunked', HTTP_AUTHORIZATION: `Bearer ${token}` }, body);
  t.equal(res.status, 201, res.body);
  t.same(readFileSync(join(fixture.storageDir, 'sally', res.json.id)), data);
});

t.test('exactly CONTENT_LENGTH bytes are the body', async (t) => {
  const { data, body, env, token } = await uploadEnv();
  const res = await cgi({ ...env, HTTP_AUTHORIZATION: `Bearer ${token}` }, Buffer.concat([body, Buffer.from('trailing junk')]));
  t.equal(res.status, 201, 'bytes after CONTENT_LENGTH are ignored');
  t.same(readFileSync(join(fixture.storageDir, 'sally', res.json.id)), data);
  const short = await cgi({ ...env, HTTP_AUTHORIZATION: `Bearer ${token}` }, body.subarray(0, 1000));
  t.equal(short.status, 400, 'stdin closed early');
  t.equal(short.json.code, 'body_incomplete');
});

t.test('httpoxy: a Proxy header changes nothing', async (t) => {
  const { body, env, token } = await uploadEnv();
  const res = await cgi({ ...env, HTTP_AUTHORIZATION: `Bearer ${token}`, HTTP_PROXY: 'http://127.0.0.1:9/' }, body);
  t.equal(res.status, 201);
});

t.test('refusals are whole CGI responses', async (t) => {
  const noMethod = await cgi({ PATH_INFO: '/upload' });
  t.equal(noMethod.status, 400);
  t.equal(noMethod.json.code, 'bad_cgi_request');
  for (const length of ['-1', 'ten', '1e3']) {
    const res = await cgi({ REQUEST_METHOD: 'POST', PATH_INFO: '/upload', CONTENT_LENGTH: length });
    t.equal(res.json?.code, 'bad_content_length', `CONTENT_LENGTH=${length}`);
  }
  const notFound = await cgi({ REQUEST_METHOD: 'GET', PATH_INFO: '/nope' });
  t.equal(notFound.status, 404);
  const get = await cgi({ REQUEST_METHOD: 'GET', PATH_INFO: '/upload' });
  t.equal(get.status, 405);
  t.match(get.headers.allow, /POST/);
});

t.test('a broken configuration is a 500 config_error, never a stack trace; the detail is in the error log', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-cgi-bad-'));
  writeFileSync(join(dir, 'bad.cfg'), "JWT_SECRET_KEY = 'x'\nSTORAGE_DIR = os.getcwd()\n");
  const res = await cgi({ REQUEST_METHOD: 'GET', PATH_INFO: '/upload', BDFU_SETTINGS: join(dir, 'bad.cfg') });
  t.equal(res.status, 500);
  t.equal(res.json.code, 'config_error');
  t.notMatch(res.json.error, /bad\.cfg|STORAGE_DIR|\//, 'the client is told nothing of the file, the setting or a path');
  t.match(res.stderr, /bad\.cfg:2: STORAGE_DIR: /, 'the web server’s error log names the file, the line and the setting');
  t.notMatch(res.body, /\n\s+at /);
  const noSecret = await cgi({ REQUEST_METHOD: 'GET', PATH_INFO: '/upload', BDFU_SETTINGS: '' });
  t.equal(noSecret.json.code, 'config_error');
});

t.test('settings found beside the script when BDFU_SETTINGS is unset', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-cgi-beside-'));
  mkdirSync(join(dir, 'cgi-bin'));
  symlinkSync(CGI_SCRIPT, join(dir, 'cgi-bin', 'upload.cgi'));
  const storageDir = join(dir, 'files');
  writeFileSync(join(dir, 'cgi-bin', 'bdfu.json'), JSON.stringify({ JWT_SECRET_KEY: fixture.secret, STORAGE_DIR: storageDir }));
  const { body, env, token, data } = await uploadEnv('beside');
  const res = await cgi({ ...env, BDFU_SETTINGS: '', HTTP_AUTHORIZATION: `Bearer ${token}` }, body, join(dir, 'cgi-bin', 'upload.cgi'));
  t.equal(res.status, 201, res.body);
  t.same(readFileSync(join(storageDir, 'beside', res.json.id)), data);
});
