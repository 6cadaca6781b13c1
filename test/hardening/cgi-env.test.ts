import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import t from 'tap';
import { runCgi } from '../helpers/cgi-direct.js';
import { makeFixture } from '../helpers/fixture.js';
import { multipart } from '../helpers/http.js';
import { hs256 } from './bad-input-cases.js';
import { leftovers, storedFiles } from '../helpers/storage-tree.js';

/** What a web server cannot be trusted to get right, fed straight to cgi-bin/bdfu. */
const fixture = makeFixture('cgi-env', { MAX_UPLOAD_SIZE: 1024 * 1024 });
mkdirSync(fixture.storageDir, { recursive: true });
const now = () => Math.floor(Date.now() / 1000);
const token = () => hs256({ user: 'alice', exp: now() + 60 }, fixture.secret);
const form = multipart([{ name: 'file', filename: 'f.bin', data: 'hello world, this is a file' }]);

async function baseEnv(): Promise<Record<string, string>> {
  return {
    BDFU_SETTINGS: fixture.config,
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: 'POST',
    PATH_INFO: '/upload',
    SCRIPT_NAME: '/cgi-bin/bdfu',
    SERVER_NAME: 'localhost',
    SERVER_PORT: '80',
    CONTENT_TYPE: form.contentType,
    CONTENT_LENGTH: String(form.body.length),
    HTTP_AUTHORIZATION: `Bearer ${await token()}`,
  };
}

interface EnvCase {
  name: string;
  env: (base: Record<string, string>) => Record<string, string>;
  stdin?: Buffer | string;
  closeStdinAfter?: number;
  status: number;
  code: string;
}

const without = (env: Record<string, string>, key: string) => {
  const copy = { ...env };
  delete copy[key];
  return copy;
};

const CASES: EnvCase[] = [
  { name: 'REQUEST_METHOD missing', env: (e) => without(e, 'REQUEST_METHOD'), status: 400, code: 'bad_cgi_request' },
  { name: 'CONTENT_LENGTH negative', env: (e) => ({ ...e, CONTENT_LENGTH: '-5' }), status: 400, code: 'bad_content_length' },
  { name: 'CONTENT_LENGTH not a number', env: (e) => ({ ...e, CONTENT_LENGTH: 'twelve' }), status: 400, code: 'bad_content_length' },
  { name: 'CONTENT_LENGTH a float', env: (e) => ({ ...e, CONTENT_LENGTH: '12.5' }), status: 400, code: 'bad_content_length' },
  { name: 'CONTENT_LENGTH with hex', env: (e) => ({ ...e, CONTENT_LENGTH: '0x10' }), status: 400, code: 'bad_content_length' },
  { name: 'CONTENT_LENGTH huge (20 digits)', env: (e) => ({ ...e, CONTENT_LENGTH: '99999999999999999999' }), status: 400, code: 'bad_content_length' },
  { name: 'CONTENT_LENGTH over MAX_UPLOAD_SIZE', env: (e) => ({ ...e, CONTENT_LENGTH: '999999999999999' }), status: 413, code: 'too_large' },
  { name: 'stdin closed early', env: (e) => e, closeStdinAfter: 40, status: 400, code: 'body_incomplete' },
  { name: 'stdin empty with a CONTENT_LENGTH', env: (e) => e, closeStdinAfter: 0, status: 400, code: 'body_incomplete' },
  { name: 'CONTENT_LENGTH shorter than the body', env: (e) => ({ ...e, CONTENT_LENGTH: '60' }), status: 400, code: 'body_incomplete' },
  { name: 'HTTP_PROXY set, no token', env: (e) => ({ ...without(e, 'HTTP_AUTHORIZATION'), HTTP_PROXY: 'http://127.0.0.1:9/' }), status: 401, code: 'token_missing' },
  { name: 'PATH_INFO with ..', env: (e) => ({ ...e, PATH_INFO: '/../upload' }), status: 400, code: 'bad_path' },
  { name: 'PATH_INFO with a backslash', env: (e) => ({ ...e, PATH_INFO: '/..\\upload' }), status: 400, code: 'bad_path' },
  { name: 'PATH_INFO missing (POST to the web page)', env: (e) => without(e, 'PATH_INFO'), status: 405, code: 'method_not_allowed' },
  { name: 'CONTENT_TYPE missing', env: (e) => without(e, 'CONTENT_TYPE'), status: 415, code: 'not_multipart' },
  { name: 'Authorization only as REDIRECT_HTTP_AUTHORIZATION, malformed', env: (e) => ({ ...without(e, 'HTTP_AUTHORIZATION'), REDIRECT_HTTP_AUTHORIZATION: 'Bearer a b' }), status: 401, code: 'token_malformed' },
  { name: 'a 100 KB Authorization', env: (e) => ({ ...e, HTTP_AUTHORIZATION: `Bearer ${'a'.repeat(100_000)}` }), status: 401, code: 'token_malformed' },
  { name: 'REQUEST_METHOD lower-case get', env: (e) => ({ ...e, REQUEST_METHOD: 'get' }), status: 405, code: 'method_not_allowed' },
];

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const reply = await runCgi(c.env(await baseEnv()), c.stdin ?? form.body, c.closeStdinAfter === undefined ? {} : { closeStdinAfter: c.closeStdinAfter });
    t.equal(reply.status, c.status, `status (${reply.text.slice(0, 200)} ${reply.stderr.slice(0, 200)})`);
    t.equal(reply.json?.code, c.code, 'code');
    t.match(reply.headers['content-type'], /^application\/json/);
    t.notMatch(reply.text, /\n\s+at |\.(ts|js):\d+/, 'no stack trace');
    t.equal(reply.exitCode, 0, 'the script ends normally');
    t.same(storedFiles(fixture.storageDir), [], 'nothing stored');
    t.same(leftovers(fixture.storageDir), [], 'nothing left in flight');
  });
}

