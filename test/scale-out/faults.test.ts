import t, { type Test } from 'tap';
import { scopedToken } from '../helpers/tokens.js';
import { hashDownload, leftovers, seededSha256, startS3PostgresCluster, streamUpload, type Sent } from '../helpers/s3-postgres-cluster.js';

const MiB = 1024 * 1024;
const cluster = await startS3PostgresCluster(t, 1, { MAX_UPLOAD_SIZE: 64 * MiB });
const { fixture, instances, inspect, pg, swift } = cluster;
const base = instances[0]!.url;
// Uploads and reads back: a token without a scope (the original's) cannot read.
const bearer = await scopedToken('fault', fixture.secret, 'upload read', 3600);

/** Every file that was answered 201: it must still be there, byte for byte, whatever happened after. */
const committed: Array<{ location: string; sha256: string }> = [];
let seeds = 0;

async function upload(size: number): Promise<Sent> {
  const seed = `fault-${++seeds}`;
  const sent = await streamUpload(base, bearer, size, seed);
  if (sent.status === 201) committed.push({ location: new URL(sent.location!, base).href, sha256: await seededSha256(size, seed) });
  return sent;
}

/** Retries while the backend says 503 (it is coming back), for at most a minute. */
async function untilStored(size: number): Promise<Sent> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const sent = await upload(size);
    if (sent.status !== 503 || Date.now() > deadline) return sent;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function assertNothingLost(t: Test): Promise<void> {
  for (const file of committed) {
    const got = await hashDownload(file.location, bearer);
    t.equal(got.status, 200, file.location);
    t.equal(got.sha256, file.sha256, 'the same bytes');
  }
}

const outcomes = (sent: Sent[]) => sent.map((s) => (s.status === 503 ? `503 ${s.json?.code} retry-after ${s.retryAfter}` : String(s.status)));

for (const [what, stop, start] of [
  ['PostgreSQL (pg_ctl stop -m immediate)', async () => pg.stop('immediate'), async () => pg.start()],
  ['Swift', () => swift.stop(), () => swift.start()],
] as const) {
  t.test(`${what} stopped mid-run and restarted: 503 during, nothing committed lost`, async (t) => {
    for (const size of [1000, 12 * MiB]) t.equal((await upload(size)).status, 201, 'stored before');
    const inFlight = Promise.all([5 * MiB, 20 * MiB, 30 * MiB, 2000].map((size) => upload(size)));
    await new Promise((r) => setTimeout(r, 300));
    await stop();
    // Whatever fails below, the next test gets it running again.
    t.teardown(start);
    const during = await inFlight;
    t.ok(during.every((s) => s.status === 201 || (s.status === 503 && s.json?.code === 'storage_unavailable')),
      `uploads in flight: stored, or 503 storage_unavailable (${outcomes(during).join(', ')})`);
    const refused = await upload(3000);
    t.equal(refused.status, 503, 'a new upload during the outage: 503');
    t.equal(refused.json?.code, 'storage_unavailable');
    t.equal(refused.retryAfter, '5', 'with Retry-After');
    const download = await hashDownload(committed[0]!.location, bearer);
    t.equal(download.status, 503, 'a download during the outage: 503');
    await start();
    t.equal((await untilStored(4 * MiB)).status, 201, 'uploads work again once it is back');
    await assertNothingLost(t);
  });
}

t.test('afterwards: no orphan multipart uploads, no records without bytes or bytes without records', async (t) => {
  await inspect.files.sweep(0);
  const left = await leftovers(inspect);
  t.same(left.multipartUploads, []);
  t.same(left.recordsWithoutBytes, []);
  t.same(left.bytesWithoutRecords, []);
  t.equal(left.records, committed.length, 'one record per 201');
});
