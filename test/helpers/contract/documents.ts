import { Readable } from 'node:stream';
import type { Test } from 'tap';
import type { Documents, PutOptions } from '../../../src/storage/documents.js';
import { isStorageError } from '../../../src/storage/errors.js';
import { raceWorkers, type WorkerTarget } from './worker.js';

export interface DocumentsSubject {
  documents: Documents;
  /** How a child process opens the same documents (the cross-process race). */
  worker: WorkerTarget;
  cleanup(): Promise<void>;
}

const NO_LIMITS = { quota: { bytes: 0, files: 0 }, maxBytes: 0 };

async function read(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

const body = (text: string) => Readable.from([Buffer.from(text)]);

function put(documents: Documents, user: string, path: string, text: string, options: Partial<PutOptions> = {}) {
  return documents.put(user, path, body(text), { contentType: 'text/plain', ...NO_LIMITS, ...options });
}

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return isStorageError(error) ? error.kind : `not a StorageError: ${String(error)}`;
  }
}

/**
 * What every backend's keyed documents promise (remoteStorage builds on it). `open` makes a
 * fresh, empty subject each time.
 */
export function documentsContract(t: Test, open: () => Promise<DocumentsSubject>): void {
  const withSubject = (name: string, fn: (t: Test, subject: DocumentsSubject) => Promise<void>) =>
    t.test(name, async (t) => {
      const subject = await open();
      t.teardown(() => subject.cleanup());
      await fn(t, subject);
    });

  withSubject('put, stat, get (and ranges), replace', async (t, { documents }) => {
    t.equal(await documents.stat('ann', '/notes/today.md'), undefined);
    t.equal(await documents.get('ann', '/notes/today.md'), undefined);
    const first = await put(documents, 'ann', '/notes/today.md', 'hello world', { contentType: 'text/markdown', app: 'https://notes.example' });
    t.equal(first.created, true);
    t.match(first.info, { path: '/notes/today.md', contentType: 'text/markdown', size: 11 });
    t.match(first.info.etag, /^[^"\s]+$/, 'an ETag without quotes');
    t.same(await documents.stat('ann', '/notes/today.md'), first.info);
    const got = await documents.get('ann', '/notes/today.md');
    t.same(got?.info, first.info);
    t.equal(await read(got!.stream), 'hello world');
    t.equal(await read((await documents.get('ann', '/notes/today.md', { start: 6, end: 10 }))!.stream), 'world');
    const second = await put(documents, 'ann', '/notes/today.md', 'bye', { contentType: 'text/plain' });
    t.equal(second.created, false);
    t.not(second.info.etag, first.info.etag, 'a new ETag');
    t.equal(await read((await documents.get('ann', '/notes/today.md'))!.stream), 'bye');
    t.equal(await documents.stat('bob', '/notes/today.md'), undefined, 'users are separate');
    t.equal(await documents.folder('bob', '/'), undefined);
  });

  withSubject('an empty document and any bytes', async (t, { documents }) => {
    const { info } = await put(documents, 'ann', '/empty', '');
    t.equal(info.size, 0);
    t.equal(await read((await documents.get('ann', '/empty'))!.stream), '');
    const bytes = Buffer.from([0, 255, 10, 13, 0x80]);
    await documents.put('ann', '/bin', Readable.from([bytes]), { contentType: 'application/octet-stream', ...NO_LIMITS });
    const chunks: Buffer[] = [];
    for await (const chunk of (await documents.get('ann', '/bin'))!.stream) chunks.push(chunk as Buffer);
    t.same(Buffer.concat(chunks), bytes);
  });

  withSubject('preconditions: If-Match and If-None-Match', async (t, { documents }) => {
    t.equal(await kindOf(put(documents, 'ann', '/a', 'x', { precondition: { ifMatch: ['nope'] } })), 'precondition_failed', 'If-Match on nothing');
    t.equal(await kindOf(put(documents, 'ann', '/a', 'x', { precondition: { ifMatch: ['*'] } })), 'precondition_failed', 'If-Match: * on nothing');
    const { info } = await put(documents, 'ann', '/a', 'one', { precondition: { ifNoneMatch: '*' } });
    t.equal(await kindOf(put(documents, 'ann', '/a', 'two', { precondition: { ifNoneMatch: '*' } })), 'precondition_failed', 'If-None-Match: * on a document');
    t.equal(await kindOf(put(documents, 'ann', '/a', 'two', { precondition: { ifMatch: ['other'] } })), 'precondition_failed', 'If-Match with another ETag');
    t.equal(await kindOf(put(documents, 'ann', '/a', 'two', { precondition: { ifNoneMatch: ['x', info.etag] } })), 'precondition_failed', 'If-None-Match listing the ETag');
    t.equal(await read((await documents.get('ann', '/a'))!.stream), 'one', 'nothing written by a failed precondition');
    t.equal((await documents.history('ann', '/a')).length, 1, 'and no version kept');
    const next = await put(documents, 'ann', '/a', 'two', { precondition: { ifMatch: ['other', info.etag] } });
    t.equal(next.created, false);
    await put(documents, 'ann', '/a', 'three', { precondition: { ifMatch: ['*'] } });
    await put(documents, 'ann', '/a', 'four', { precondition: { ifNoneMatch: ['not-it'] } });
    t.equal(await kindOf(documents.remove('ann', '/a', { precondition: { ifMatch: [info.etag] } })), 'precondition_failed', 'DELETE with a stale If-Match');
    t.equal(await read((await documents.get('ann', '/a'))!.stream), 'four');
    const current = (await documents.stat('ann', '/a'))!;
    t.same(await documents.remove('ann', '/a', { precondition: { ifMatch: [current.etag] } }), current);
    t.equal(await kindOf(documents.remove('ann', '/a', {})), 'not_found', 'DELETE of nothing');
  });

  withSubject('16 conditional PUTs racing on one ETag: exactly one wins', async (t, { documents }) => {
    const { info } = await put(documents, 'ann', '/race', 'start');
    const outcomes = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      kindOf(put(documents, 'ann', '/race', `writer ${i}`, { precondition: { ifMatch: [info.etag] } }))));
    t.equal(outcomes.filter((o) => o === 'ok').length, 1, 'one wins');
    t.equal(outcomes.filter((o) => o === 'precondition_failed').length, 15, 'the others are refused');
    t.equal((await documents.history('ann', '/race')).length, 2);
    const creates = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      kindOf(put(documents, 'ann', '/new', `creator ${i}`, { precondition: { ifNoneMatch: '*' } }))));
    t.equal(creates.filter((o) => o === 'ok').length, 1, 'of 16 racing creates (If-None-Match: *) one wins');
  });

  withSubject('conditional PUTs from 6 processes racing on one ETag: exactly one wins', async (t, { documents, worker }) => {
    const { info } = await put(documents, 'ann', '/shared/doc', 'start');
    const outcomes = await raceWorkers(worker, Array.from({ length: 6 }, (_, i) => ({
      task: 'conditional-put', user: 'ann', path: '/shared/doc', ifMatch: [info.etag], body: `process ${i}`,
    })));
    const winners = outcomes.filter((o) => o.won === true);
    t.equal(winners.length, 1, 'one wins');
    t.same(outcomes.filter((o) => o.won === false).map((o) => o.kind), Array(5).fill('precondition_failed'));
    t.equal((await documents.stat('ann', '/shared/doc'))?.etag, winners[0]?.etag, 'and its write is the current one');
  });

  withSubject('a document and a folder may not share a name along the path', async (t, { documents }) => {
    await put(documents, 'ann', '/a/b', 'doc');
    t.equal(await kindOf(put(documents, 'ann', '/a/b/c', 'x')), 'conflict', 'a document where a folder would be');
    t.equal(await kindOf(put(documents, 'ann', '/a/b/c/d', 'x')), 'conflict', 'deeper too');
    t.equal(await kindOf(put(documents, 'ann', '/a', 'x')), 'conflict', 'a folder where a document would be');
    t.equal(await documents.stat('ann', '/a'), undefined, 'a folder is not a document');
    t.equal(await kindOf(documents.remove('ann', '/a', {})), 'not_found');
    await documents.remove('ann', '/a/b', {});
    await put(documents, 'ann', '/a/b/c', 'now a folder');
    t.equal(await read((await documents.get('ann', '/a/b/c'))!.stream), 'now a folder', 'free once the document went');
    t.equal((await documents.history('ann', '/a/b')).length, 2, 'the deleted document keeps its history');
  });

  withSubject('folder listings: children with their ETags, empty folders do not exist', async (t, { documents }) => {
    const doc = await put(documents, 'ann', '/photos/2026/cat.jpg', 'meow', { contentType: 'image/jpeg' });
    await put(documents, 'ann', '/photos/index.json', '{}', { contentType: 'application/json' });
    const photos = await documents.folder('ann', '/photos/');
    const year = await documents.folder('ann', '/photos/2026/');
    t.same(photos?.items.map((i) => i.name), ['2026/', 'index.json']);
    t.equal(photos?.items[0]?.etag, year?.etag, 'a sub-folder is listed with its own ETag');
    t.same(photos?.items[1], { name: 'index.json', etag: (await documents.stat('ann', '/photos/index.json'))!.etag, contentType: 'application/json', size: 2, modified: (await documents.stat('ann', '/photos/index.json'))!.modified });
    t.same(year?.items, [{ name: 'cat.jpg', etag: doc.info.etag, contentType: 'image/jpeg', size: 4, modified: doc.info.modified }]);
    t.same((await documents.folder('ann', '/'))?.items.map((i) => i.name), ['photos/']);
    t.equal(await documents.folder('ann', '/nothing/'), undefined);
    await documents.remove('ann', '/photos/2026/cat.jpg', {});
    t.equal(await documents.folder('ann', '/photos/2026/'), undefined, 'a folder emptied by a delete does not exist');
    t.same((await documents.folder('ann', '/photos/'))?.items.map((i) => i.name), ['index.json'], 'nor is it listed');
    await documents.remove('ann', '/photos/index.json', {});
    t.equal(await documents.folder('ann', '/photos/'), undefined);
    t.equal(await documents.folder('ann', '/'), undefined, 'nothing at all: the root lists nothing');
  });

  withSubject('names are data: dots, spaces, percent signs, Unicode', async (t, { documents }) => {
    const paths = ['/.hidden', '/a b/c%2Fd', '/é/ü.txt', '/e\u0301', '/x.y.z', '/..a', '/~tilde'];
    for (const path of paths) await put(documents, 'ann', path, path);
    for (const path of paths) t.equal(await read((await documents.get('ann', path))!.stream), path, path);
    t.same((await documents.folder('ann', '/'))?.items.map((i) => i.name).sort(),
      ['.hidden', '..a', 'a b/', 'e\u0301', 'x.y.z', '~tilde', 'é/'].sort());
    t.same((await documents.folder('ann', '/a b/'))?.items.map((i) => i.name), ['c%2Fd']);
  });

  withSubject('paths that are not document paths are refused, and find nothing', async (t, { documents }) => {
    for (const path of ['relative', '/a//b', '/a/../b', '/./a', '/..', '/a/\u0000', '/a\u007f', '/folder/', '/', '/\ud800']) {
      t.equal(await kindOf(put(documents, 'ann', path, 'x')), 'conflict', `PUT ${JSON.stringify(path)}`);
      t.equal(await documents.stat('ann', path), undefined, `stat ${JSON.stringify(path)}`);
      t.equal(await documents.get('ann', path), undefined);
      t.same(await documents.history('ann', path), []);
    }
    t.equal(await kindOf(put(documents, 'ann', `/${'x'.repeat(4000)}`, 'x')), 'conflict', 'too long');
    t.equal(await documents.folder('ann', '/a/../'), undefined);
    t.equal(await documents.folder('ann', 'a/'), undefined);
    t.equal(await documents.folder('ann', '/'), undefined, 'nothing was written');
  });

  withSubject('a folder’s ETag changes whenever anything below it changes, and only then', async (t, { documents }) => {
    await put(documents, 'ann', '/a/b/c/doc', '1');
    await put(documents, 'ann', '/a/other/doc', '1');
    const etags = async () => Promise.all(['/', '/a/', '/a/b/', '/a/b/c/', '/a/other/'].map(async (p) => (await documents.folder('ann', p))?.etag));
    const before = await etags();
    t.equal(new Set(before).size, 5, 'every folder has its own ETag');
    t.same(await etags(), before, 'stable while nothing changes');
    await put(documents, 'ann', '/a/b/c/doc', '2');
    const afterPut = await etags();
    for (const [i, path] of ['/', '/a/', '/a/b/', '/a/b/c/'].entries()) t.not(afterPut[i], before[i], `PUT below changes ${path}`);
    t.equal(afterPut[4], before[4], 'a sibling folder keeps its ETag');
    await put(documents, 'ann', '/a/b/c/new', 'x');
    const afterCreate = await etags();
    t.not(afterCreate[3], afterPut[3], 'a new document changes its folder');
    t.not(afterCreate[0], afterPut[0], 'and the root');
    await documents.remove('ann', '/a/b/c/new', {});
    const afterDelete = await etags();
    for (const [i, path] of ['/', '/a/', '/a/b/', '/a/b/c/'].entries()) t.not(afterDelete[i], afterCreate[i], `DELETE below changes ${path}`);
    t.equal(await kindOf(put(documents, 'ann', '/a/b/c/doc', 'refused', { precondition: { ifNoneMatch: '*' } })), 'precondition_failed');
    t.same(await etags(), afterDelete, 'a refused write changes nothing');
  });

  withSubject('history: 20 writes kept newest first, each readable; restore is a new write', async (t, { documents }) => {
    const etags: string[] = [];
    for (let i = 1; i <= 20; i++) etags.push((await put(documents, 'ann', '/diary', `entry ${i}`, { app: `app-${i}` })).info.etag);
    const history = await documents.history('ann', '/diary');
    t.equal(history.length, 20);
    t.same(history.map((v) => v.etag), [...etags].reverse(), 'newest first, the current one included');
    t.equal(history[0]?.etag, (await documents.stat('ann', '/diary'))?.etag);
    t.equal(history[0]?.app, 'app-20');
    t.equal(history[19]?.size, 'entry 1'.length);
    const third = history.find((v) => v.etag === etags[2])!;
    const old = await documents.version('ann', '/diary', third.version);
    t.equal(await read(old!.stream), 'entry 3', 'an old version is readable');
    t.equal(old?.version.app, 'app-3');
    const again = await documents.version('ann', '/diary', third.version);
    const restored = await documents.put('ann', '/diary', again!.stream,
      { contentType: third.contentType, ...NO_LIMITS, precondition: { ifMatch: [etags[19]!] } });
    t.not(restored.info.etag, etags[19], 'restoring makes a new ETag, so clients see the change');
    t.not(restored.info.etag, etags[2]);
    t.equal(await read((await documents.get('ann', '/diary'))!.stream), 'entry 3');
    t.equal((await documents.history('ann', '/diary')).length, 21);
    t.equal(await documents.version('ann', '/diary', 'no-such-version'), undefined);
    t.equal(await documents.version('ann', '/elsewhere', third.version), undefined, 'a version belongs to its path');
  });

  withSubject('a DELETE keeps the last version', async (t, { documents }) => {
    await put(documents, 'ann', '/todo', 'milk');
    await documents.remove('ann', '/todo', { app: 'shopping' });
    t.equal(await documents.stat('ann', '/todo'), undefined);
    const history = await documents.history('ann', '/todo');
    t.equal(history.length, 2);
    t.match(history[0], { deleted: true, app: 'shopping', size: 0 });
    t.equal(await read((await documents.version('ann', '/todo', history[1]!.version))!.stream), 'milk');
  });

  withSubject('prune by count and by age', async (t, { documents }) => {
    for (let i = 1; i <= 6; i++) await put(documents, 'ann', '/p', `v${i}`);
    await put(documents, 'ann', '/q', 'only');
    t.equal(await documents.prune('ann', { keepVersions: 0, keepDays: 0 }), 0, 'no limits: nothing goes');
    t.equal(await documents.prune('ann', { keepVersions: 2, keepDays: 0 }), 3, 'v1–v3 go');
    const kept = await documents.history('ann', '/p');
    t.equal(kept.length, 3, 'the current one and 2 old ones');
    for (const version of kept) t.match(await read((await documents.version('ann', '/p', version.version))!.stream), /^v[4-6]$/);
    t.equal(await documents.prune('ann', { keepVersions: 0, keepDays: 30 }), 0, 'nothing is 30 days old yet');
    const later = new Date(Date.now() + 31 * 86_400_000);
    t.equal(await documents.prune('ann', { keepVersions: 0, keepDays: 30 }, later), 2, 'a month later the old ones go');
    t.equal((await documents.history('ann', '/p')).length, 1);
    t.equal(await read((await documents.get('ann', '/p'))!.stream), 'v6', 'the current version is never pruned');
    t.equal((await documents.history('ann', '/q')).length, 1);
    await documents.remove('ann', '/q', {});
    t.equal(await documents.prune('ann', { keepVersions: 0, keepDays: 30 }, new Date(Date.now() + 62 * 86_400_000)), 1, 'a deleted document’s last bytes go too');
    t.same(await documents.history('ann', '/q'), [], 'and with them its history');
  });

  withSubject('quota: versions count; a body over the limit or the quota stores nothing', async (t, { documents }) => {
    const quota = { bytes: 100, files: 0 };
    await put(documents, 'ann', '/q', 'x'.repeat(40), { quota, maxBytes: 1000 });
    await put(documents, 'ann', '/q', 'y'.repeat(40), { quota, maxBytes: 1000 });
    const etag = (await documents.stat('ann', '/q'))!.etag;
    t.equal(await kindOf(put(documents, 'ann', '/q', 'z'.repeat(40), { quota, maxBytes: 1000 })), 'quota', 'the old version still holds its 40 bytes');
    t.equal(await kindOf(put(documents, 'ann', '/r', 'z'.repeat(30), { quota, maxBytes: 20 })), 'too_large');
    t.equal((await documents.stat('ann', '/q'))?.etag, etag, 'nothing changed');
    t.equal(await documents.stat('ann', '/r'), undefined);
    t.equal((await documents.history('ann', '/q')).length, 2);
    await put(documents, 'ann', '/r', 'z'.repeat(20), { quota, maxBytes: 1000 });
    t.equal(await kindOf(put(documents, 'ann', '/s', 'w', { quota, maxBytes: 1000 })), 'quota', 'full to the byte');
    t.equal(await documents.prune('ann', { keepVersions: 0, keepDays: 1 }, new Date(Date.now() + 2 * 86_400_000)), 1);
    await put(documents, 'ann', '/s', 'w'.repeat(40), { quota, maxBytes: 1000 });
    t.pass('pruning gave the room back');
    t.equal(await kindOf(put(documents, 'bob', '/big', 'b'.repeat(100), { quota, maxBytes: 1000 })), 'ok', 'quota is per user');
  });

  withSubject('8 PUTs racing for the last room of a quota never overshoot it', async (t, { documents }) => {
    const quota = { bytes: 100, files: 0 };
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      kindOf(put(documents, 'ann', `/race/${i}`, 'x'.repeat(30), { quota, maxBytes: 1000 }))));
    t.equal(outcomes.filter((o) => o === 'ok').length, 3, '3 × 30 bytes fit in 100');
    t.equal(outcomes.filter((o) => o === 'quota').length, 5);
    t.equal((await documents.folder('ann', '/race/'))?.items.length, 3);
  });

  withSubject('a body that fails midway leaves the document as it was', async (t, { documents }) => {
    const { info } = await put(documents, 'ann', '/f', 'kept');
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000, 1));
        this.destroy(new Error('client went away'));
      },
    });
    await t.rejects(documents.put('ann', '/f', failing, { contentType: 'text/plain', ...NO_LIMITS }));
    t.same(await documents.stat('ann', '/f'), info);
    t.equal(await read((await documents.get('ann', '/f'))!.stream), 'kept');
    t.equal((await documents.history('ann', '/f')).length, 1);
  });

  withSubject('a reader keeps the bytes it opened while a writer replaces them', async (t, { documents }) => {
    await put(documents, 'ann', '/big', 'a'.repeat(1_000_000));
    const reading = await documents.get('ann', '/big');
    await put(documents, 'ann', '/big', 'b'.repeat(10));
    t.equal(await read(reading!.stream), 'a'.repeat(1_000_000));
  });
}
