import t from 'tap';
import type { FileHandle } from 'node:fs/promises';
import { BatchedWriter } from '../../src/storage/disk/batched-writer.js';
import { FLUSH_BEHIND_BYTES, FlushBehind } from '../../src/storage/disk/flush-behind.js';

/** A FileHandle stand-in whose writev writes at most `limit` bytes per call (short writes), or fails from the `failAt`th call on. */
function fakeHandle(options: { limit?: number; failAt?: number } = {}) {
  const file = Buffer.alloc(64);
  const calls: number[] = [];
  const handle = {
    async writev(buffers: Buffer[], position: number) {
      await new Promise((r) => setTimeout(r, 2));
      calls.push(buffers.length);
      if (options.failAt !== undefined && calls.length >= options.failAt) throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
      const all = Buffer.concat(buffers).subarray(0, options.limit ?? Infinity);
      all.copy(file, position);
      return { bytesWritten: all.length, buffers };
    },
  };
  return { handle: handle as unknown as FileHandle, file, calls };
}

t.test('writes what was pushed, in order, from the position on; batches what arrives during a write', async (t) => {
  const { handle, file, calls } = fakeHandle();
  const writer = new BatchedWriter(handle, 4);
  for (const part of ['ab', 'cd', 'ef', 'gh']) await writer.push(Buffer.from(part));
  await writer.flush();
  t.equal(file.subarray(4, 12).toString(), 'abcdefgh');
  t.equal(writer.written, 8);
  t.ok(calls.length < 4, `fewer writes than pushes (${calls.length})`);
});

t.test('short writes are continued where they stopped', async (t) => {
  const { handle, file } = fakeHandle({ limit: 3 });
  const writer = new BatchedWriter(handle, 0);
  await writer.push(Buffer.from('hello '));
  await writer.push(Buffer.from('world'));
  await writer.flush();
  t.equal(file.subarray(0, 11).toString(), 'hello world');
  t.equal(writer.written, 11);
});

t.test('a failed write: flush and later pushes throw it, written counts only what was written', async (t) => {
  const { handle } = fakeHandle({ failAt: 2 });
  const writer = new BatchedWriter(handle, 0);
  await writer.push(Buffer.from('one'));
  await writer.settle();
  await writer.push(Buffer.from('two'));
  await t.rejects(writer.flush(), { code: 'ENOSPC' });
  await t.rejects(writer.push(Buffer.from('three')), { code: 'ENOSPC' });
  t.equal(writer.written, 3);
});

t.test("with the session's flush-behind: counts from the file's start, never waits for it, reports its failure", async (t) => {
  const { handle } = fakeHandle();
  let flushes = 0;
  let failFlush: (error: Error) => void = () => undefined;
  const behind = new FlushBehind(() => {
    flushes++;
    return new Promise<void>((_resolve, reject) => (failFlush = reject));
  });
  const writer = new BatchedWriter(handle, FLUSH_BEHIND_BYTES - 4, behind);
  await writer.push(Buffer.from('12345678'));
  await writer.flush();
  t.equal(flushes, 1, 'a flush began once the file passed FLUSH_BEHIND_BYTES');
  t.ok(behind.busy, 'and the writer settled without waiting for it');
  failFlush(Object.assign(new Error('I/O error'), { code: 'EIO' }));
  await behind.settle();
  const next = new BatchedWriter(handle, FLUSH_BEHIND_BYTES + 4, behind);
  await next.push(Buffer.from('x'));
  await t.rejects(next.flush(), { code: 'EIO' }, "the session's next writer reports the failed flush");
});
