import t from 'tap';
import { FLUSH_BEHIND_BYTES, FlushBehind } from '../../src/storage/disk/flush-behind.js';

/** A flush that ends when the test says so. */
function controlledFlush() {
  const started: Array<{ end: () => void; fail: (error: Error) => void }> = [];
  const flush = () => new Promise<void>((resolve, reject) => started.push({ end: resolve, fail: reject }));
  return { flush, started };
}

t.test('starts a flush every FLUSH_BEHIND_BYTES written, never two at once, never waiting on one', async (t) => {
  const { flush, started } = controlledFlush();
  const behind = new FlushBehind(flush);
  behind.wrote(FLUSH_BEHIND_BYTES - 1);
  t.equal(started.length, 0, 'not before FLUSH_BEHIND_BYTES');
  behind.wrote(FLUSH_BEHIND_BYTES);
  t.equal(started.length, 1, 'one flush started');
  t.ok(behind.busy, 'busy while it runs');
  behind.wrote(3 * FLUSH_BEHIND_BYTES);
  t.equal(started.length, 1, 'no second flush while one runs');
  started[0]!.end();
  await behind.settle();
  t.notOk(behind.busy, 'idle once it ended');
  behind.wrote(3 * FLUSH_BEHIND_BYTES + 1);
  t.equal(started.length, 2, 'the next one counts from where the last one started');
  behind.wrote(3 * FLUSH_BEHIND_BYTES + 2);
  started[1]!.end();
  await behind.settle();
  behind.wrote(4 * FLUSH_BEHIND_BYTES);
  t.equal(started.length, 2, 'not again until FLUSH_BEHIND_BYTES more');
  t.equal(behind.error, undefined);
});

t.test('a failed flush is kept, and no more are started', async (t) => {
  const { flush, started } = controlledFlush();
  const behind = new FlushBehind(flush);
  behind.wrote(FLUSH_BEHIND_BYTES);
  started[0]!.fail(Object.assign(new Error('I/O error'), { code: 'EIO' }));
  await behind.settle();
  t.match(behind.error, { code: 'EIO' });
  behind.wrote(5 * FLUSH_BEHIND_BYTES);
  t.equal(started.length, 1);
  t.notOk(behind.busy);
});
