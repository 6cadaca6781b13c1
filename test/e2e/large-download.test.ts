import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, openSync, writeSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { peakRss } from '../helpers/memory.js';
import { startBdfu } from '../helpers/serve.js';
import { bearer, scopedToken } from '../helpers/tokens.js';

const GiB = 1 << 30;
const MiB = 1 << 20;
/** Marks at known offsets of an otherwise sparse (all-zero) file, to check the bytes that arrive. */
const MARKS = [0, 12345, GiB / 2 + 7, GiB - 1];

/** Streams a download, keeping only its length and the bytes at MARKS. */
function fetchCounting(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; length: number; marks: number[]; contentLength: string | undefined }>((resolve, reject) => {
    request(url, { headers }, (res) => {
      let length = 0;
      const marks = MARKS.map(() => -1);
      res.on('data', (chunk: Buffer) => {
        MARKS.forEach((offset, i) => {
          if (offset >= length && offset < length + chunk.length) marks[i] = chunk[offset - length]!;
        });
        length += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length, marks, contentLength: res.headers['content-length'] }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

t.test('a 1 GiB download through bdfu serve keeps the server\'s memory flat', async (t) => {
  const fixture = makeFixture('large');
  const dir = join(fixture.storageDir, 'big');
  mkdirSync(dir, { recursive: true });
  const id = randomBytes(16).toString('hex');
  // Sparse: the test machine writes almost nothing to disk and holds nothing in memory.
  const fd = openSync(join(dir, id), 'w');
  ftruncateSync(fd, GiB);
  MARKS.forEach((offset, i) => writeSync(fd, Buffer.from([i + 1]), 0, 1, offset));
  closeSync(fd);
  writeFileSync(join(dir, `.${id}.json`), JSON.stringify({ id, user: 'big', name: 'big.img', type: 'application/octet-stream', size: GiB, sha256: '', uploaded: new Date().toISOString() }));

  const server = await startBdfu([fixture.config], { uninstrumented: true });
  t.teardown(() => server.stop());
  const pid = server.child.pid!;
  const token = await scopedToken('big', fixture.secret, 'read', 3600);
  const url = `${server.url}files/big/${id}`;

  const small = await fetchCounting(url, { ...bearer(token), range: 'bytes=0-0' });
  t.equal(small.status, 206, 'warm-up request');
  const before = peakRss(pid);

  const whole = await fetchCounting(url, bearer(token));
  t.equal(whole.status, 200);
  t.equal(whole.contentLength, String(GiB));
  t.equal(whole.length, GiB, 'all 1 GiB arrived');
  t.same(whole.marks, MARKS.map((_, i) => i + 1), 'the bytes at the marked offsets are right');
  const afterOne = peakRss(pid);
  const again = await fetchCounting(url, bearer(token));
  t.equal(again.length, GiB, 'and again');
  const tail = await fetchCounting(url, { ...bearer(token), range: `bytes=${GiB / 2}-` });
  t.equal(tail.status, 206);
  t.equal(tail.length, GiB / 2, 'a range of half a GiB');

  const after = peakRss(pid);
  const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
  t.comment(`server VmHWM: ${mib(before)} before, ${mib(afterOne)} after 1 GiB, ${mib(after)} after 2.5 GiB`);
  t.ok(after < 128 * MiB, `peak resident memory stays far below the file size (${mib(after)} < 128 MiB)`);
  t.ok(after - before < 64 * MiB, `and grows by less than 64 MiB in all (${mib(after - before)})`);
  t.ok(after - afterOne < 32 * MiB, `serving 1.5 GiB more adds next to nothing: memory does not grow with the bytes served (${mib(after - afterOne)})`);
});
