// Run under strace by test/storage/disk-durability.test.ts: stores one small and one large file
// through the disk backend as a multipart upload does, and one through a resumable session.
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

const data = Buffer.alloc(2048, 9);
const session = await backend.sessions.create('resumed', {
  length: data.length, meta: { name: 'r', type: 'application/octet-stream', extra: {} },
  expiresAt: new Date(Date.now() + 3600_000), quota: noQuota, maxBytes: 1 << 30,
});
await backend.sessions.append('resumed', session.id, 0, Readable.from([data]), { quota: noQuota, maxBytes: 1 << 30 });
await backend.sessions.complete('resumed', session.id);
