import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { NODE_VERSION } from '../../scripts/sea/pinned-node.mjs';
import { VERSION } from '../../src/version.js';
import { DIST, ensureExecutable, installCgi } from '../helpers/executable.js';
import { makeFixture } from '../helpers/fixture.js';
import { multipart } from '../helpers/http.js';
import { originalToken } from '../helpers/original-token.js';
import { run } from '../helpers/run.js';

const executable = await ensureExecutable();
// Each bare directory gets its own 80-odd MiB copy of the executable: removed at the end.
const madeDirs: string[] = [];
t.teardown(() => madeDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A directory with nothing of the project in it or above it: no node_modules anywhere up the tree. */
function bareDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bdfu-${name}-`));
  madeDirs.push(dir);
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) throw new Error(`${d} has node_modules: not a bare directory`);
  }
  return dir;
}

/** One CGI request as a web server makes it, with nothing else in the environment (`env -i`). */
async function cgi(script: string, request: { method: string; path: string; env?: Record<string, string>; body?: Buffer; cwd: string }) {
  const env: Record<string, string> = {
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: request.method,
    PATH_INFO: request.path,
    SCRIPT_NAME: '/cgi-bin/anything.cgi',
    SERVER_NAME: 'example.org',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '192.0.2.1',
    ...request.env,
  };
  if (request.body) env.CONTENT_LENGTH = String(request.body.length);
  const ran = await run(script, [], { env, cwd: request.cwd, input: request.body ?? '' });
  const split = ran.stdout.indexOf('\r\n\r\n');
  const head = ran.stdout.slice(0, split);
  const body = ran.stdout.slice(split + 4);
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { ...ran, status: Number(/^Status: (\d+)/.exec(head)?.[1]), head, json };
}

async function uploadRequest(secret: string, user: string, data: Buffer) {
  const { body, contentType } = multipart([{ name: 'file', filename: 'note.txt', type: 'text/plain', data }]);
  return { body, env: { CONTENT_TYPE: contentType, HTTP_AUTHORIZATION: `Bearer ${await originalToken(user, secret)}` } };
}

t.test('--version names bdfu and the Node it is built on, with an empty environment, far from node_modules', async (t) => {
  const dir = bareDir('exe-version');
  const copy = installCgi(executable, dir, 'bdfu');
  const ran = await run(copy, ['--version'], { env: {}, cwd: dir });
  t.equal(ran.code, 0, ran.stderr);
  t.equal(ran.stdout, `bdfu ${VERSION} (node v${NODE_VERSION})\n`);
  t.equal(ran.stderr, '', 'no experimental-feature warning');
});

t.test('gen-token works with an empty environment', async (t) => {
  const ran = await run(executable, ['gen-token', 'sally', 'a-long-enough-secret'], { env: {}, cwd: bareDir('exe-token') });
  t.equal(ran.code, 0, ran.stderr);
  t.match(ran.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'prints a JWT');
  const bad = await run(executable, ['gen-token', '../x', 'secret'], { env: {}, cwd: bareDir('exe-token') });
  t.not(bad.code, 0, 'a bad user name fails');
  t.match(bad.stderr, /^bdfu: .*\n$/, 'in one line');
});

t.test('copied into cgi-bin under any name, with bdfu.json beside it and no PATH, it serves an upload', async (t) => {
  const fixture = makeFixture('exe-cgi-json');
  const json = join(fixture.dir, 'settings.json');
  writeFileSync(json, JSON.stringify({ JWT_SECRET_KEY: fixture.secret, STORAGE_DIR: fixture.storageDir }));
  const script = installCgi(executable, bareDir('exe-cgi-json'), 'upload-here.cgi', { file: json, as: 'bdfu.json' });
  const data = randomBytes(3000);
  const { body, env } = await uploadRequest(fixture.secret, 'sally', data);
  const res = await cgi(script, { method: 'POST', path: '/upload', env, body, cwd: '/' });
  t.equal(res.status, 201, res.stdout + res.stderr);
  t.match(res.head, /^content-type: application\/json/m);
  t.same(readFileSync(join(fixture.storageDir, 'sally', res.json.id)), data, 'the stored file is the upload');
  t.equal(res.json.sha256, createHash('sha256').update(data).digest('hex'));
});

t.test('a symbolic link to it finds the bdfu.cfg beside the link, from SCRIPT_FILENAME', async (t) => {
  const target = makeFixture('exe-target');
  const linked = makeFixture('exe-link');
  const real = installCgi(executable, bareDir('exe-real'), 'bdfu', { file: target.config, as: 'bdfu.cfg' });
  const hosting = join(bareDir('exe-link'), 'files');
  mkdirSync(hosting);
  const link = join(hosting, 'bdfu.cgi');
  symlinkSync(real, link);
  writeFileSync(join(hosting, 'bdfu.cfg'), readFileSync(linked.config));
  const { body, env } = await uploadRequest(linked.secret, 'lina', Buffer.from('linked'));
  const res = await cgi(link, { method: 'POST', path: '/upload', env: { ...env, SCRIPT_FILENAME: link }, body, cwd: '/' });
  t.equal(res.status, 201, res.stdout + res.stderr);
  t.ok(existsSync(join(linked.storageDir, 'lina', res.json.id)), 'stored where the bdfu.cfg beside the link says');
  t.notOk(existsSync(join(target.storageDir, 'lina')), 'not where the one beside the real file says');
});

t.test('the web page is inside the executable', async (t) => {
  const fixture = makeFixture('exe-page');
  const script = installCgi(executable, bareDir('exe-page'), 'bdfu.cgi', { file: fixture.config, as: 'bdfu.cfg' });
  const page = await cgi(script, { method: 'GET', path: '/ui/', cwd: '/' });
  t.equal(page.status, 200, page.stderr);
  t.match(page.head, /^content-type: text\/html/m);
  const asset = /app-[0-9a-f]{12}\.js/.exec(page.stdout)?.[0];
  t.ok(asset, 'the page names its script');
  const js = await cgi(script, { method: 'GET', path: `/ui/${asset}`, cwd: '/' });
  t.equal(js.status, 200, js.stderr);
  t.match(js.head, /^content-type: [a-z]+\/javascript/m);
});

t.test('BDFU_SETTINGS wins over a bdfu.cfg beside the executable', async (t) => {
  const beside = makeFixture('exe-beside');
  const named = makeFixture('exe-named');
  const script = installCgi(executable, bareDir('exe-settings'), 'bdfu.cgi', { file: beside.config, as: 'bdfu.cfg' });
  const { body, env } = await uploadRequest(named.secret, 'nina', Buffer.from('named'));
  const res = await cgi(script, { method: 'POST', path: '/upload', env: { ...env, BDFU_SETTINGS: named.config }, body, cwd: '/' });
  t.equal(res.status, 201, res.stdout + res.stderr);
  t.ok(existsSync(join(named.storageDir, 'nina', res.json.id)), 'stored where BDFU_SETTINGS says');
  t.notOk(existsSync(join(beside.storageDir, 'nina')), 'not where bdfu.cfg says');
});

t.test('with no settings anywhere it answers 500 config_error as JSON, not a stack trace', async (t) => {
  const dir = bareDir('exe-nocfg');
  const script = installCgi(executable, dir, 'bdfu.cgi');
  const res = await cgi(script, { method: 'GET', path: '/upload', cwd: dir });
  t.equal(res.status, 500, res.stdout);
  t.equal(res.json?.code, 'config_error');
  t.notMatch(res.json?.error, /JWT_SECRET_KEY/, 'which setting is for the error log, not the client');
  t.match(res.stderr, /JWT_SECRET_KEY/, 'the error log names it');
  t.notMatch(res.stdout, /\n\s+at /, 'no stack trace in the answer');
});

t.test('SHA256SUMS lists every executable in dist/ with its checksum', async (t) => {
  const sums = readFileSync(join(DIST, 'SHA256SUMS'), 'utf8').trim().split('\n');
  t.ok(sums.some((line) => line.endsWith(`  bdfu-linux-${process.arch}`)), 'this machine’s executable is listed');
  for (const line of sums) {
    const [sum, name] = line.split('  ');
    t.equal(createHash('sha256').update(readFileSync(join(DIST, name!))).digest('hex'), sum, `${name}: checksum matches`);
  }
});

/** The SEA blob's flags word (Node 20: magic 0x0143da20, then flags; 1 = no warning, 2 = snapshot, 4 = code cache). */
function seaFlags(file: string): number {
  const binary = readFileSync(file);
  const codePath = Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('bdfu.cjs')]);
  const at = binary.indexOf(codePath);
  if (at < 8 || binary.readUInt32LE(at - 8) !== 0x0143da20) throw new Error(`${file}: no SEA blob of bdfu.cjs found`);
  return binary.readUInt32LE(at - 4);
}

t.test('the executables: this machine’s has V8’s code cache, the other architecture’s is portable (none)', async (t) => {
  const elfMachine = { x64: 0x3e, arm64: 0xb7 } as const;
  for (const arch of ['x64', 'arm64'] as const) {
    const file = join(DIST, `bdfu-linux-${arch}`);
    t.ok(existsSync(file), `${file} was built`);
    const head = readFileSync(file).subarray(0, 20);
    t.equal(head.readUInt16LE(18), elfMachine[arch], `${arch}: an ELF executable for ${arch}`);
    const flags = seaFlags(file);
    t.equal(flags & 1, 1, `${arch}: no experimental-feature warning`);
    t.equal(flags & 2, 0, `${arch}: no snapshot`);
    t.equal(Boolean(flags & 4), arch === process.arch, `${arch}: code cache ${arch === process.arch ? 'on' : 'off'}`);
  }
});
