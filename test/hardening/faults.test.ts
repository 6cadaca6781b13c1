import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import t from 'tap';
import { createHandler } from '../../src/adapters/node.js';
import { FsStore } from '../../src/storage/fs-store.js';
import { startCgiHost } from '../helpers/cgi-host.js';
import { FailingStore } from '../helpers/failing-store.js';
import { makeFixture } from '../helpers/fixture.js';
import { multipart, uploadFile } from '../helpers/http.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { bdfu, run } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { eventually, leftovers, storedFiles } from '../helpers/storage-tree.js';
import { hs256 } from './bad-input-cases.js';

/** BDFU_STRESS=10 runs ten times as many aborts (and the load tests ten times as long). */
const STRESS = Math.max(1, Number(process.env.BDFU_STRESS) || 1);
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends a random-length prefix of an upload request and drops the connection. */
async function abortedUpload(url: string, token: string): Promise<void> {
  const form = multipart([{ name: 'file', filename: 'abort.bin', data: randomBytes(Math.floor(Math.random() * 512 * 1024)) }]);
  const target = new URL(url);
  const head = Buffer.from(`POST ${target.pathname}upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: ${form.contentType}\r\nContent-Length: ${form.body.length}\r\n\r\n`);
  const whole = Buffer.concat([head, form.body]);
  const cut = Math.floor(Math.random() * (whole.length - 1));
  const socket = connect(Number(target.port), target.hostname);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  await new Promise<void>((resolve) => socket.write(whole.subarray(0, cut), () => resolve()));
  await sleep(Math.random() * 30);
  socket.destroy();
}

async function abortMany(t: Tap, url: string, storageDir: string, secret: string, count: number) {
  const token = await hs256({ user: 'aborter', exp: now() + 3600 }, secret);
  for (let done = 0; done < count; done += 10) {
    await Promise.all(Array.from({ length: Math.min(10, count - done) }, () => abortedUpload(url, token)));
  }
  t.ok(await eventually(() => leftovers(storageDir).length === 0, 30_000), `no temporary file or lease left after ${count} aborts: ${leftovers(storageDir).slice(0, 5).join(' ')}`);
  t.same(storedFiles(storageDir), [], 'no partial file under a real id');
  const reply = await uploadFile(url, token, randomBytes(10_000));
  t.equal(reply.status, 201, 'and the server keeps serving');
}

type Tap = typeof t;

t.test(`${100 * STRESS} client aborts at random points (Node server)`, async (t) => {
  const fixture = makeFixture('aborts');
  const served = await startBdfu([fixture.config]);
  t.teardown(() => served.stop());
  await abortMany(t as Tap, served.url, fixture.storageDir, fixture.secret, 100 * STRESS);
});

t.test(`${20 * STRESS} client aborts at random points (CGI)`, async (t) => {
  const fixture = makeFixture('aborts-cgi');
  const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
  t.teardown(() => host.close());
  await abortMany(t as Tap, host.url, fixture.storageDir, fixture.secret, 20 * STRESS);
});

