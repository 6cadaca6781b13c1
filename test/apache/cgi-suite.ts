import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import type { Test } from 'tap';
import { filesSuite } from '../e2e/files-suite.js';
import { uploadSuite } from '../e2e/upload-suite.js';
import { cgiScript, giveToWebUser, includeSnippet, reachableTempDir, scriptHome, startApache, webRoot, webUser, type Mpm } from '../helpers/apache.js';
import { childEnv } from '../helpers/child-env.js';
import { run } from '../helpers/run.js';

export { cgiScript, includeSnippet, scriptHome };
import { makeFixture, type Fixture } from '../helpers/fixture.js';
import { http, multipart, uploadFile } from '../helpers/http.js';
import { originalToken } from '../helpers/original-token.js';
import { APACHE_DIR } from '../helpers/paths.js';
import { writeCgiProbe, type Probed } from '../helpers/probe.js';

/** A fixture whose storage directory exists and belongs to the user Apache runs CGI scripts as. */
export function webFixture(name: string, extra: Record<string, string | number> = {}): Fixture {
  const fixture = makeFixture(name, extra);
  mkdirSync(fixture.storageDir);
  giveToWebUser(fixture.storageDir);
  return fixture;
}

/** A shared-hosting directory: the shipped .htaccess copied as it is, bdfu.cgi, and bdfu.cfg beside it. */
export function hostingDir(dir: string, script: string, config?: string): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(APACHE_DIR, '.htaccess'), join(dir, '.htaccess'));
  symlinkSync(script, join(dir, 'bdfu.cgi'));
  if (config) copyFileSync(config, join(dir, 'bdfu.cfg'));
}

/** A chunked request body (no Content-Length): what curl -T - or a streaming client sends. */
export function chunkedUpload(url: string, token: string, data: Buffer, extra: Record<string, string> = {}) {
  const { body, contentType } = multipart([{ name: 'file', filename: 'chunked.bin', data }]);
  const pieces = [];
  for (let at = 0; at < body.length; at += 7000) pieces.push(body.subarray(at, at + 7000));
  return http(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'transfer-encoding': 'chunked', ...extra },
    body: Readable.from(pieces),
  });
}

