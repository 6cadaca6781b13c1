import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { NODE_VERSION } from '../../scripts/sea/pinned-node.mjs';
import { VERSION } from '../../src/version.js';
import { DIST, ensureExecutable } from '../helpers/executable.js';
import { makeFixture } from '../helpers/fixture.js';
import { multipart } from '../helpers/http.js';
import { run } from '../helpers/run.js';

// The arm64 executable, built on this (x64) machine, run under user-mode emulation: Debian's
// qemu-user with the arm64 C and C++ libraries (libc6-arm64-cross, libstdc++6-arm64-cross), all in
// .ci/apt-packages. Each start takes a few seconds: three runs, the ones that matter.

const QEMU = '/usr/bin/qemu-aarch64';
const SYSROOT = '/usr/aarch64-linux-gnu';
const ARM64 = join(DIST, 'bdfu-linux-arm64');

await ensureExecutable();
for (const needed of [QEMU, join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1'), join(SYSROOT, 'lib', 'libstdc++.so.6')]) {
  if (!existsSync(needed)) throw new Error(`${needed} is missing: install qemu-user libc6-arm64-cross libstdc++6-arm64-cross (.ci/apt-packages; npm test installs them as root)`);
}

const work = mkdtempSync(join(tmpdir(), 'bdfu-arm64-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

/** The arm64 executable under qemu, with nothing else in its environment. */
const arm64 = (args: string[], env: Record<string, string> = {}, input: Buffer | string = '') =>
  run(QEMU, ['-L', SYSROOT, ARM64, ...args], { cwd: work, env, input });

t.test('--version', async (t) => {
  const ran = await arm64(['--version']);
  t.equal(ran.code, 0, ran.stderr);
  t.equal(ran.stdout, `bdfu ${VERSION} (node v${NODE_VERSION})\n`);
});

t.test('gen-token, then a CGI upload with that token stores the bytes', async (t) => {
  const fixture = makeFixture('arm64');
  const made = await arm64(['gen-token', '--expires-in', '600', 'alice', fixture.secret]);
  t.equal(made.code, 0, made.stderr);
  const token = made.stdout.trim();
  t.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');

  const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff));
  const { body, contentType } = multipart([{ name: 'file', filename: 'arm.bin', data }]);
  const cgi = await arm64([], {
    GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'POST', PATH_INFO: '/upload', SCRIPT_NAME: '/cgi-bin/bdfu.cgi',
    SERVER_NAME: 'example.org', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '192.0.2.1',
    CONTENT_TYPE: contentType, CONTENT_LENGTH: String(body.length), HTTP_AUTHORIZATION: `Bearer ${token}`, BDFU_SETTINGS: fixture.config,
  }, body);
  t.match(cgi.stdout, /^Status: 201 /, cgi.stdout + cgi.stderr);
  const reply = JSON.parse(cgi.stdout.slice(cgi.stdout.indexOf('\r\n\r\n') + 4));
  t.same(readFileSync(join(fixture.storageDir, 'alice', reply.id)), data, 'stored byte for byte');
});
