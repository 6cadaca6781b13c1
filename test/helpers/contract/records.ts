import type { Test } from 'tap';
import type { Records } from '../../../src/storage/records.js';
import { raceWorkers, type WorkerTarget } from './worker.js';

export interface RecordsSubject {
  records: Records;
  /** How a child process opens the same records (the cross-process test). */
  worker: WorkerTarget;
  cleanup(): Promise<void>;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * What every backend's Records promise (disk: a file per record under a lock file; PostgreSQL:
 * a row under SELECT … FOR UPDATE). `open` makes a fresh, empty subject each time. Names follow
 * src/storage/record-names.ts (every backend calls its assert functions: RangeError), and list()
 * is in key order by code point (PostgreSQL: ORDER BY key COLLATE "C").
 */
export function recordsContract(t: Test, open: () => Promise<RecordsSubject>): void {
  const withSubject = (name: string, fn: (t: Test, subject: RecordsSubject) => Promise<void>) =>
    t.test(name, async (t) => {
      const subject = await open();
      t.teardown(() => subject.cleanup());
      await fn(t, subject);
    });

  withSubject('get, update, change and delete one record', async (t, { records }) => {
    t.equal(await records.get('links', 'a'), undefined, 'nothing before the first write');
    t.same(await records.update('links', 'a', (current) => {
      t.equal(current, undefined, 'change sees no record');
      return { count: 1, note: 'é ☃' };
    }), { count: 1, note: 'é ☃' });
    t.same(await records.get('links', 'a'), { count: 1, note: 'é ☃' });
    t.same(await records.update<{ count: number }>('links', 'a', (current) => ({ count: current!.count + 1 })), { count: 2 });
    t.same(await records.get('links', 'a'), { count: 2 });
    t.equal(await records.update('links', 'a', () => undefined), undefined, 'undefined deletes');
    t.equal(await records.get('links', 'a'), undefined);
    t.equal(await records.update('links', 'never', () => undefined), undefined, 'deleting nothing is nothing');
  });

  withSubject('a change that throws writes nothing', async (t, { records }) => {
    await records.update('accounts', 'ann', () => ({ failures: 0 }));
    await t.rejects(records.update<{ failures: number }>('accounts', 'ann', (current) => {
      current!.failures = 99;
      throw new Error('refused');
    }), { message: 'refused' });
    t.same(await records.get('accounts', 'ann'), { failures: 0 }, 'even a change that mutated what it was given');
    await t.rejects(records.update('accounts', 'bob', () => {
      throw new Error('no');
    }));
    t.equal(await records.get('accounts', 'bob'), undefined);
  });

  withSubject('collections are separate; list by prefix, in key order', async (t, { records }) => {
    for (const key of ['user:bob', 'user:ann', 'app:x', 'user:carl']) await records.update('approvals', key, () => ({ key }));
    await records.update('links', 'user:zed', () => ({ other: true }));
    t.same((await all(records.list('approvals', 'user:'))).map((r) => r.key), ['user:ann', 'user:bob', 'user:carl']);
    t.same((await all(records.list<{ key: string }>('approvals'))).map((r) => r.value.key), ['app:x', 'user:ann', 'user:bob', 'user:carl']);
    t.same(await all(records.list('approvals', 'nothing')), []);
    t.same(await all(records.list('empty')), [], 'a collection never written is empty');
    t.same(await records.get('links', 'user:ann'), undefined);
  });

  withSubject('keys are data: separators, dots, Unicode, long keys', async (t, { records }) => {
    const keys = ['../../etc/passwd', 'a/b\\c', '.', '..', '.hidden', 'é', 'e\u0301', 'x'.repeat(1000), 'x'.repeat(1001), 'tab\tand\u0001control', 'a b%2F'];
    for (const key of keys) await records.update('odd', key, () => ({ key }));
    for (const key of keys) t.same(await records.get('odd', key), { key }, JSON.stringify(key.slice(0, 20)));
    t.equal((await all(records.list('odd'))).length, keys.length, 'each its own record');
    t.same((await all(records.list('odd', 'x'))).map((r) => r.key.length), [1000, 1001], 'prefix over long keys');
    t.same((await all(records.list('odd', '.'))).map((r) => r.key), ['.', '..', '../../etc/passwd', '.hidden']);
  });

  withSubject('invalid collection names and keys are refused', async (t, { records }) => {
    for (const collection of ['', '../x', '.records', 'a/b', 'A'.repeat(65)]) {
      await t.rejects(records.update(collection, 'k', () => 1), RangeError, JSON.stringify(collection));
    }
    await t.rejects(records.update('ok', '', () => 1), RangeError, 'an empty key');
    await t.rejects(records.update('ok', '\ud800', () => 1), RangeError, 'a lone surrogate');
    await t.rejects(records.update('ok', 'nul\u0000', () => 1), RangeError, 'NUL (PostgreSQL text cannot hold it)');
    await t.rejects(records.update('ok', 'x'.repeat(4097), () => 1), RangeError, 'longer than 4096');
  });

  withSubject('remove', async (t, { records }) => {
    await records.update('links', 'gone', () => 1);
    t.equal(await records.remove('links', 'gone'), true);
    t.equal(await records.remove('links', 'gone'), false);
    t.equal(await records.get('links', 'gone'), undefined);
  });

  withSubject('concurrent updates in one process lose nothing', async (t, { records }) => {
    await Promise.all(Array.from({ length: 32 }, () => records.update<number>('counters', 'hits', (n) => (n ?? 0) + 1)));
    t.equal(await records.get('counters', 'hits'), 32);
  });

  withSubject('a one-time counter: of 16 racing claims exactly one wins', async (t, { records }) => {
    await records.update('links', 'once', () => ({ left: 1 }));
    const outcomes = await Promise.allSettled(Array.from({ length: 16 }, () =>
      records.update<{ left: number }>('links', 'once', (link) => {
        if (!link || link.left <= 0) throw new Error('exhausted');
        return { left: link.left - 1 };
      })));
    t.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    t.same(await records.get('links', 'once'), { left: 0 });
  });

  withSubject('8 processes × 50 increments of one counter make 400', async (t, { records, worker }) => {
    const outcomes = await raceWorkers(worker, Array.from({ length: 8 }, () => ({ task: 'increment', collection: 'counters', key: 'shared', times: 50 })));
    t.equal(outcomes.length, 8);
    t.equal(await records.get('counters', 'shared'), 400);
    t.ok(outcomes.some((o) => o.last === 400), 'the last increment saw 400');
  });
}