/** The status Apache answers to a POST that announces `length` bytes and sends none of them. */
function statusForAnnounced(url: string, length: number): Promise<number> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Length: ${length}\r\nConnection: close\r\n\r\n`);
    });
    let head = '';
    socket.setTimeout(30_000, () => socket.destroy(new Error(`no answer from ${url} while it waits for the body`)));
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (status) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on('error', reject);
  });
}

const GiB = 1 << 30;

const webUserName = () => webUser.name ?? userInfo().username;

/**
 * bdfu as a CGI script under a real Apache with the given MPM (event → mod_cgid, prefork →
 * mod_cgi), in the three ways apache/ ships, each running the whole upload and files suites.
 * `script` is what Apache runs: the checkout's cgi-bin/bdfu, or the single executable.
 */
export async function apacheCgiSuite(t: Test, mpm: Mpm, script = cgiScript()): Promise<void> {
  const work = reachableTempDir(`bdfu-apache-${mpm}-`);
  const docroot = join(work, 'htdocs');
  const probe = join(work, 'probe.cgi');
  writeCgiProbe(probe);

  const passauth = webFixture(`apache-${mpm}-passauth`);
  const rewrite = webFixture(`apache-${mpm}-rewrite`);
  const htaccess = webFixture(`apache-${mpm}-htaccess`);
  const nopass = webFixture(`apache-${mpm}-nopass`);
  // Owned by the test's user and not writable by Apache's (or, when that is us, by nobody).
  const unwritable = makeFixture(`apache-${mpm}-unwritable`);
  mkdirSync(unwritable.storageDir, { mode: 0o755 });
  if (webUser.name === undefined) chmodSync(unwritable.storageDir, 0o555);

  hostingDir(join(docroot, 'files'), script, htaccess.config);
  hostingDir(join(docroot, 'probe'), probe);
  const nopassHome = scriptHome(work, 'nopass', script);

  const config = [
    // The host's side of shared hosting: the least that apache/.htaccess says it needs.
    `<Directory ${docroot}>\n    AllowOverride FileInfo AuthConfig Options=ExecCGI\n    Require all granted\n</Directory>`,
    includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'passauth', script), BDFU_CONFIG: passauth.config, BDFU_URL: '/passauth' }),
    includeSnippet('bdfu-cgi-rewrite.conf', { BDFU_HOME: scriptHome(work, 'rewrite', script), BDFU_CONFIG: rewrite.config, BDFU_URL: '/rewrite' }),
    includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'probe-passauth', probe), BDFU_CONFIG: passauth.config, BDFU_URL: '/probe-passauth' }),
    includeSnippet('bdfu-cgi-rewrite.conf', { BDFU_HOME: scriptHome(work, 'probe-rewrite', probe), BDFU_CONFIG: rewrite.config, BDFU_URL: '/probe-rewrite' }),
    includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'unwritable', script), BDFU_CONFIG: unwritable.config, BDFU_URL: '/unwritable' }),
    // What a bare ScriptAlias does: no CGIPassAuth, no rewrite rule.
    `ScriptAlias /nopass ${nopassHome}/cgi-bin/bdfu`,
    `<Directory ${nopassHome}/cgi-bin>\n    Require all granted\n    SetEnv BDFU_SETTINGS ${nopass.config}\n</Directory>`,
  ].join('\n');
  const apache = await startApache(t, { mpm, documentRoot: docroot, config: () => config });
  const url = (path: string) => `${apache.origin}${path}`;

  const modes: Array<[string, string, string, Fixture]> = [
    ['CGIPassAuth On (apache/bdfu-cgi.conf)', '/passauth/', '/probe-passauth/', passauth],
    ['the rewrite rule (apache/bdfu-cgi-rewrite.conf)', '/rewrite/', '/probe-rewrite/', rewrite],
    ['only the shipped apache/.htaccess, pretty URLs', '/files/', '/probe/', htaccess],
  ];
  for (const [name, mount, probeMount, fixture] of modes) {
    await t.test(`${mpm}: ${name}`, async (t) => {
      const target = () => ({ baseUrl: url(mount), storageDir: fixture.storageDir, secret: fixture.secret, apache: 'cgi' as const });
      uploadSuite(t, target);
      filesSuite(t, target);

      t.test('the core sees the mount, the token and the client as Apache got them', async (t) => {
        const res = await http(url(`${probeMount}upload`), { method: 'POST', headers: { authorization: 'Bearer abc' }, body: 'four' });
        t.equal(res.status, 200, res.text);
        const seen = res.json as Probed;
        t.equal(seen.baseUrl, url(probeMount), 'links would point back through Apache');
        t.equal(seen.path, '/upload');
        t.equal(seen.headers.authorization, 'Bearer abc', 'Authorization reaches the script');
        t.equal(seen.remoteAddress, '127.0.0.1');
        t.equal(seen.bytes, 4);
      });

      t.test('a chunked body: Apache de-chunks it and leaves CONTENT_LENGTH unset', async (t) => {
        const data = randomBytes(100_000);
        const token = await originalToken('chunky', fixture.secret);
        const res = await chunkedUpload(url(`${mount}upload`), token, data);
        t.equal(res.status, 201, res.text);
        t.same(readFileSync(join(fixture.storageDir, 'chunky', res.json.id)), data, 'stored byte for byte');
        const seen = (await chunkedUpload(url(`${probeMount}upload`), token, data)).json as Probed;
        t.equal(seen.env?.CONTENT_LENGTH, null, 'no CONTENT_LENGTH');
        t.equal(seen.env?.HTTP_TRANSFER_ENCODING, 'chunked');
        t.ok(seen.bytes > data.length, 'the whole body reached the script');
      });

      t.test('a Proxy: request header changes nothing (httpoxy)', async (t) => {
        const token = await originalToken('proxied', fixture.secret);
        const data = randomBytes(3000);
        const res = await uploadFile(url(mount), token, data, 'p.bin', { proxy: 'http://127.0.0.1:9/' });
        t.equal(res.status, 201, res.text);
        t.same(readFileSync(join(fixture.storageDir, 'proxied', res.json.id)), data);
        const seen = (await http(url(`${probeMount}upload`), { method: 'POST', headers: { proxy: 'http://127.0.0.1:9/' }, body: 'x' })).json as Probed;
        t.equal(seen.env?.HTTP_PROXY, null, 'the script never sees HTTP_PROXY');
        t.notOk('proxy' in seen.headers, 'nor a proxy header');
      });
    });
  }

  await t.test(`${mpm}: without CGIPassAuth or the rewrite rule, the 401 says why`, async (t) => {
    const token = await originalToken('sally', nopass.secret);
    const res = await uploadFile(url('/nopass/'), token, Buffer.from('hello'));
    t.equal(res.status, 401);
    t.equal(res.json.code, 'token_missing');
    t.match(res.json.error, /the web server in front of bdfu is dropping it/);
    t.match(res.json.error, /Passing the Authorization header/, 'names the README section');
    const passed = await uploadFile(url('/passauth/'), await originalToken('sally', passauth.secret), Buffer.from('hello'));
    t.equal(passed.status, 201, 'the same upload with CGIPassAuth On is taken');
  });

  await t.test(`${mpm}: LimitRequestBody: Apache's default stops CGI bodies over 1 GiB, the shipped files raise it`, async (t) => {
    // Apache refuses on the announced Content-Length alone, before it runs the script.
    t.equal(await statusForAnnounced(url('/nopass/upload'), GiB + 1), 413, 'a bare ScriptAlias: over 1 GiB is refused');
    for (const mount of ['/passauth/', '/rewrite/', '/files/']) {
      t.equal(await statusForAnnounced(url(`${mount}upload`), 2 ** 31), 413, `${mount}: over 2147483647 bytes is refused`);
    }
  });

  await t.test(`${mpm}: a storage directory Apache's user cannot write is a 500 that says so`, async (t) => {
    const res = await uploadFile(url('/unwritable/'), await originalToken('sally', unwritable.secret), Buffer.from('hello'));
    t.equal(res.status, 500);
    t.equal(res.json.code, 'storage_unwritable');
    t.notMatch(res.json.error, unwritable.storageDir, 'the client is not told the directory');
    t.match(apache.errorLog(), unwritable.storageDir, 'Apache’s error log names the directory');
    t.match(apache.errorLog(), webUserName(), 'and the user the script runs as');
  });

  await t.test(`${mpm}: the .htaccess serves no file of its directory`, async (t) => {
    const config = await http(url('/files/bdfu.cfg'));
    t.equal(config.status, 403, 'bdfu.cfg is refused');
    t.notMatch(config.text, htaccess.secret, 'the secret is not in the answer');
    const dotfile = await http(url('/files/.htaccess'));
    t.equal(dotfile.status, 403);
    const other = await http(url('/files/no/such/file.txt'));
    t.equal(other.json?.code, 'not_found', 'any other path is a bdfu route');
  });
}

/** `bdfu ARGS` as Apache's user runs CGI scripts: what it writes into a CGI's storage stays the script's to change. */
export function bdfuAsWebUser(args: string[], options: { input?: string | Buffer } = {}) {
  return run(process.execPath, [join(webRoot(), 'dist/cli/main.js'), ...args], { ...options, uid: webUser.uid, gid: webUser.gid, env: childEnv() });
}
