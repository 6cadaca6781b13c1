import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import t from 'tap';
import { StorageError } from '../../src/storage/errors.js';
import { filesTable } from '../../src/storage/s3-postgres/session-files.js';
import { S3PgSessions } from '../../src/storage/s3-postgres/sessions.js';
import type { SessionInit } from '../../src/storage/sessions.js';
import { ROOT } from '../helpers/paths.js';
import { sessionsContract } from '../helpers/contract/sessions.js';
import { startS3Pg } from '../helpers/s3pg.js';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const noQuota = { bytes: 0, files: 0 };
const init = (length: number | undefined, extra: Partial<SessionInit> = {}): SessionInit => ({
  ...(length === undefined ? {} : { length }),
  meta: { name: 'movie.mkv', type: 'video/x-matroska', extra: { filename: 'movie.mkv' } },
  expiresAt: new Date(Date.now() + 3_600_000), quota: noQuota, maxBytes: 64 * MiB, ...extra,
});
const append = { quota: noQuota, maxBytes: 64 * MiB };
const kind = (k: string) => ({ name: /Error$/, kind: k });
const isKind = (k: string) => (error: unknown) => error instanceof StorageError && error.kind === k;

async function read(stream: Readable | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream!) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

t.test('resumable sessions on S3 + PostgreSQL (real Swift, real PostgreSQL)', async (t) => {
  const env = await startS3Pg(t);

  t.test('the sessions contract', async (t) => sessionsContract(t, env.backends()));

  const instanceA = new S3PgSessions(await env.db(), env.objects, filesTable);
  const instanceB = new S3PgSessions(await env.db(), env.objects, filesTable);
  const fileBytes = async (user: string, id: string) => read((await env.s3.getObject(`files/${user}/${id}`))?.stream);

  t.test('chunks of any size, across instances: parts of ≥ 5 MiB, small tails staged, the file made with the same id', async (t) => {
    const data = randomBytes(21 * MiB + 12345);
    const session = await instanceA.create('alice', init(data.length));
    t.match(session.id, /^[0-9a-f]{32}$/);
    t.equal(session.offset, 0);
    // 1 KiB, 3 MiB (staged), 7 MiB (a part of 8 MiB formed with the staged bytes), then on another instance.
    const cuts = [1024, 3 * MiB, 10 * MiB, 10 * MiB + 1, 17 * MiB, data.length];
    let offset = 0;
    for (const [index, cut] of cuts.entries()) {
      const sessions = index % 2 === 0 ? instanceA : instanceB;
      const after = await sessions.append('alice', session.id, offset, Readable.from([data.subarray(offset, cut)]), append);
      t.equal(after.offset, cut, `offset after chunk ${index}`);
      offset = cut;
      const staged = await env.keys(`.sessions/${session.id}/`);
      t.ok(staged.length <= 2, 'staged tails stay few (merged into parts as they reach one part)');
    }
    t.same(await env.uploads(`files/alice/${session.id}`), [`files/alice/${session.id}`], 'one multipart upload for the session');
    const record = await instanceB.complete('alice', session.id);
    t.equal(record.id, session.id);
    t.equal(record.size, data.length);
    t.equal(record.sha256, sha256(data), 'sha256 read back (no one process wrote it all)');
    t.equal(record.name, 'movie.mkv');
    t.ok((await fileBytes('alice', session.id)).equals(data), 'every byte in place');
    t.same(await env.keys(`.sessions/${session.id}/`), [], 'staged objects removed');
    t.same(await env.uploads(`files/alice/${session.id}`), [], 'no multipart upload left');
    t.same((await instanceA.get('alice', session.id))?.file, record, 'the session says where the file is');
    t.same(await instanceA.complete('alice', session.id), record, 'complete again: the same file');
  });

  t.test('one process writing it all keeps a running sha256; small files never need a multipart upload', async (t) => {
    const data = randomBytes(3 * MiB);
    const session = await instanceA.create('alice', init(data.length));
    await instanceA.append('alice', session.id, 0, Readable.from([data.subarray(0, MiB)]), append);
    await instanceA.append('alice', session.id, MiB, Readable.from([data.subarray(MiB)]), append);
    const record = await instanceA.complete('alice', session.id);
    t.equal(record.sha256, sha256(data));
    t.ok((await fileBytes('alice', session.id)).equals(data));
    const empty = await instanceA.create('alice', init(0));
    const none = await instanceA.complete('alice', empty.id);
    t.equal(none.size, 0);
    t.equal(none.sha256, sha256(Buffer.alloc(0)));
  });

  t.test('a wrong offset is a conflict, more than the length is too_large, another user sees nothing', async (t) => {
    const session = await instanceA.create('bob', init(10));
    await t.rejects(instanceA.append('bob', session.id, 3, Readable.from([Buffer.from('abc')]), append), kind('conflict'));
    await t.rejects(instanceA.append('bob', session.id, 0, Readable.from([Buffer.from('0123456789ab')]), append), kind('too_large'));
    t.equal((await instanceA.get('bob', session.id))?.offset, 10, 'the bytes up to the length were kept');
    t.equal(await instanceA.get('mallory', session.id), undefined);
    await t.rejects(instanceA.append('mallory', session.id, 10, Readable.from([]), append), kind('not_found'));
    t.equal(await instanceA.abort('mallory', session.id), false);
    await t.rejects(instanceA.complete('bob', (await instanceA.create('bob', init(5))).id), kind('conflict'), 'not complete yet');
    await t.rejects(instanceA.create('bob', init(65 * MiB)), kind('too_large'));
  });

  t.test('one writer at a time: a second append meanwhile is locked; the lock goes with its holder', async (t) => {
    const session = await instanceA.create('carol', init(2 * MiB));
    const slow = new PassThrough();
    const first = instanceA.append('carol', session.id, 0, slow, append);
    slow.write(randomBytes(1000));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await t.rejects(instanceB.append('carol', session.id, 0, Readable.from([Buffer.alloc(10)]), append), kind('locked'), 'another instance');
    await t.rejects(instanceA.append('carol', session.id, 0, Readable.from([Buffer.alloc(10)]), append), kind('locked'), 'the same instance');
    await t.rejects(instanceB.complete('carol', session.id), kind('locked'));
    slow.end(randomBytes(24));
    t.equal((await first).offset, 1024);
    t.equal((await instanceB.append('carol', session.id, 1024, Readable.from([Buffer.alloc(10)]), append)).offset, 1034, 'free again');

    // A writer that dies holding the lock: a separate process takes it (as append does) and is killed.
    const key = BigInt.asIntN(64, BigInt(`0x${session.id.slice(0, 16)}`)).toString();
    const holder = spawn(process.execPath, ['-e', `
      const pg = require('pg');
      const client = new pg.Client(${JSON.stringify(env.postgres.url)});
      client.connect().then(() => client.query('SELECT pg_advisory_lock($1::bigint)', ['${key}'])).then(() => console.log('held'));
      setInterval(() => {}, 1000);`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    await once(holder.stdout!, 'data');
    await t.rejects(instanceA.append('carol', session.id, 1034, Readable.from([Buffer.alloc(10)]), append), kind('locked'), 'held by the other process');
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    let after;
    for (let attempt = 0; attempt < 50 && !after; attempt++) {
      after = await instanceA.append('carol', session.id, 1034, Readable.from([Buffer.alloc(10)]), append).catch((error: unknown) => {
        if (!isKind('locked')(error)) throw error;
        return new Promise<undefined>((resolve) => setTimeout(resolve, 100));
      });
    }
    t.equal(after?.offset, 1044, 'the dead holder\'s lock was freed by PostgreSQL');
  });

  t.test('checksums: a mismatch discards the chunk and keeps the offset; a match is kept', async (t) => {
    const data = randomBytes(9 * MiB);
    const session = await instanceA.create('dave', init(data.length));
    const first = data.subarray(0, 6 * MiB);
    const wrong = createHash('sha1').update(Buffer.from('other')).digest();
    await t.rejects(instanceA.append('dave', session.id, 0, Readable.from([first]), { ...append, checksum: { algorithm: 'sha1', digest: wrong } }),
      kind('checksum_mismatch'));
    t.equal((await instanceA.get('dave', session.id))?.offset, 0);
    t.same(await env.keys(`.sessions/${session.id}/`), [], 'nothing staged');
    for (const algorithm of ['md5', 'sha256'] as const) {
      const at = algorithm === 'md5' ? 0 : 6 * MiB;
      const chunk = algorithm === 'md5' ? first : data.subarray(6 * MiB);
      const digest = createHash(algorithm).update(chunk).digest();
      t.equal((await instanceA.append('dave', session.id, at, Readable.from([chunk]), { ...append, checksum: { algorithm, digest } })).offset, at + chunk.length);
    }
    const record = await instanceB.complete('dave', session.id);
    t.equal(record.sha256, sha256(data));
    t.ok((await fileBytes('dave', session.id)).equals(data));
  });

  t.test('a body cut short keeps what arrived (without a checksum)', async (t) => {
    const data = randomBytes(10 * MiB);
    const session = await instanceA.create('erin', init(data.length));
    const body = new PassThrough();
    const appending = instanceA.append('erin', session.id, 0, body, append);
    body.write(data.subarray(0, 9 * MiB));
    await new Promise((resolve) => setTimeout(resolve, 300));
    body.destroy(new Error('client went away'));
    await t.rejects(appending, /client went away/);
    t.equal((await instanceA.get('erin', session.id))?.offset, 9 * MiB);
    await instanceB.append('erin', session.id, 9 * MiB, Readable.from([data.subarray(9 * MiB)]), append);
    t.equal((await instanceB.complete('erin', session.id)).sha256, sha256(data));
  });

  t.test('deferred length: declared once, quota enforced as bytes arrive', async (t) => {
    const quota = { bytes: 2 * MiB, files: 0 };
    const session = await instanceA.create('frank', init(undefined, { quota }));
    t.equal(session.length, undefined);
    await instanceA.append('frank', session.id, 0, Readable.from([randomBytes(MiB)]), { quota, maxBytes: 64 * MiB });
    await t.rejects(instanceA.append('frank', session.id, MiB, Readable.from([randomBytes(MiB + 1)]), { quota, maxBytes: 64 * MiB }), kind('quota'));
    t.equal((await instanceA.get('frank', session.id))?.offset, 2 * MiB, 'kept up to the quota');
    await t.rejects(instanceA.setLength('frank', session.id, MiB, { quota, maxBytes: 64 * MiB }), kind('conflict'), 'below the offset');
    const declared = await instanceA.setLength('frank', session.id, 2 * MiB, { quota, maxBytes: 64 * MiB });
    t.equal(declared.length, 2 * MiB);
    await t.rejects(instanceA.setLength('frank', session.id, 2 * MiB, { quota, maxBytes: 64 * MiB }), kind('conflict'), 'only once');
    const record = await instanceA.complete('frank', session.id);
    t.equal(record.size, 2 * MiB);
    await t.rejects(instanceA.create('frank', init(1, { quota })), kind('quota'), 'the file now counts');
  });

  t.test('quota held at creation, across instances, and given back by abort', async (t) => {
    const quota = { bytes: 20 * MiB, files: 2 };
    const one = await instanceA.create('gina', init(12 * MiB, { quota }));
    await t.rejects(instanceB.create('gina', init(12 * MiB, { quota })), kind('quota'));
    const two = await instanceB.create('gina', init(8 * MiB, { quota }));
    await t.rejects(instanceA.create('gina', init(0, { quota })), kind('quota'), 'files too');
    await instanceA.append('gina', one.id, 0, Readable.from([randomBytes(9 * MiB)]), append);
    t.same(await env.uploads(`files/gina/${one.id}`), [`files/gina/${one.id}`], 'a part went to the multipart upload');
    t.equal((await env.keys(`.sessions/${one.id}/`)).length, 1, 'the rest is staged');
    t.equal(await instanceB.abort('gina', one.id), true);
    t.equal(await instanceB.abort('gina', one.id), false);
    t.same(await env.uploads(`files/gina/${one.id}`), [], 'multipart upload aborted');
    t.same(await env.keys(`.sessions/${one.id}/`), [], 'staged bytes gone');
    t.equal(await instanceA.get('gina', one.id), undefined);
    const three = await instanceA.create('gina', init(12 * MiB, { quota }));
    t.ok(three.id, 'room again');
    await instanceA.abort('gina', two.id);
    await instanceA.abort('gina', three.id);
  });

  t.test('concatenation: partials in parallel, then one file in order', async (t) => {
    const parts = [randomBytes(6 * MiB), randomBytes(100), randomBytes(9 * MiB + 7)];
    const partials = await Promise.all(parts.map(async (bytes, index) => {
      const session = await (index % 2 ? instanceA : instanceB).create('hank', init(bytes.length, { partial: true }));
      await (index % 2 ? instanceB : instanceA).append('hank', session.id, 0, Readable.from([bytes]), append);
      return session.id;
    }));
    await t.rejects(instanceA.complete('hank', partials[0]!), kind('conflict'), 'a partial is no file by itself');
    const meta = { name: 'whole.bin', type: 'application/octet-stream', extra: {} };
    const record = await instanceA.concatenate('hank', partials, meta, noQuota);
    const whole = Buffer.concat(parts);
    t.equal(record.size, whole.length);
    t.equal(record.sha256, sha256(whole));
    t.ok((await fileBytes('hank', record.id)).equals(whole));
    for (const id of partials) {
      t.equal(await instanceA.get('hank', id), undefined, 'partials removed');
      t.same(await env.keys(`.sessions/${id}/`), []);
    }
    const unfinished = await instanceA.create('hank', init(10, { partial: true }));
    await t.rejects(instanceA.concatenate('hank', [unfinished.id], meta, noQuota), kind('conflict'));
  });

  t.test('expired sessions are refused and swept with their staged bytes and multipart uploads', async (t) => {
    const later = await instanceA.create('ivy', init(20 * MiB));
    await instanceA.append('ivy', later.id, 0, Readable.from([randomBytes(9 * MiB)]), append);
    t.ok((await env.keys(`.sessions/${later.id}/`)).length > 0);
    t.same(await env.uploads(`files/ivy/${later.id}`), [`files/ivy/${later.id}`]);
    await instanceA.sweep();
    t.ok(await instanceA.get('ivy', later.id), 'a session before its time is not swept');
    const gone = await instanceA.create('ivy', init(20 * MiB, { expiresAt: new Date(Date.now() - 1000) }));
    await t.rejects(instanceB.append('ivy', gone.id, 0, Readable.from([Buffer.alloc(1)]), append), kind('expired'));
    t.ok(await instanceB.sweep(new Date(Date.now() + 7_200_000)) >= 2, 'both swept, two hours on');
    for (const id of [later.id, gone.id]) t.equal(await instanceA.get('ivy', id), undefined);
    t.same(await env.keys(`.sessions/${later.id}/`), [], 'staged bytes removed');
    t.same(await env.uploads(`files/ivy/${later.id}`), [], 'multipart upload aborted');
  });
});
