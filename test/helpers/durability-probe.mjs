// Run under strace by test/storage/disk-durability.test.ts: stores one small and one large file
// through the disk backend as a multipart upload does, and one through a resumable session; and a
// 40 MiB file each way (resumable: in one request and in 8 MiB ones), whose earlier bytes are
// flushed while the rest is written (flush-behind).
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';

const [dist, storageDir] = process.argv.slice(2);
const { DiskBackend } = await import(`${dist}/storage/disk/backend.js`);
const backend = new DiskBackend({ storageDir, staleUploadSeconds: 3600 });
const noQuota = { bytes: 0, files: 0 };
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

for (const size of [1024, 300 << 10]) {
  const data = Buffer.alloc(size, 7);
  const reservation = await backend.files.reserve('whole', size, noQuota, true);
  const pending = await backend.files.begin('whole', { name: `f${size}`, type: 'application/octet-stream' }, reservation);
  for (let at = 0; at < size; at += 16 << 10) pending.stream.write(data.subarray(at, at + (16 << 10)));
  pending.stream.end();
  await new Promise((resolve) => pending.stream.on('finish', resolve));
  await pending.commit({ size, sha256: sha256(data) });
}

const MiB = Buffer.alloc(1 << 20, 5);
const LARGE = 40;
{
  const size = LARGE * MiB.length;
  const pending = await backend.files.begin('large', { name: 'large', type: 'application/octet-stream' });
  for (let i = 0; i < LARGE; i++) if (!pending.stream.write(MiB)) await once(pending.stream, 'drain');
  pending.stream.end();
  await new Promise((resolve) => pending.stream.on('finish', resolve));
  await pending.commit({ size, sha256: sha256(Buffer.concat(Array(LARGE).fill(MiB))) });
}

/** One session, its chunks sent `perRequest` at a time (one PATCH each). */
async function resumable(user, chunks, perRequest = chunks.length) {
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const session = await backend.sessions.create(user, {
    length, meta: { name: 'r', type: 'application/octet-stream', extra: {} },
    expiresAt: new Date(Date.now() + 3600_000), quota: noQuota, maxBytes: 1 << 30,
  });
  let offset = 0;
  for (let i = 0; i < chunks.length; i += perRequest) {
    const body = chunks.slice(i, i + perRequest);
    await backend.sessions.append(user, session.id, offset, Readable.from(body), { quota: noQuota, maxBytes: 1 << 30 });
    offset += body.reduce((sum, chunk) => sum + chunk.length, 0);
  }
  await backend.sessions.complete(user, session.id);
}
await resumable('resumed', [Buffer.alloc(2048, 9)]);
// A creation that carries every byte (tus creation-with-upload): one step, no lock.
await backend.sessions.createWhole('created-whole', {
  length: 1500, meta: { name: 'w', type: 'application/octet-stream', extra: {} },
  expiresAt: new Date(Date.now() + 3600_000), quota: noQuota, maxBytes: 1 << 30,
}, Readable.from([Buffer.alloc(1500, 3)]));
await resumable('resumed-large', Array(LARGE).fill(MiB));
await resumable('resumed-chunked', Array(LARGE).fill(MiB), 8);
