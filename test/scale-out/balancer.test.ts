import { join } from 'node:path';
import t from 'tap';
import { startApache } from '../helpers/apache.js';
import { allowInDialog } from '../helpers/oauth-dialog.js';
import { bdfu } from '../helpers/run.js';
import { scopedToken } from '../helpers/tokens.js';
import { APACHE_DIR } from '../helpers/paths.js';
import { hashDownload, leftovers, seededSha256, startS3PostgresCluster, streamUpload, type Sent } from '../helpers/s3-postgres-cluster.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const QUOTA = 300 * MiB;

const cluster = await startS3PostgresCluster(t, 3, {
  BASE_PATH: '/files/', TRUSTED_PROXIES: ['127.0.0.1'], MAX_UPLOAD_SIZE: 80 * MiB, QUOTA_BYTES: QUOTA,
});
const { fixture, instances, inspect } = cluster;
const defines = instances.map((served, i) => `Define BDFU_BACKEND_${i + 1} ${new URL(served.url).origin}`);
const apache = await startApache(t, {
  mpm: 'event',
  modules: ['proxy', 'proxy_http', 'proxy_balancer', 'slotmem_shm', 'lbmethod_byrequests'],
  config: () => ['Define BDFU_URL /files', ...defines, `Include ${join(APACHE_DIR, 'bdfu-balancer.conf')}`, ''].join('\n'),
});
const base = `${apache.origin}/files/`;
// Uploads and reads back: a token without a scope (the original's) cannot read.
const token = (user: string) => scopedToken(user, fixture.secret, 'upload read', 3600);

t.test('a per-user quota is never overshot by concurrent uploads on different instances', async (t) => {
  const bearer = await token('quota');
  // Straight to the instances, in turn: each decides on its own, and a refusal comes before the
  // body is read (through Apache, a refusal of a body still being sent is a 502).
  const sent = await Promise.all(Array.from({ length: 10 }, (_, i) => streamUpload(instances[i % 3]!.url, bearer, 40 * MiB, `quota-${i}`)));
  const stored = sent.filter((s) => s.status === 201);
  t.ok(stored.length >= 1 && stored.length <= 7, `${stored.length} of 10 stored (7 fit)`);
  t.ok(sent.filter((s) => s.status !== 201).every((s) => s.status === 507 && s.json?.code === 'quota_exceeded'),
    `the rest refused with quota_exceeded (${sent.map((s) => `${s.status} ${s.json?.code ?? ''}`).join(', ')})`);
  const [used] = await inspect.db.query<{ bytes: number }>("SELECT coalesce(sum(size), 0)::bigint AS bytes FROM bdfu_files WHERE user_name = 'quota'");
  t.ok(used!.bytes <= QUOTA, `${used!.bytes} bytes kept of ${QUOTA} allowed`);
});

t.test('a one-time share link raced by 24 downloads on three instances: exactly one gets the bytes', async (t) => {
  const bearer = await token('sharer');
  const sent = await streamUpload(base, bearer, 200 * KiB, 'one-time');
  t.equal(sent.status, 201);
  const made = await fetch(new URL(`${sent.location!}/links`, base), {
    method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify({ expiresIn: '1h', maxDownloads: 1 }),
  });
  t.equal(made.status, 201);
  const path = new URL(((await made.json()) as { url: string }).url).pathname;
  const tries = await Promise.all(Array.from({ length: 24 }, (_, i) => hashDownload(`${new URL(instances[i % 3]!.url).origin}${path}`, bearer)));
  const got = tries.filter((r) => r.status === 200);
  t.equal(got.length, 1, `one 200 (${tries.map((r) => r.status).join(' ')})`);
  t.equal(got[0]?.sha256, await seededSha256(200 * KiB, 'one-time'), 'with the whole file');
  t.ok(tries.every((r) => r.status === 200 || r.status === 410), 'every other try: 410 link_exhausted');
});

