import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { uploadFile } from '../helpers/http.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { startBdfu } from '../helpers/serve.js';
import { eventually, leftovers, storedFiles } from '../helpers/storage-tree.js';
import { hs256 } from './bad-input-cases.js';

/** BDFU_STRESS=N: N rounds of concurrency and N × 1,000 sequential uploads. */
const STRESS = Math.max(1, Number(process.env.BDFU_STRESS) || 1);
const MIB = 1024 * 1024;
const now = () => Math.floor(Date.now() / 1000);
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
// One pool of random bytes; each upload sends a slice of it (64 uploads, no 64 copies in memory).
const POOL = randomBytes(16 * MIB + 4096);

interface Sent {
  status: number;
  json: any;
  expected: string;
  size: number;
}

/** POSTs a slice of the pool as a multipart upload, streamed from memory without copying it. */
function sendSlice(url: string, token: string, size: number, agent?: Agent): Promise<Sent> {
  const offset = Math.floor(Math.random() * (POOL.length - size));
  const data = POOL.subarray(offset, offset + size);
  const boundary = `load${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="load.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(`${url}upload`, {
      method: 'POST',
      agent,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + data.length + tail.length,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || 'null'), expected: sha256(data), size }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.write(head);
    req.write(data);
    req.end(tail);
  });
}

async function concurrent(t: typeof import('tap').default, url: string, storageDir: string, secret: string, maxSize: number) {
  const token = await hs256({ user: 'loaded', exp: now() + 3600 }, secret);
  // A fresh connection per upload: reusing one the server is just closing after its
  // keep-alive timeout would be a client-side race (EPIPE), not a server error.
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const uploadedIds: string[] = [];
  for (let round = 0; round < STRESS; round++) {
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 64 }, () => sendSlice(url, token, 1 + Math.floor(Math.random() * maxSize), agent)));
    const errors = replies.filter((r) => r.status !== 201);
    t.equal(errors.length, 0, `round ${round + 1}: zero errors (${errors.map((e) => `${e.status} ${JSON.stringify(e.json)}`).slice(0, 3).join('; ')})`);
    let matching = 0;
    let torn = 0;
    for (const reply of replies.filter((r) => r.status === 201)) {
      const dir = join(storageDir, 'loaded');
      const onDisk = sha256(readFileSync(join(dir, reply.json.id)));
      const meta = JSON.parse(readFileSync(join(dir, `.${reply.json.id}.json`), 'utf8'));
      if (onDisk === reply.expected && reply.json.sha256 === reply.expected) matching++;
      if (meta.sha256 !== reply.expected || meta.size !== reply.size || meta.id !== reply.json.id) torn++;
    }
    const megabytes = replies.reduce((sum, r) => sum + r.size, 0) / MIB;
    t.equal(matching, 64, `round ${round + 1}: every file's sha256 matches (${megabytes.toFixed(0)} MiB in ${Date.now() - started} ms)`);
    t.equal(torn, 0, `round ${round + 1}: every metadata file whole and right`);
    const lines = readFileSync(join(storageDir, '.audit.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
    const entries = lines.map((line) => { try { return JSON.parse(line); } catch { return undefined; } });
    const uploads = entries.filter((e) => e?.action === 'upload' && e.outcome === 'ok' && e.user === 'loaded').map((e) => e.id);
    t.equal(entries.filter((e) => e === undefined).length, 0, `round ${round + 1}: every audit line is whole JSON`);
    t.same(new Set(uploads), new Set([...uploadedIds, ...replies.map((r) => r.json.id)]), `round ${round + 1}: an audit line for every upload, none lost`);
    uploadedIds.push(...replies.map((r) => r.json.id));
  }
  t.ok(await eventually(() => leftovers(storageDir).length === 0), 'nothing left in flight');
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

t.test('the Node server under load', async (t) => {
  const fixture = makeFixture('load');
  const served = await startBdfu([fixture.config]);
  t.teardown(() => served.stop());
  const pid = served.child.pid!;

  await t.test(`64 concurrent uploads up to 16 MiB, ${STRESS} round(s)`, (t) => concurrent(t as never, served.url, fixture.storageDir, fixture.secret, 16 * MIB));

  await t.test(`${1000 * STRESS} sequential small uploads: no growth in open files or memory`, async (t) => {
    const token = await hs256({ user: 'sequential', exp: now() + 3600 }, fixture.secret);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.teardown(() => agent.destroy());
    const total = 1000 * STRESS;
    let failures = 0;
    let fdsAfterWarmUp = 0;
    let rssAfterWarmUp = 0;
    const started = Date.now();
    for (let i = 0; i < total; i++) {
      const reply = await sendSlice(served.url, token, 1 + Math.floor(Math.random() * 16 * 1024), agent);
      if (reply.status !== 201 || reply.json.sha256 !== reply.expected) failures++;
      if (i === 99) {
        fdsAfterWarmUp = openFds(pid);
        rssAfterWarmUp = rssKiB(pid);
      }
    }
    const fds = openFds(pid);
    const rss = rssKiB(pid);
    t.equal(failures, 0, `${total} uploads in ${Date.now() - started} ms, all stored with the right sha256`);
    t.ok(fds <= fdsAfterWarmUp + 2, `open fds: ${fdsAfterWarmUp} after 100 uploads, ${fds} after ${total}`);
    t.ok(rss < rssAfterWarmUp + 48 * 1024, `RSS: ${(rssAfterWarmUp / 1024).toFixed(1)} MiB after 100 uploads, ${(rss / 1024).toFixed(1)} MiB after ${total}`);
    t.equal(storedFiles(join(fixture.storageDir, 'sequential')).length, total);
  });
});

t.test('the same concurrency through CGI processes', async (t) => {
  const fixture = makeFixture('load-cgi');
  const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
  t.teardown(() => host.close());
  await concurrent(t as never, host.url, fixture.storageDir, fixture.secret, 16 * MIB);
  const token = await hs256({ user: 'loaded', exp: now() + 60 }, fixture.secret);
  t.equal((await uploadFile(host.url, token, randomBytes(10))).status, 201, 'still serving');
});
