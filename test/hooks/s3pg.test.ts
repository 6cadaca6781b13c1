import { randomBytes } from 'node:crypto';
import t from 'tap';
import { http, uploadFile } from '../helpers/http.js';
import { leftovers, startS3PostgresCluster } from '../helpers/s3-postgres-cluster.js';
import { bearer, scopedToken } from '../helpers/tokens.js';
import { eventually } from './helpers.js';
import { distinct, receiver } from './receiver.js';

// The hooks on the S3 + PostgreSQL backend: a refused upload leaves nothing in the bucket or the
// database (multipart and tus alike), and every decision is in the audit trail, which lives in PostgreSQL.
const SECRET = randomBytes(24).toString('hex');
const hook = await receiver(t, SECRET, (event) =>
  event.event === 'beforeCommit' && String(event.name).startsWith('bad') ? { status: 422, body: 'quarantined' } : { status: 204 });
const cluster = await startS3PostgresCluster(t, 1, { HOOK_URL: hook.url, HOOK_SECRET: SECRET, HOOK_EVENTS: ['beforeCommit', 'afterUpload', 'afterDelete'] });
const { fixture, inspect } = cluster;
const base = cluster.instances[0]!.url;
const token = await scopedToken('sia', fixture.secret, 'upload read delete');
const decisions = async () => (await inspect.db.query<{ entry: { hook: string; via: string; outcome: string } }>(
  "SELECT entry FROM bdfu_audit WHERE action = 'hook' ORDER BY seq")).map(({ entry }) => `${entry.hook} ${entry.via} ${entry.outcome}`);

t.test('a multipart upload refused by the webhook: 422, no object, no record', async (t) => {
  const good = await uploadFile(base, token, Buffer.from('good bytes'), 'good.txt');
  t.equal(good.status, 201, good.text);
  const bad = await uploadFile(base, token, randomBytes(6 * 1024 * 1024), 'bad.bin');
  t.equal(bad.status, 422, bad.text);
  t.equal(bad.json.code, 'rejected_by_hook');
  t.equal(bad.json.reason, 'quarantined');
  const left = await leftovers(inspect);
  t.equal(left.records, 1, 'only the accepted file is recorded');
  t.same([left.multipartUploads, left.bytesWithoutRecords, left.recordsWithoutBytes], [[], [], []], 'and nothing else is in the bucket');
  const seen = distinct(hook.seen).filter((e) => e.event === 'beforeCommit');
  t.match(seen.map((e) => e.name), ['good.txt', 'bad.bin']);
  t.notOk('path' in seen[0], 'no path on S3: the bytes are in the bucket, not in a file');
});

t.test('a tus upload refused when its last byte arrives: 422, the session and its parts gone', async (t) => {
  const data = randomBytes(7 * 1024 * 1024);
  const tus = { ...bearer(token), 'tus-resumable': '1.0.0' };
  const created = await http(`${base}tus/`, {
    method: 'POST', headers: { ...tus, 'upload-length': String(data.length), 'upload-metadata': `filename ${Buffer.from('bad-tus.bin').toString('base64')}` },
  });
  t.equal(created.status, 201, created.text);
  const url = new URL(String(created.headers.location), base).href;
  const last = await http(url, { method: 'PATCH', headers: { ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: data });
  t.equal(last.status, 422, last.text);
  t.equal(last.json.code, 'rejected_by_hook');
  t.equal((await http(url, { method: 'HEAD', headers: tus })).status, 404, 'the upload is gone');
  const [{ n }] = (await inspect.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bdfu_sessions')) as [{ n: number }];
  t.equal(n, 0, 'no session row');
  const staged: string[] = [];
  for await (const object of inspect.s3.listObjects('.sessions/')) staged.push(object.key);
  t.same(staged, [], 'no staged bytes in the bucket');
  const left = await leftovers(inspect);
  t.equal(left.records, 1, 'still only the accepted file');
  t.same(left.multipartUploads, [], 'no multipart upload left open');
});

t.test('after-events are delivered and every decision is audited in PostgreSQL', async (t) => {
  const files = await http(`${base}files/sia/`, { headers: bearer(token) });
  const [file] = files.json.files;
  t.equal((await http(`${base}files/sia/${file.id}`, { method: 'DELETE', headers: bearer(token) })).status, 204);
  await eventually(() => distinct(hook.seen).some((e) => e.event === 'afterDelete') && distinct(hook.seen), 'afterDelete');
  t.ok(hook.seen.every((d) => d.signed), 'every delivery is signed');
  const audited = await (async () => {
    for (let i = 0; i < 100; i++) {
      const lines = await decisions();
      if (lines.length >= 5) return lines;
      await new Promise((r) => setTimeout(r, 100));
    }
    return decisions();
  })();
  t.same(audited.sort(), ['afterDelete url ok', 'afterUpload url ok', 'beforeCommit url ok', 'beforeCommit url refused', 'beforeCommit url refused']);
});
