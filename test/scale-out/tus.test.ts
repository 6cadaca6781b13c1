import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import { startApache } from '../helpers/apache.js';
import { heldPatch } from '../helpers/held-patch.js';
import { http, type Reply } from '../helpers/http.js';
import { APACHE_DIR } from '../helpers/paths.js';
import { hashDownload, startS3PostgresCluster } from '../helpers/s3-postgres-cluster.js';
import { scopedToken } from '../helpers/tokens.js';

// Resumable uploads over several instances: the requests of one upload land wherever the balancer
// (or the client) sends them; the session lives in S3 + PostgreSQL, not in any one process.
const MiB = 1024 * 1024;
const cluster = await startS3PostgresCluster(t, 3, { BASE_PATH: '/files/', TRUSTED_PROXIES: ['127.0.0.1'], MAX_UPLOAD_SIZE: 64 * MiB });
const { fixture, instances } = cluster;
const apache = await startApache(t, {
  mpm: 'event',
  modules: ['proxy', 'proxy_http', 'proxy_balancer', 'slotmem_shm', 'lbmethod_byrequests'],
  config: () => ['Define BDFU_URL /files', ...instances.map((s, i) => `Define BDFU_BACKEND_${i + 1} ${new URL(s.url).origin}`),
    `Include ${join(APACHE_DIR, 'bdfu-balancer.conf')}`, ''].join('\n'),
});
const viaApache = `${apache.origin}/files/`;
const direct = (i: number) => `${new URL(instances[i]!.url).origin}/files/`;
const token = await scopedToken('tusk', fixture.secret, 'upload read', 3600);
const TUS = { 'tus-resumable': '1.0.0', authorization: `Bearer ${token}` };
const OCTETS = { 'content-type': 'application/offset+octet-stream' };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const idOf = (location: string) => location.split('/').pop()!;

const create = (base: string, length: number) => http(`${base}tus/`, { method: 'POST', headers: { ...TUS, 'upload-length': String(length) } });
const patch = (base: string, id: string, offset: number, data: Buffer) =>
  http(`${base}tus/${id}`, { method: 'PATCH', headers: { ...TUS, ...OCTETS, 'upload-offset': String(offset), 'content-length': String(data.length) }, body: data });
const offsetAt = async (base: string, id: string) => Number((await http(`${base}tus/${id}`, { method: 'HEAD', headers: TUS })).headers['upload-offset']);

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting: ${what}`);
}

t.test('one upload, its requests on different instances: created through Apache, continued on two others', async (t) => {
  const data = randomBytes(12 * MiB + 5);
  const created = await create(viaApache, data.length);
  t.equal(created.status, 201, created.text);
  const location = String(created.headers.location);
  t.ok(location.startsWith(`${apache.origin}/files/tus/`), `Location names Apache, from X-Forwarded-* (${location})`);
  const id = idOf(location);
  const cut = 7 * MiB;
  t.equal((await patch(direct(0), id, 0, data.subarray(0, cut))).status, 204, 'the first part on instance 1');
  t.equal(await offsetAt(direct(2), id), cut, 'instance 3 knows the offset');
  const last = await patch(direct(1), id, cut, data.subarray(cut));
  t.equal(last.status, 200, last.text);
  t.equal(last.json.sha256, sha256(data), 'sha256 over bytes written by two instances');
  const download = await hashDownload(`${viaApache}files/tusk/${id}`, token);
  t.equal(download.status, 200);
  t.equal(download.sha256, sha256(data), 'downloaded through Apache, byte for byte');
});

t.test('two PATCHes at once on two instances: one wins, the bytes never interleave', async (t) => {
  // Bytes show (in S3 + PostgreSQL) once a whole part (5 MiB or more) has reached the bucket.
  const size = 16 * MiB;
  const id = idOf(String((await create(direct(0), size)).headers.location));
  const a = randomBytes(size);
  const b = randomBytes(size);
  const first = heldPatch(`${direct(0)}tus/${id}`, token, 0, a, 11 * MiB);
  await until(async () => (await offsetAt(direct(1), id)) > 0, 'the first writer\'s bytes to show');
  const second = await patch(direct(1), id, 0, b);
  t.ok(second.status === 423 || second.status === 409, `the second writer, on another instance, is refused (${second.status})`);
  first.release();
  t.equal((await first.reply).status, 200, 'the first writer finishes');
  const download = await hashDownload(`${direct(1)}files/tusk/${id}`, token);
  t.equal(download.sha256, sha256(a), "the file is the first writer's bytes, whole");
});

t.test('an instance SIGKILLed mid-PATCH: the offset is what reached storage, the lock frees, another instance finishes', async (t) => {
  const size = 16 * MiB;
  const id = idOf(String((await create(direct(0), size)).headers.location));
  const data = randomBytes(size);
  const doomed = heldPatch(`${direct(2)}tus/${id}`, token, 0, data, 11 * MiB);
  await until(async () => (await offsetAt(direct(0), id)) >= 5 * MiB, 'a part to reach storage');
  instances[2]!.child.kill('SIGKILL');
  const cut = await doomed.reply.catch((error: Error) => error);
  t.ok(cut instanceof Error, `the client of the killed instance sees its connection cut (${cut instanceof Error ? cut.message : cut.status})`);
  let offset = -1;
  let resumed: Reply | undefined;
  // The killed writer's lock goes with its PostgreSQL connection; until then a writer is 423.
  await until(async () => {
    offset = await offsetAt(direct(0), id);
    resumed = await patch(direct(1), id, offset, data.subarray(offset));
    return resumed.status !== 423;
  }, 'the lock of the killed writer to free');
  t.ok(offset >= 5 * MiB && offset <= 11 * MiB, `resumed from ${offset}: what reached storage, never more than was sent`);
  t.equal(resumed?.status, 200, resumed?.text ?? "");
  t.equal(resumed?.json.sha256, sha256(data), 'whole and in order');
});
