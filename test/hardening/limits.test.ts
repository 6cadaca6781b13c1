import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { http, uploadFile } from '../helpers/http.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { startBdfu } from '../helpers/serve.js';
import { eventually, leftovers, storedFiles } from '../helpers/storage-tree.js';
import { hs256 } from './bad-input-cases.js';

const MIB = 1024 * 1024;
const QUOTA_BYTES = 100_000;
const QUOTA_FILES = 12;
const now = () => Math.floor(Date.now() / 1000);

async function target(t: Test, adapter: 'node' | 'cgi', settings: Record<string, number>) {
  const fixture = makeFixture(`limits-${adapter}`, settings);
  let url: string;
  if (adapter === 'node') {
    const served = await startBdfu([fixture.config]);
    t.teardown(() => served.stop());
    url = served.url;
  } else {
    const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
    t.teardown(() => host.close());
    url = host.url;
  }
  const token = (user: string, extra: Record<string, unknown> = {}) => hs256({ user, exp: now() + 600, ...extra }, fixture.secret);
  return { fixture, url, token };
}

const storedBytes = (dir: string) => storedFiles(dir).reduce((sum, path) => sum + statSync(join(dir, path)).size, 0);

/** Streams a chunked upload of `total` bytes; stops sending once an answer arrives. Resolves with the answer and how much was sent. */
function chunkedUpload(url: string, token: string, total: number): Promise<{ status: number; json: any; sent: number }> {
  const boundary = 'chunkyBoundary';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(`${url}upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
    }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || 'null'), sent }));
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.write(head);
    const chunk = randomBytes(64 * 1024);
    const pump = () => {
      if (answered) return;
      if (sent >= total) {
        req.end(`\r\n--${boundary}--\r\n`);
        return;
      }
      sent += chunk.length;
      if (req.write(chunk)) setTimeout(pump, 5);
      else req.once('drain', pump);
    };
    pump();
  });
}

function limits(t: Test, adapter: 'node' | 'cgi') {
  t.test(`limits through ${adapter}`, async (t) => {
    const sized = await target(t, adapter, { MAX_UPLOAD_SIZE: MIB });
    let { fixture, url, token } = sized;
    let dir = fixture.storageDir;

    await t.test('an upload just under MAX_UPLOAD_SIZE is stored', async (t) => {
      const reply = await uploadFile(url, await token('sizes'), randomBytes(MIB - 1024));
      t.equal(reply.status, 201, reply.text);
    });

    await t.test('a max_size claim above MAX_UPLOAD_SIZE does not raise it', async (t) => {
      const reply = await uploadFile(url, await token('sizes2', { max_size: 10 * MIB }), randomBytes(MIB + 10));
      t.equal(reply.status, 413);
      t.equal(reply.json.code, 'too_large');
      t.equal(reply.json.allowed, MIB);
    });

    await t.test('a max_size claim lowers the limit', async (t) => {
      const ok = await uploadFile(url, await token('sizes3', { max_size: 4096 }), randomBytes(1000));
      t.equal(ok.status, 201);
      const refused = await uploadFile(url, await token('sizes3', { max_size: 4096 }), randomBytes(5000));
      t.equal(refused.status, 413);
      t.match(refused.json.error, /4096 bytes/);
    });

    await t.test('a chunked upload over the limit is refused, nothing left', async (t) => {
      const reply = await chunkedUpload(url, await token('chunky'), 16 * MIB);
      t.equal(reply.status, 413);
      t.equal(reply.json.code, 'too_large');
      if (adapter === 'node') t.ok(reply.sent < 16 * MIB, `refused while the client was still sending (${reply.sent} bytes sent)`);
      t.ok(await eventually(() => leftovers(dir).length === 0), 'no upload left in flight');
      t.same(storedFiles(join(dir, 'chunky')), []);
    });

    if (adapter === 'node') {
      await t.test('Expect: 100-continue with a Content-Length over the limit: refused before the body', async (t) => {
        const reply = await http(`${url}upload`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await token('sizes')}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': 5 * MIB, expect: '100-continue' },
          body: undefined,
        }).catch((error: Error) => ({ status: 0, json: { code: error.message } }));
        t.equal(reply.status, 413);
      });
    }

    ({ fixture, url, token } = await target(t, adapter, { MAX_UPLOAD_SIZE: MIB, QUOTA_BYTES, QUOTA_FILES }));
    dir = fixture.storageDir;

    await t.test('quota in bytes: 507 with used and allowed', async (t) => {
      t.equal((await uploadFile(url, await token('bytes'), randomBytes(40_000))).status, 201);
      t.equal((await uploadFile(url, await token('bytes'), randomBytes(40_000))).status, 201);
      const refused = await uploadFile(url, await token('bytes'), randomBytes(40_000));
      t.equal(refused.status, 507);
      t.equal(refused.json.code, 'quota_exceeded');
      t.match(refused.json.error, /bytes uses 80000 of 100000 bytes/);
      t.equal(refused.json.used, 80_000);
      t.equal(refused.json.allowed, QUOTA_BYTES);
      t.equal((await uploadFile(url, await token('bytes'), randomBytes(10_000))).status, 201, 'a smaller file still fits');
      t.same(leftovers(dir), []);
    });

    await t.test('quota in bytes, chunked: cut off where the quota ends', async (t) => {
      t.equal((await uploadFile(url, await token('chunkq'), randomBytes(90_000))).status, 201);
      const reply = await chunkedUpload(url, await token('chunkq'), 200_000);
      t.equal(reply.status, 507);
      t.equal(reply.json.code, 'quota_exceeded');
      t.ok(await eventually(() => leftovers(dir).length === 0), 'no upload left in flight');
      t.equal(storedFiles(join(dir, 'chunkq')).length, 1);
    });

    await t.test('quota in files: 507 naming the count', async (t) => {
      for (let i = 0; i < QUOTA_FILES; i++) t.equal((await uploadFile(url, await token('files'), Buffer.from(`f${i}`))).status, 201);
      const refused = await uploadFile(url, await token('files'), Buffer.from('one too many'));
      t.equal(refused.status, 507);
      t.equal(refused.json.code, 'quota_exceeded');
      t.match(refused.json.error, `${QUOTA_FILES} of ${QUOTA_FILES} files`);
      t.equal(refused.json.unit, 'files');
    });

    await t.test('concurrent uploads never take a user past the quota', async (t) => {
      const tok = await token('racer');
      const replies = await Promise.all(Array.from({ length: 20 }, () => uploadFile(url, tok, randomBytes(10_000))));
      const statuses = replies.map((r) => r.status);
      const stored = storedFiles(join(dir, 'racer'));
      t.ok(statuses.every((s) => s === 201 || s === 507), `only stored or quota_exceeded: ${statuses.join(' ')}`);
      t.ok(replies.filter((r) => r.status === 507).every((r) => r.json.code === 'quota_exceeded'));
      t.equal(stored.length, statuses.filter((s) => s === 201).length, 'every 201 is a stored file');
      t.ok(stored.length >= 1 && stored.length <= QUOTA_BYTES / 10_000, `${stored.length} of 20 stored`);
      t.ok(storedBytes(join(dir, 'racer')) <= QUOTA_BYTES, `${storedBytes(join(dir, 'racer'))} bytes stored, quota ${QUOTA_BYTES}`);
      t.ok(await eventually(() => leftovers(dir).length === 0), 'no lease or lock left');
    });
  });
}

limits(t, 'node');
limits(t, 'cgi');
