import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { multipart, uploadFile } from '../helpers/http.js';
import { startBdfu } from '../helpers/serve.js';
import { eventually, leftovers, storedFiles } from '../helpers/storage-tree.js';
import { hs256 } from './bad-input-cases.js';

const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(url: string): Promise<Socket> {
  const { port, hostname } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  return once(socket, 'connect').then(() => socket);
}

/** Collects what the server sends until it closes; resolves with it and how long that took. */
function untilClosed(socket: Socket): Promise<{ data: string; ms: number }> {
  const start = Date.now();
  let data = '';
  socket.on('data', (c: Buffer) => (data += c.toString()));
  return new Promise((resolve) => socket.on('close', () => resolve({ data, ms: Date.now() - start })));
}

async function uploadHead(url: string, secret: string, length: number, boundary: string) {
  const token = await hs256({ user: 'slow', exp: now() + 600 }, secret);
  const path = new URL(url).pathname;
  return `POST ${path}upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n`;
}

t.test('timeouts and the connection cap', async (t) => {
  const fixture = makeFixture('timeouts', { HEADERS_TIMEOUT_SECONDS: 2, BODY_IDLE_TIMEOUT_SECONDS: 2, REQUEST_TIMEOUT_SECONDS: 5, MAX_CONNECTIONS: 4 });
  const served = await startBdfu([fixture.config]);
  t.teardown(() => served.stop());

  await t.test('slowloris: headers trickling in are cut off at HEADERS_TIMEOUT_SECONDS', async (t) => {
    const socket = await open(served.url);
    const closed = untilClosed(socket);
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-a: b\r\n'), 300);
    const { data, ms } = await closed;
    clearInterval(trickle);
    t.ok(ms < 15_000, `closed after ${ms} ms`);
    t.match(data, /^HTTP\/1\.1 408/, 'answered 408');
    t.match(data, /"code":"request_timeout"/);
  });

  await t.test('a stalled upload is cut off at BODY_IDLE_TIMEOUT_SECONDS and leaves nothing', async (t) => {
    const form = multipart([{ name: 'file', filename: 'stall.bin', data: randomBytes(100_000) }]);
    const socket = await open(served.url);
    const closed = untilClosed(socket);
    socket.write(await uploadHead(served.url, fixture.secret, form.body.length, form.boundary));
    socket.write(form.body.subarray(0, 20_000));
    t.ok(await eventually(() => leftovers(fixture.storageDir).some((p) => p.endsWith('.part'))), 'the upload started');
    const { ms } = await closed;
    t.ok(ms < 15_000, `closed after ${ms} ms`);
    t.ok(await eventually(() => leftovers(fixture.storageDir).length === 0), 'temporary file and lease removed');
    t.same(storedFiles(fixture.storageDir), []);
  });

  await t.test('an upload that never finishes is cut off at REQUEST_TIMEOUT_SECONDS', async (t) => {
    const form = multipart([{ name: 'file', filename: 'drip.bin', data: randomBytes(100_000) }]);
    const socket = await open(served.url);
    const closed = untilClosed(socket);
    socket.write(await uploadHead(served.url, fixture.secret, form.body.length, form.boundary));
    let offset = 0;
    const drip = setInterval(() => {
      if (socket.writable && offset < 90_000) socket.write(form.body.subarray(offset, (offset += 100)));
    }, 300);
    const { ms } = await closed;
    clearInterval(drip);
    t.ok(ms >= 3_000 && ms < 20_000, `closed after ${ms} ms, though never idle for long`);
    t.ok(await eventually(() => leftovers(fixture.storageDir).length === 0), 'nothing left in flight');
    t.same(storedFiles(fixture.storageDir), []);
  });

  await t.test('MAX_CONNECTIONS: more connections are dropped, the server keeps serving', async (t) => {
    const held = await Promise.all(Array.from({ length: 4 }, () => open(served.url)));
    for (const socket of held) socket.write('GET /nothing HTTP/1.1\r\nHost: x\r\n');
    await sleep(200);
    const extra = await open(served.url);
    const { ms } = await untilClosed(extra);
    t.ok(ms < 1_000, `the fifth connection was dropped at once (${ms} ms)`);
    for (const socket of held) socket.destroy();
    await sleep(200);
    const reply = await uploadFile(served.url, await hs256({ user: 'after', exp: now() + 60 }, fixture.secret), randomBytes(1000));
    t.equal(reply.status, 201, 'a new client is served once the others left');
  });
});

t.test('graceful shutdown', async (t) => {
  const fixture = makeFixture('shutdown', { SHUTDOWN_GRACE_SECONDS: 4, BODY_IDLE_TIMEOUT_SECONDS: 60 });

  await t.test('SIGTERM: the upload in flight finishes, new connections are refused, exit 0', async (t) => {
    const served = await startBdfu([fixture.config]);
    t.teardown(() => served.stop());
    const data = randomBytes(200_000);
    const form = multipart([{ name: 'file', filename: 'inflight.bin', data }]);
    const socket = await open(served.url);
    const closed = untilClosed(socket);
    socket.write(await uploadHead(served.url, fixture.secret, form.body.length, form.boundary));
    socket.write(form.body.subarray(0, 50_000));
    t.ok(await eventually(() => leftovers(fixture.storageDir).some((p) => p.endsWith('.part'))), 'the upload started');
    const exited = once(served.child, 'exit');
    served.child.kill('SIGTERM');
    await sleep(300);
    const refused = await open(served.url).then((s) => { s.destroy(); return false; }, () => true);
    t.ok(refused, 'new connections are refused');
    for (let offset = 50_000; offset < form.body.length; offset += 50_000) {
      socket.write(form.body.subarray(offset, offset + 50_000));
      await sleep(200);
    }
    // A second request on the same connection, right behind the upload: not served.
    socket.write('GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n');
    const { data: answer } = await closed;
    t.match(answer, /^HTTP\/1\.1 201/, 'the upload in flight was answered 201');
    t.match(answer, /\r\nconnection: close\r\n/i, 'with Connection: close');
    t.equal(answer.match(/HTTP\/1\.1 /g)?.length, 1, 'and nothing more is served on that connection');
    const [code] = await exited;
    t.equal(code, 0, 'exit 0');
    t.equal(storedFiles(fixture.storageDir).length, 1, 'and its file is stored');
    t.match(served.output(), /SIGTERM: finishing requests in flight/);
  });

  await t.test('SIGTERM: an upload that does not finish within SHUTDOWN_GRACE_SECONDS is cut off, nothing left', async (t) => {
    const served = await startBdfu([fixture.config]);
    t.teardown(() => served.stop());
    const before = storedFiles(fixture.storageDir).length;
    const form = multipart([{ name: 'file', filename: 'never.bin', data: randomBytes(200_000) }]);
    const socket = await open(served.url);
    socket.write(await uploadHead(served.url, fixture.secret, form.body.length, form.boundary));
    socket.write(form.body.subarray(0, 10_000));
    t.ok(await eventually(() => leftovers(fixture.storageDir).some((p) => p.endsWith('.part'))), 'the upload started');
    const started = Date.now();
    const exited = once(served.child, 'exit');
    served.child.kill('SIGTERM');
    const [code] = await exited;
    const ms = Date.now() - started;
    socket.destroy();
    t.equal(code, 0);
    t.ok(ms >= 3_000 && ms < 20_000, `stopped after ${ms} ms`);
    t.same(leftovers(fixture.storageDir), [], 'the cut-off upload left nothing');
    t.equal(storedFiles(fixture.storageDir).length, before);
  });
});