t.test('SIGKILL mid-upload: after a restart no partial file is visible and leftovers are swept', async (t) => {
  const fixture = makeFixture('sigkill', { QUOTA_BYTES: 3 * 1024 * 1024 });
  const served = await startBdfu([fixture.config]);
  // Should anything below fail before the kill, the server and the connection still go (or the test file would hang).
  t.teardown(() => served.stop());
  const token = await hs256({ user: 'victim', exp: now() + 600 }, fixture.secret);
  const form = multipart([{ name: 'file', filename: 'killed.bin', data: randomBytes(2 * 1024 * 1024) }]);
  const target = new URL(served.url);
  const socket = connect(Number(target.port), target.hostname);
  t.teardown(() => socket.destroy());
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: ${form.contentType}\r\nContent-Length: ${form.body.length}\r\n\r\n`);
  socket.write(form.body.subarray(0, 1024 * 1024));
  t.ok(await eventually(() => leftovers(fixture.storageDir).some((p) => p.endsWith('.part'))), 'the upload is being written');
  served.child.kill('SIGKILL');
  await once(served.child, 'exit');
  socket.destroy();
  t.ok(leftovers(fixture.storageDir).some((p) => p.endsWith('.lease')), 'the killed process left its lease behind');
  t.same(storedFiles(fixture.storageDir), [], 'no partial file under a real id');

  const restarted = await startBdfu([fixture.config]);
  t.teardown(() => restarted.stop());
  t.same(leftovers(fixture.storageDir), [], 'swept at start-up: the process that owned them is gone');
  const reply = await uploadFile(restarted.url, token, randomBytes(2 * 1024 * 1024));
  t.equal(reply.status, 201, 'the dead upload holds no quota');
});

t.test('disk full and write errors, injected at the storage seam', async (t) => {
  const fixture = makeFixture('diskfull');
  const store = new FailingStore(new FsStore(fixture.storageDir));
  const server = createServer(createHandler({ storageDir: fixture.storageDir, jwtSecretKey: fixture.secret }, { store, log: () => undefined }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const token = await hs256({ user: 'full', exp: now() + 600 }, fixture.secret);

  store.failure = { code: 'ENOSPC', after: 100_000 };
  const full = await uploadFile(url, token, randomBytes(500_000));
  t.equal(full.status, 507);
  t.equal(full.json.code, 'insufficient_storage');
  t.match(full.json.error, /no space left/);
  t.same(storedFiles(fixture.storageDir), [], 'nothing partial');
  t.same(leftovers(fixture.storageDir), [], 'no temporary file');

  store.failure = { code: 'EIO', after: 0 };
  const broken = await uploadFile(url, token, randomBytes(1000));
  t.equal(broken.status, 500);
  t.equal(broken.json.code, 'storage_error');
  t.match(broken.json.error, /EIO/);
  t.same(storedFiles(fixture.storageDir), []);
  t.same(leftovers(fixture.storageDir), []);

  store.failure = undefined;
  const fine = await uploadFile(url, token, randomBytes(500_000));
  t.equal(fine.status, 201, 'the next upload works once the disk is back');
});

t.test('disk full on a real 1 MiB tmpfs, where the machine lets us mount one', async (t) => {
  const fixture = makeFixture('tmpfs');
  mkdirSync(fixture.storageDir, { recursive: true });
  const mounted = await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', fixture.storageDir]).catch(() => ({ code: 1, stderr: 'no mount' }));
  if (mounted.code !== 0) {
    // Not allowed here (no root, or a container without CAP_SYS_ADMIN): the injected test above covers it.
    t.pass(`cannot mount a tmpfs here (${mounted.stderr.trim()}); ENOSPC is covered by injection`);
    return;
  }
  t.teardown(() => run('umount', [fixture.storageDir]));
  const served = await startBdfu([fixture.config]);
  t.teardown(() => served.stop());
  const token = await hs256({ user: 'tiny', exp: now() + 600 }, fixture.secret);
  const full = await uploadFile(served.url, token, randomBytes(2 * 1024 * 1024));
  t.equal(full.status, 507);
  t.equal(full.json.code, 'insufficient_storage');
  t.same(storedFiles(fixture.storageDir), []);
  t.ok(await eventually(() => leftovers(fixture.storageDir).length === 0), 'the partial temporary file is gone, and the space with it');
  t.equal((await uploadFile(served.url, token, randomBytes(100_000))).status, 201, 'the next upload that fits works');
});

t.test('a storage directory that cannot be created: bdfu serve says which and as whom', async (t) => {
  const fixture = makeFixture('unwritable');
  const blocker = join(fixture.dir, 'plain-file');
  writeFileSync(blocker, 'x');
  const storage = join(blocker, 'storage');
  writeFileSync(fixture.config, `JWT_SECRET_KEY = '${fixture.secret}'\nSTORAGE_DIR = '${storage}'\n`);
  const ran = await bdfu(['serve', fixture.config, '--port', '0']);
  t.not(ran.code, 0);
  t.match(ran.stderr, storage, 'names the directory');
  t.match(ran.stderr, `${userInfo().username} (uid ${userInfo().uid})`, 'names the user');
  t.equal(ran.stderr.trim().split('\n').length, 1, 'one line');
});