t.test('httpoxy: a Proxy header is never used as the proxy, and the upload works', async (t) => {
  let connections = 0;
  const trap = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  const port = (trap.address() as { port: number }).port;
  t.teardown(() => trap.close());
  const reply = await runCgi({ ...(await baseEnv()), HTTP_PROXY: `http://127.0.0.1:${port}/`, NODE_USE_ENV_PROXY: '1' }, form.body);
  t.equal(reply.status, 201, reply.text);
  t.equal(connections, 0, 'nothing connected to the address in HTTP_PROXY');
  t.equal(storedFiles(fixture.storageDir).length, 1);
});

t.test('a storage directory that cannot be made: 500; the error log names the directory and the user', async (t) => {
  const blocker = join(fixture.dir, 'a-file');
  writeFileSync(blocker, 'not a directory');
  const broken = makeFixture('cgi-broken', {});
  const storage = join(blocker, 'storage');
  writeFileSync(broken.config, `JWT_SECRET_KEY = '${broken.secret}'\nSTORAGE_DIR = '${storage}'\n`);
  const reply = await runCgi({ ...(await baseEnv()), BDFU_SETTINGS: broken.config }, form.body);
  t.equal(reply.status, 500);
  t.equal(reply.json?.code, 'storage_unwritable');
  t.notMatch(reply.json?.error, storage, 'the client is not told the directory');
  t.match(reply.stderr, storage, 'the error log names the directory');
  t.match(reply.stderr, userInfo().username, 'and the user');
  t.notMatch(reply.text, /\n\s+at /);
});

t.test('no configuration: 500 config_error, one line in the error log', async (t) => {
  const reply = await runCgi({ ...(await baseEnv()), BDFU_SETTINGS: join(fixture.dir, 'missing.cfg') }, form.body);
  t.equal(reply.status, 500);
  t.equal(reply.json?.code, 'config_error');
  t.notMatch(reply.json?.error, /missing\.cfg|\//, 'the client is not told the file (security review, issue 12 item 2)');
  t.match(reply.stderr, /missing\.cfg/, 'the error log is');
  t.equal(reply.stderr.trim().split('\n').length, 1, 'in one line');
  t.notMatch(reply.stderr, /\n\s+at /, 'no stack trace in the log either');
});

