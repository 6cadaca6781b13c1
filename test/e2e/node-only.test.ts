import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, statSync, existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHandler, VERSION } from '../../src/index.js';
import { startBdfu } from '../helpers/serve.js';
import { makeFixture } from '../helpers/fixture.js';
import { uploadFile, http } from '../helpers/http.js';
import { originalToken } from '../helpers/original-token.js';
import { bdfu, run } from '../helpers/run.js';
import { ROOT } from '../helpers/paths.js';
import { CHILD_PATH } from '../helpers/child-env.js';

/** Sends only the head of a request with `Expect: 100-continue` and reports what came back first. */
function firstAnswer(url: string, headers: Record<string, string>): Promise<string> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => {
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nExpect: 100-continue\r\n` +
        `Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 10485760\r\n${lines}\r\n`);
    });
    let seen = '';
    socket.on('data', (c: Buffer) => {
      seen += c.toString('latin1');
      if (seen.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(seen.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
  });
}

t.test('Expect: 100-continue is answered only after the token checked out', async (t) => {
  const fixture = makeFixture('expect');
  const server = await startBdfu([fixture.config]);
  t.teardown(() => server.stop());
  const refused = await firstAnswer(`${server.url}upload`, { Authorization: 'Bearer nope' });
  t.match(refused, /^HTTP\/1\.1 401/, 'a bad token is refused before the body is sent');
  const accepted = await firstAnswer(`${server.url}upload`, { Authorization: `Bearer ${await originalToken('sally', fixture.secret)}` });
  t.match(accepted, /^HTTP\/1\.1 100 Continue/, 'a good token is invited to send');
});

/** A directory for PATH holding `node` (this Node) and, when asked, a `bdfu` as `npm link` makes it. */
function binDir(withBdfu: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-bin-'));
  symlinkSync(process.execPath, join(dir, 'node'));
  if (withBdfu) symlinkSync(join(ROOT, 'dist/cli/main.js'), join(dir, 'bdfu'));
  return dir;
}

t.test('the embedded default: no configuration at all', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'bdfu-embedded-'));
  // PATH is set here, not taken from whoever runs the tests: with bdfu on it or not, both cases.
  const env = { PATH: `${binDir(false)}:/usr/bin:/bin` };
  const server = await startBdfu([], { cwd, env });
  t.teardown(() => server.stop());
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'listens on loopback only');
  const secretFile = join(cwd, 'bdfu-data', '.jwt-secret');
  t.equal(statSync(secretFile).mode & 0o777, 0o600, 'the secret is made with mode 0600');
  t.match(readFileSync(secretFile, 'utf8'), /^[0-9a-f]{64}\n$/, 'made as hex: it never starts with a dash');
  const line = /make a token with: (.* gen-token .*)$/m.exec(server.output())?.[1];
  t.equal(line, `node ${join(ROOT, 'dist/cli/main.js')} gen-token --expires-in 3600 alice -- "$(cat bdfu-data/.jwt-secret)"`,
    'prints the exact line to use (bdfu is not on PATH here, so it names the program)');
  const made = await run('sh', ['-c', line!], { cwd, env });
  t.equal(made.code, 0, made.stderr);
  const res = await uploadFile(server.url, made.stdout.trim(), Buffer.from('hello'));
  t.equal(res.status, 201, 'the printed line makes a working token');
  t.ok(existsSync(join(cwd, 'bdfu-data', 'alice', res.json.id)));

  await server.stop();
  const linked = { PATH: `${binDir(true)}:/usr/bin:/bin` };
  const again = await startBdfu([], { cwd, env: linked });
  t.teardown(() => again.stop());
  const stillValid = await uploadFile(again.url, made.stdout.trim(), Buffer.from('again'));
  t.equal(stillValid.status, 201, 'the secret survives a restart');
  const short = /make a token with: (.* gen-token .*)$/m.exec(again.output())?.[1];
  t.equal(short, 'bdfu gen-token --expires-in 3600 alice -- "$(cat bdfu-data/.jwt-secret)"', 'with bdfu on PATH (npm link), it says bdfu');
  const viaLink = await run('sh', ['-c', short!], { cwd, env: linked });
  t.equal(viaLink.code, 0, viaLink.stderr);
  t.equal((await uploadFile(again.url, viaLink.stdout.trim(), Buffer.from('linked'))).status, 201, 'and that line works too');

  // The web page's sign-in example in README, as written, in a checkout where npm start ran.
  const example = /^ {2}\$ (echo "http:\/\/localhost:8080\/#token=.*)$/m.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1];
  t.ok(example, 'README shows a sign-in link example');
  symlinkSync(join(ROOT, 'dist'), join(cwd, 'dist'));
  const link = await run('sh', ['-c', example!], { cwd, env });
  t.equal(link.code, 0, link.stderr);
  const token = /#token=(\S+)$/.exec(link.stdout.trim())?.[1];
  const listed = await http(`${again.url}files/alice/`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(listed.status, 200, 'its token works against the embedded default, with the read scope');
});

t.test('the printed token line works with a kept secret that starts with a dash (base64url, as earlier versions made)', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'bdfu-embedded-'));
  mkdirSync(join(cwd, 'bdfu-data'), { mode: 0o700 });
  writeFileSync(join(cwd, 'bdfu-data', '.jwt-secret'), '-iXKupM8pKdKTbepFim0vyhHVRkoTpcOC7piCVkzaCc\n', { mode: 0o600 });
  const env = { PATH: `${binDir(false)}:/usr/bin:/bin` };
  const server = await startBdfu([], { cwd, env });
  t.teardown(() => server.stop());
  const line = /make a token with: (.* gen-token .*)$/m.exec(server.output())?.[1];
  const made = await run('sh', ['-c', line!], { cwd, env });
  t.equal(made.code, 0, made.stderr);
  t.equal((await uploadFile(server.url, made.stdout.trim(), Buffer.from('dash'))).status, 201, 'the line makes a working token');
});

t.test('serve refuses a bad configuration with one line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-badcfg-'));
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [[join(dir, 'missing.cfg')], {}, /^bdfu: cannot read configuration file .*missing\.cfg: ENOENT\n$/],
    [[], { BDFU_SETTINGS: join(dir, 'missing.cfg') }, /^bdfu: cannot read configuration file/],
    [[], { BDFU_JWT_SECRET_KEY: '', BDFU_STORAGE_DIR: dir, BDFU_SETTINGS: '' }, /./],
  ];
  for (const [args, env, message] of cases.slice(0, 2)) {
    const res = await bdfu(['serve', ...args, '--port', '0'], { env: { PATH: CHILD_PATH, ...env } });
    t.equal(res.code, 1);
    t.match(res.stderr, message);
    t.notMatch(res.stderr, /\n\s+at /, 'no stack trace');
  }
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'nosecret.cfg'), "STORAGE_DIR = '/tmp/x'\n");
  const noSecret = await bdfu(['serve', join(dir, 'nosecret.cfg')], { env: { PATH: CHILD_PATH } });
  t.equal(noSecret.code, 1);
  t.match(noSecret.stderr, /^bdfu: JWT_SECRET_KEY is not set or empty: refusing to start/);
  const badPort = await bdfu(['serve', '--port', 'http']);
  t.not(badPort.code, 0);
  t.match(badPort.stderr, /port must be a number/);
});

t.test('serve and server, --ip and --port', async (t) => {
  const fixture = makeFixture('flags');
  const server = await startBdfu([fixture.config, '--ip', '127.0.0.2']);
  t.teardown(() => server.stop());
  t.match(server.url, /^http:\/\/127\.0\.0\.2:\d+\/$/);
  t.equal((await uploadFile(server.url, await originalToken('x', fixture.secret), Buffer.from('x'))).status, 201);
  const help = await bdfu(['server', '--help']);
  t.match(help.stdout, /Usage: bdfu serve\|server/, 'server is an alias of serve');
});

t.test('the CLI: gen-token, upload errors, version', async (t) => {
  const version = await bdfu(['--version']);
  t.equal(version.stdout, `bdfu ${VERSION} (node ${process.version})\n`);
  t.equal(VERSION, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version, 'VERSION matches package.json');
  const bad = await bdfu(['gen-token', '../x', 'secret']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^bdfu: the user name "\.\.\/x" /);
  const expires = await bdfu(['gen-token', '--expires-in', 'soon', 'a', 'b']);
  t.not(expires.code, 0);
  const fixture = makeFixture('cli');
  const server = await startBdfu([fixture.config]);
  t.teardown(() => server.stop());
  const noFile = await bdfu(['upload', server.url, 'x', join(fixture.dir, 'nope.bin')]);
  t.equal(noFile.code, 1);
  t.equal(noFile.stderr, `bdfu: cannot read ${join(fixture.dir, 'nope.bin')}: ENOENT\n`);
  const refused = await bdfu(['upload', server.url, 'not-a-token', fixture.config]);
  t.equal(refused.code, 1);
  t.equal(refused.stderr, 'bdfu: upload failed: HTTP 401: the token is not a well-formed JWT\n');
  const unreachable = await bdfu(['upload', 'http://127.0.0.1:1/', 'x', fixture.config]);
  t.equal(unreachable.code, 1);
  t.match(unreachable.stderr, /^bdfu: cannot reach http:\/\/127\.0\.0\.1:1: ECONNREFUSED\n$/);
  const token = await originalToken('sally', fixture.secret);
  const json = await bdfu(['upload', '--json', server.url, token, fixture.config]);
  t.equal(JSON.parse(json.stdout).name, 'bdfu.cfg', '--json prints the whole answer');
});

t.test('createHandler mounts bdfu in your own Node server', async (t) => {
  const storageDir = mkdtempSync(join(tmpdir(), 'bdfu-lib-'));
  const secret = 'library-secret-0123456789';
  t.throws(() => createHandler({ jwtSecretKey: '', storageDir }), { name: 'ConfigError' }, 'validated like a configuration file');
  const server = createServer(createHandler({ jwtSecretKey: secret, storageDir, basePath: '/bdfu/' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const res = await uploadFile(`${base}/bdfu/`, await originalToken('lib', secret), Buffer.from('library'));
  t.equal(res.status, 201);
  t.equal(readFileSync(join(storageDir, 'lib', res.json.id), 'utf8'), 'library');
  t.equal((await http(`${base}/elsewhere/upload`, { method: 'POST' })).status, 404, 'nothing outside its mount');
});

t.test('bdfu upload draws a progress bar on a terminal, and only there', async (t) => {
  const fixture = makeFixture('progress');
  const server = await startBdfu([fixture.config]);
  t.teardown(() => server.stop());
  const { writeFileSync } = await import('node:fs');
  const { randomBytes } = await import('node:crypto');
  const file = join(fixture.dir, 'large.bin');
  writeFileSync(file, randomBytes(3 << 20));
  const token = await originalToken('tty', fixture.secret);
  const cli = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'dist/cli/main.js'))}`;
  // `script` gives the command a pseudo-terminal, as a person's shell would.
  const onTty = await run('script', ['-qec', `${cli} upload ${server.url} ${token} ${file}`, '/dev/null']);
  t.equal(onTty.code, 0, onTty.stderr);
  t.match(onTty.stdout, /large\.bin \[#+\] 100% 3\.0 MiB/, 'progress reaches 100 %');
  t.match(onTty.stdout, /[0-9a-f]{32}/);
  const piped = await bdfu(['upload', server.url, token, file]);
  t.equal(piped.stderr, '', 'no progress bar when stderr is not a terminal');
  t.match(piped.stdout, /^[0-9a-f]{32}\n$/);
});