t.test('remoteStorage over three instances: WebFinger at Apache\'s root, one If-Match race, an approval revoked everywhere', async (t) => {
  const found = await fetch(`${apache.origin}/.well-known/webfinger?resource=acct:rae@example.org`);
  t.equal(found.status, 200);
  t.equal(((await found.json()) as { links: Array<{ href: string }> }).links[0]!.href, `${base}storage/rae`, 'the storage root behind the balancer');

  const writer = await scopedToken('rae', fixture.secret, 'notes:rw', 3600);
  const doc = (origin: string) => `${origin}/files/storage/rae/notes/shared.txt`;
  const first = await fetch(doc(apache.origin), { method: 'PUT', headers: { authorization: `Bearer ${writer}`, 'content-type': 'text/plain' }, body: 'v1' });
  const etag = first.headers.get('etag')!;
  // draft §5: twelve clients on three instances replace the same version; exactly one may.
  const raced = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    fetch(doc(new URL(instances[i % 3]!.url).origin), { method: 'PUT', headers: { authorization: `Bearer ${writer}`, 'content-type': 'text/plain', 'if-match': etag }, body: `v2 by ${i}` })));
  t.same(raced.map((r) => r.status).sort(), [200, ...Array(11).fill(412)], 'one 200, eleven 412');

  const added = await bdfu(['users', 'add', 'rae', fixture.config, '--password-stdin'], { input: 'correct horse battery\n' });
  t.equal(added.code, 0, added.stderr);
  const back = await allowInDialog(base, 'rae', 'correct horse battery', { client_id: 'https://app.example', redirect_uri: 'https://app.example/', response_type: 'token', scope: 'notes:r' });
  const appToken = new URLSearchParams(new URL(String(back.headers.location)).hash.slice(1)).get('access_token')!;
  const readOn = (i: number, bearer: string) => fetch(doc(new URL(instances[i]!.url).origin), { headers: { authorization: `Bearer ${bearer}` } });
  t.same(await Promise.all([0, 1, 2].map(async (i) => (await readOn(i, appToken)).status)), [200, 200, 200], 'the app reads on every instance');
  const own = await scopedToken('rae', fixture.secret, 'read', 600);
  const apps = (await (await fetch(`${base}apps/rae`, { headers: { authorization: `Bearer ${own}` } })).json()) as { apps: Array<{ id: string }> };
  t.equal((await fetch(`${new URL(instances[0]!.url).origin}/files/apps/rae/${apps.apps[0]!.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${own}` } })).status, 204, 'revoked on one instance');
  t.same(await Promise.all([0, 1, 2].map(async (i) => (await readOn(i, appToken)).status)), [401, 401, 401], 'refused on all three at once');
});

t.test('64 concurrent uploads and downloads (1 KiB – 64 MiB) over 3 instances, one SIGKILLed mid-run', async (t) => {
  const sizes = [1 * KiB, 50 * KiB, 700 * KiB, 3 * MiB, 8 * MiB + 3, 17 * MiB, 33 * MiB, 64 * MiB];
  // 15 users, so that each has a mix of sizes: no one comes near the quota, even with the duplicate
  // a retried upload may leave (a quota refusal of a body still being sent is a 502 through Apache).
  const jobs = Array.from({ length: 64 }, (_, i) => ({ user: `u${i % 15}`, size: sizes[i % sizes.length]!, seed: `file-${i}` }));
  const tokens = new Map(await Promise.all([...new Set(jobs.map((j) => j.user))].map(async (u) => [u, await token(u)] as const)));
  const expected = await Promise.all(jobs.map((j) => seededSha256(j.size, j.seed)));

  const firstTries: Array<Sent | Error> = [];
  const run = Promise.all(jobs.map(async (job, i) => {
    const tried = await streamUpload(base, tokens.get(job.user)!, job.size, job.seed).catch((e: Error) => e);
    firstTries[i] = tried;
    // The client of an upload the killed instance carried tries again (as a resumable upload would resume).
    let sent = tried;
    for (let attempt = 0; attempt < 3 && (sent instanceof Error || sent.status !== 201); attempt++) {
      sent = await streamUpload(base, tokens.get(job.user)!, job.size, job.seed).catch((e: Error) => e);
    }
    if (sent instanceof Error) return { sent: { status: 0, json: sent.message }, download: undefined };
    if (sent.status !== 201) return { sent, download: undefined };
    // A download the killed instance was sending is cut off too: the client asks again.
    let download;
    for (let attempt = 0; attempt < 3 && download?.status !== 200; attempt++) {
      download = await hashDownload(new URL(sent.location!, base).href, tokens.get(job.user)!).catch(() => undefined);
    }
    return { sent, download };
  }));
  // Mid-run: every upload has begun, few have finished.
  await new Promise((r) => setTimeout(r, 1500));
  instances[1]!.child.kill('SIGKILL');
  const results = await run;

  const failedFirst = firstTries.filter((s) => s instanceof Error || s.status !== 201);
  t.ok(failedFirst.every((s) => s instanceof Error || [502, 503].includes(s.status)),
    `uploads cut off by the kill failed cleanly (${failedFirst.length}: ${failedFirst.map((s) => (s instanceof Error ? s.message : s.status)).join(', ')})`);
  t.same(results.map((r) => r.sent.status), jobs.map(() => 201), 'every upload stored in the end');
  t.same(results.map((r) => r.download?.sha256), expected, 'every byte downloaded back matches (sha256)');

  // What the killed instance left (its reservations, multipart uploads) goes with the sweep.
  await inspect.files.sweep(0);
  const left = await leftovers(inspect);
  t.same(left.multipartUploads, [], 'no orphan multipart uploads');
  t.same(left.recordsWithoutBytes, [], 'no records without bytes');
  t.same(left.bytesWithoutRecords, [], 'no bytes without records');
  const [{ n }] = (await inspect.db.query<{ n: number }>("SELECT count(*)::int AS n FROM bdfu_files WHERE user_name LIKE 'u%'")) as [{ n: number }];
  // An upload the killed instance had committed but not yet answered is stored twice (its retry).
  t.ok(n >= 64 && n <= 64 + failedFirst.length, `${n} records for 64 uploads`);
});
