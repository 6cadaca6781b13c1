import t from 'tap';
import { GroupedWrites } from '../../src/audit/grouped-writes.js';

/** A write that waits until released, recording what it was given. */
function gatedWrites() {
  const calls: string[][] = [];
  const gates: (() => void)[] = [];
  let failNext: Error | undefined;
  const writes = new GroupedWrites<string>((lines) => {
    calls.push(lines);
    const failure = failNext;
    failNext = undefined;
    return new Promise<void>((resolve, reject) => gates.push(() => (failure ? reject(failure) : resolve())));
  });
  const release = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { writes, calls, release, failOnce: (error: Error) => (failNext = error) };
}

t.test('lines that arrive during a write go together in the next one, in order', async (t) => {
  const { writes, calls, release } = gatedWrites();
  const settled: string[] = [];
  const first = writes.add(['a']).then(() => settled.push('a'));
  const second = writes.add(['b', 'c']).then(() => settled.push('bc'));
  const third = writes.add(['d']).then(() => settled.push('d'));
  t.same(calls, [['a']], 'the first write starts at once, alone');
  await release();
  t.same(settled, ['a'], 'only the first caller is done');
  t.same(calls, [['a'], ['b', 'c', 'd']], 'the two waiting callers share the second write');
  await release();
  await Promise.all([first, second, third]);
  t.same(settled, ['a', 'bc', 'd']);
});

t.test('a failed write fails exactly its own callers; the next write goes on', async (t) => {
  const { writes, calls, release, failOnce } = gatedWrites();
  const first = writes.add(['a']);
  failOnce(new Error('disk full'));
  const second = writes.add(['b']);
  const third = writes.add(['c']);
  await release();
  await first;
  const outcomes = Promise.allSettled([second, third]);
  await release();
  t.same((await outcomes).map((o) => o.status), ['rejected', 'rejected'], 'both callers of the failed write hear of it');
  const fourth = writes.add(['d']);
  await release();
  await fourth;
  t.same(calls, [['a'], ['b', 'c'], ['d']]);
});

t.test('nothing to write is no write', async (t) => {
  const { writes, calls } = gatedWrites();
  await writes.add([]);
  t.same(calls, []);
});
