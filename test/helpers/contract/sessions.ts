import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Test } from 'tap';
import type { StorageBackend } from '../../../src/storage/backend.js';
import type { ResumableSessions, SessionInit } from '../../../src/storage/sessions.js';
import type { Quota } from '../../../src/storage/store.js';
import type { BackendFactory } from './backend-factory.js';
import { failingBody, put, read, sha256, slowBody } from './io.js';

const NO_QUOTA: Quota = { bytes: 0, files: 0 };
const MAX = 1 << 30;
const HOUR = 3600_000;

const init = (over: Partial<SessionInit> = {}): SessionInit => ({
  meta: { name: 'movie.mkv', type: 'video/x-matroska', extra: { filename: 'movie.mkv' } },
  expiresAt: new Date(Date.now() + HOUR),
  quota: NO_QUOTA,
  maxBytes: MAX,
  ...over,
});
const appendOptions = (over: { quota?: Quota; maxBytes?: number } = {}) => ({ quota: NO_QUOTA, maxBytes: MAX, ...over });
const body = (data: Buffer | string) => Readable.from([Buffer.from(data)]);

function sessionsOf(backend: StorageBackend): ResumableSessions {
  if (!backend.sessions || !backend.capabilities.sessions) throw new Error(`the ${backend.kind} backend declares no resumable sessions`);
  return backend.sessions;
}

/**
 * What every backend's resumable sessions promise (create → append at an offset → complete,
 * one writer at a time, expiry, quota). Run it once per backend.
 */
export function sessionsContract(t: Test, open: BackendFactory): void {
  t.test('create, append in chunks, complete: the file appears with the session id and record', async (t) => {
    const { backend } = await open();
    const sessions = sessionsOf(backend);
    const data = randomBytes(200_000);
    const session = await sessions.create('alice', init({ length: data.length, meta: { name: 'a.bin', type: 'application/x-a', extra: {}, downloadTokenHash: 'b'.repeat(64) } }));
    t.match(session, { user: 'alice', length: data.length, offset: 0, partial: false });
    t.match(session.id, /^[0-9a-f]{32}$/);
    let offset = 0;
    for (const size of [1, 65_535, 100_000, 34_464]) {
      const next = await sessions.append('alice', session.id, offset, body(data.subarray(offset, offset + size)), appendOptions());
      offset += size;
      t.equal(next.offset, offset, `offset ${offset}`);
    }
    t.equal((await sessions.get('alice', session.id))?.offset, data.length);
    t.equal(await backend.files.stat('alice', session.id), undefined, 'no file before complete');
    const record = await sessions.complete('alice', session.id);
    t.match(record, { id: session.id, user: 'alice', name: 'a.bin', type: 'application/x-a', size: data.length, sha256: sha256(data), downloadTokenHash: 'b'.repeat(64) });
    t.same(await backend.files.stat('alice', session.id), record, 'the same record as a whole upload');
    t.equal(sha256(await read((await backend.files.open('alice', session.id))!.stream)), sha256(data));
    t.same(await sessions.complete('alice', session.id), record, 'completing again answers the same file');
    const after = await sessions.get('alice', session.id);
    t.equal(after?.offset, data.length, 'a client whose last answer was lost learns it is done');
    t.same(after?.file, record);
  });

  t.test('a session moves between backends on the same storage (processes, instances)', async (t) => {
    const under = await open();
    const a = sessionsOf(under.backend);
    const b = sessionsOf(await under.sameStorage());
    const session = await a.create('mover', init({ length: 6 }));
    await a.append('mover', session.id, 0, body('abc'), appendOptions());
    t.equal((await b.get('mover', session.id))?.offset, 3);
    await b.append('mover', session.id, 3, body('def'), appendOptions());
    const record = await b.complete('mover', session.id);
    t.equal(record.sha256, sha256('abcdef'), 'sha256 over the whole file, though another backend wrote the start');
  });

  t.test("the client's metadata comes back as given, in its order (a tus HEAD echoes Upload-Metadata)", async (t) => {
    const under = await open();
    const extra = { zebra: 'last letter first', flag: '', filename: 'f.txt', a: 'shortest key', filetype: 'text/plain' };
    const session = await sessionsOf(under.backend).create('orderly', init({ length: 3, meta: { name: 'f.txt', type: 'text/plain', extra } }));
    for (const [label, backend] of [['this backend', under.backend], ['another on the same storage', await under.sameStorage()]] as const) {
      const meta = (await sessionsOf(backend).get('orderly', session.id))?.meta;
      t.same(meta?.extra, extra, `${label}: the same pairs`);
      t.same(Object.keys(meta?.extra ?? {}), Object.keys(extra), `${label}: in the same order`);
    }
  });

  t.test('a wrong offset is a conflict and changes nothing', async (t) => {
    const sessions = sessionsOf((await open()).backend);
    const session = await sessions.create('bob', init({ length: 10 }));
    await sessions.append('bob', session.id, 0, body('12345'), appendOptions());
    await t.rejects(sessions.append('bob', session.id, 3, body('xx'), appendOptions()), { name: 'StorageError', kind: 'conflict' });
    await t.rejects(sessions.append('bob', session.id, 0, body('xx'), appendOptions()), { name: 'StorageError', kind: 'conflict' });
    t.equal((await sessions.get('bob', session.id))?.offset, 5);
    await t.rejects(sessions.complete('bob', session.id), { name: 'StorageError', kind: 'conflict' }, 'incomplete sessions do not complete');
  });

  t.test('sessions are kept apart by user, and unknown ids are unknown', async (t) => {
    const sessions = sessionsOf((await open()).backend);
    const session = await sessions.create('carol', init({ length: 3 }));
    t.equal(await sessions.get('dave', session.id), undefined, 'another user’s session is not told apart from none');
    t.equal(await sessions.get('carol', '0'.repeat(32)), undefined);
    t.equal(await sessions.get('carol', '../../etc'), undefined);
    await t.rejects(sessions.append('dave', session.id, 0, body('abc'), appendOptions()), { name: 'StorageError', kind: 'not_found' });
    t.equal(await sessions.abort('dave', session.id), false);
    await t.rejects(sessions.create('..', init()), { name: 'StorageError', kind: 'invalid' });
  });

  t.test('a deferred length is declared once, never below the offset', async (t) => {
    const sessions = sessionsOf((await open()).backend);
    const session = await sessions.create('erin', init());
    t.equal(session.length, undefined);
    await sessions.append('erin', session.id, 0, body('hello '), appendOptions());
    await t.rejects(sessions.complete('erin', session.id), { name: 'StorageError', kind: 'conflict' }, 'no length, no end');
    await t.rejects(sessions.setLength('erin', session.id, 3, appendOptions()), { name: 'StorageError', kind: 'conflict' });
    await t.rejects(sessions.setLength('erin', session.id, MAX + 1, appendOptions()), { name: 'StorageError', kind: 'too_large' });
    t.equal((await sessions.setLength('erin', session.id, 11, appendOptions())).length, 11);
    await t.rejects(sessions.setLength('erin', session.id, 11, appendOptions()), { name: 'StorageError', kind: 'conflict' }, 'only once');
    await sessions.append('erin', session.id, 6, body('world'), appendOptions());
    t.equal((await sessions.complete('erin', session.id)).sha256, sha256('hello world'));
  });

  t.test('past the length or the limit is too large', async (t) => {
    const sessions = sessionsOf((await open()).backend);
    await t.rejects(sessions.create('frank', init({ length: 101, maxBytes: 100 })), { name: 'StorageError', kind: 'too_large' });
    const session = await sessions.create('frank', init({ length: 4 }));
    await t.rejects(sessions.append('frank', session.id, 0, body('12345'), appendOptions()), { name: 'StorageError', kind: 'too_large' });
    t.ok((await sessions.get('frank', session.id))!.offset <= 4, 'never past the length');
    const deferred = await sessions.create('frank', init());
    await t.rejects(sessions.append('frank', deferred.id, 0, body('123456'), appendOptions({ maxBytes: 5 })), { name: 'StorageError', kind: 'too_large' });
    t.ok((await sessions.get('frank', deferred.id))!.offset <= 5, 'never past the limit');
  });

  t.test('checksums: a matching chunk stays, a mismatched one is discarded', async (t) => {
    const sessions = sessionsOf((await open()).backend);
    const session = await sessions.create('gina', init({ length: 8 }));
    const digest = (algorithm: 'sha1' | 'md5' | 'sha256', data: string) => createHash(algorithm).update(data).digest();
    await sessions.append('gina', session.id, 0, body('abcd'), { ...appendOptions(), checksum: { algorithm: 'sha1', digest: digest('sha1', 'abcd') } });
    await t.rejects(sessions.append('gina', session.id, 4, body('efgh'), { ...appendOptions(), checksum: { algorithm: 'md5', digest: digest('md5', 'nope') } }),
      { name: 'StorageError', kind: 'checksum_mismatch' });
    t.equal((await sessions.get('gina', session.id))?.offset, 4, 'the mismatched chunk is gone');
    await sessions.append('gina', session.id, 4, body('efgh'), { ...appendOptions(), checksum: { algorithm: 'sha256', digest: digest('sha256', 'efgh') } });
    t.equal((await sessions.complete('gina', session.id)).sha256, sha256('abcdefgh'), 'the running hash skipped the discarded chunk');
  });

  t.test('a body that fails midway: what reached storage stays (without a checksum), the chunk goes (with one)', async (t) => {
    const sessions = sessionsOf((await open()).backend);
    const session = await sessions.create('hal', init({ length: 20 }));
    await t.rejects(sessions.append('hal', session.id, 0, failingBody(Buffer.from('1234567')), appendOptions()), /went away/);
    t.equal((await sessions.get('hal', session.id))?.offset, 7, 'the offset is what reached storage');
    await t.rejects(sessions.append('hal', session.id, 7, failingBody(Buffer.from('89')), {
      ...appendOptions(), checksum: { algorithm: 'sha256', digest: createHash('sha256').update('89abc').digest() },
    }), /went away/);
    t.equal((await sessions.get('hal', session.id))?.offset, 7, 'a checksummed chunk that failed is discarded');
    await sessions.append('hal', session.id, 7, body('89abcdefghijk'), appendOptions());
    t.equal((await sessions.complete('hal', session.id)).sha256, sha256('123456789abcdefghijk'));
  });

  t.test('concurrent appends at one offset: one wins, bytes never interleave', async (t) => {
    const { backend } = await open();
    const sessions = sessionsOf(backend);
    const chunks = (fill: string) => Array.from({ length: 32 }, () => Buffer.alloc(4096, fill));
    for (let round = 0; round < 3; round++) {
      const session = await sessions.create('ivan', init({ length: 32 * 4096 }));
      const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((fill) => sessions.append('ivan', session.id, 0, slowBody(chunks(fill)), appendOptions())));
      t.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'one writer wins');
      for (const lost of outcomes.filter((o) => o.status === 'rejected')) {
        t.match((lost as PromiseRejectedResult).reason, { name: 'StorageError', kind: /^(locked|conflict)$/ }, 'the others: locked (or conflict, when late)');
      }
      const record = await sessions.complete('ivan', session.id);
      const stored = await read((await backend.files.open('ivan', record.id))!.stream);
      const writers = ['a', 'b', 'c'].filter((fill) => stored.equals(Buffer.concat(chunks(fill))));
      t.equal(writers.length, 1, 'the file is one writer’s bytes, whole');
    }
  });

  t.test('expiry: refused after its time, removed by the sweep', async (t) => {
    const sessions = sessionsOf((await open()).backend);
    const soon = await sessions.create('jane', init({ length: 5, expiresAt: new Date(Date.now() + HOUR) }));
    const kept = await sessions.create('jane', init({ length: 5, expiresAt: new Date(Date.now() + 3 * HOUR) }));
    await sessions.append('jane', soon.id, 0, body('ab'), appendOptions());
    const gone = await sessions.create('jane', init({ length: 5, expiresAt: new Date(Date.now() - 1000) }));
    await t.rejects(sessions.append('jane', gone.id, 0, body('ab'), appendOptions()), { name: 'StorageError', kind: 'expired' });
    t.equal(await sessions.sweep(new Date(Date.now() + 2 * HOUR)), 2, 'the two past their time');
    t.equal(await sessions.get('jane', soon.id), undefined);
    t.equal(await sessions.get('jane', gone.id), undefined);
    t.ok(await sessions.get('jane', kept.id), 'the other is kept');
    t.equal(await sessions.sweep(new Date(Date.now() + 2 * HOUR)), 0, 'nothing left to sweep');
  });

  t.test('abort removes the session and gives its quota back', async (t) => {
    const sessions = sessionsOf((await open()).backend);
    const quota = { bytes: 100, files: 0 };
    const session = await sessions.create('kim', init({ length: 100, quota }));
    await sessions.append('kim', session.id, 0, body('x'.repeat(50)), appendOptions({ quota }));
    await t.rejects(sessions.create('kim', init({ length: 1, quota })), { name: /Error$/, kind: 'quota' }, 'the length is held at create');
    t.equal(await sessions.abort('kim', session.id), true);
    t.equal(await sessions.abort('kim', session.id), false);
    t.equal(await sessions.get('kim', session.id), undefined);
    t.ok(await sessions.create('kim', init({ length: 100, quota })), 'the room is free again');
  });

  t.test('quota: held at create, shared with whole uploads, enforced as bytes arrive when the length is deferred', async (t) => {
    const { backend } = await open();
    const sessions = sessionsOf(backend);
    const quota = { bytes: 100, files: 3 };
    await put(backend.files, 'lee', 'x'.repeat(40));
    const held = await sessions.create('lee', init({ length: 50, quota }));
    await t.rejects(backend.files.reserve!('lee', 20, quota, true), { name: /Error$/, kind: 'quota' }, 'a whole upload sees the session’s hold');
    const deferred = await sessions.create('lee', init({ quota }));
    await t.rejects(sessions.create('lee', init({ quota })), { name: /Error$/, kind: 'quota', unit: 'files' }, 'a session counts as a file');
    await t.rejects(sessions.append('lee', deferred.id, 0, body('y'.repeat(30)), appendOptions({ quota })), { name: /Error$/, kind: 'quota' });
    const offset = (await sessions.get('lee', deferred.id))!.offset;
    t.ok(offset <= 10, `no more than the 10 bytes left arrived (${offset})`);
    await sessions.abort('lee', held.id);
    await sessions.append('lee', deferred.id, offset, body('z'.repeat(30 - offset)), appendOptions({ quota }));
    await sessions.setLength('lee', deferred.id, 30, { quota, maxBytes: MAX });
    t.equal((await sessions.complete('lee', deferred.id)).size, 30);
  });

  t.test('the quota is never overshot by concurrent sessions and uploads', async (t) => {
    const { backend } = await open();
    const sessions = sessionsOf(backend);
    const quota = { bytes: 100, files: 0 };
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 8 }, () => sessions.create('max', init({ length: 30, quota }))),
      ...Array.from({ length: 4 }, () => backend.files.reserve!('max', 30, quota, true)),
    ]);
    t.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 3, 'three of 30 bytes fit in 100');
    t.ok(outcomes.every((o) => o.status === 'fulfilled' || (o.reason as { kind?: string }).kind === 'quota'));
    const deferred = await Promise.all(Array.from({ length: 2 }, () => sessions.create('moe', init({ quota }))));
    const appends = await Promise.allSettled(deferred.map((s) => sessions.append('moe', s.id, 0, slowBody(Array.from({ length: 20 }, () => Buffer.alloc(5))), appendOptions({ quota }))));
    const total = (await Promise.all(deferred.map((s) => sessions.get('moe', s.id)))).reduce((sum, s) => sum + s!.offset, 0);
    t.ok(total <= 100, `deferred sessions together stay within the quota (${total} bytes)`);
    t.ok(appends.some((o) => o.status === 'rejected'), 'one of them was stopped');
  });

  t.test('concatenate: finished partials become one file, in order', async (t) => {
    const { backend } = await open();
    const sessions = sessionsOf(backend);
    const parts = await Promise.all(['first ', 'second ', 'third'].map(async (text) => {
      const part = await sessions.create('nina', init({ length: Buffer.byteLength(text), partial: true }));
      await sessions.append('nina', part.id, 0, body(text), appendOptions());
      return part.id;
    }));
    await t.rejects(sessions.complete('nina', parts[0]!), { name: 'StorageError', kind: 'conflict' }, 'a partial is no file by itself');
    const unfinished = await sessions.create('nina', init({ length: 10, partial: true }));
    await t.rejects(sessions.concatenate('nina', [parts[0]!, unfinished.id], { name: 'x', type: 'y', extra: {} }, NO_QUOTA), { name: 'StorageError', kind: 'conflict' });
    const record = await sessions.concatenate('nina', [parts[2]!, parts[0]!, parts[1]!], { name: 'all.txt', type: 'text/plain', extra: {} }, NO_QUOTA);
    t.match(record, { user: 'nina', name: 'all.txt', size: 18, sha256: sha256('thirdfirst second ') });
    t.equal((await read((await backend.files.open('nina', record.id))!.stream)).toString(), 'thirdfirst second ');
    for (const id of parts) t.equal(await sessions.get('nina', id), undefined, 'the partials are gone');
  });

  t.test('an append that ends the upload may complete it (complete option): once, with the same checks, and complete() then returns that file', async (t) => {
    const { backend } = await open();
    const sessions = sessionsOf(backend);
    const checked: number[] = [];
    const finish = { beforeCommit: async ({ size }: { size: number }) => { checked.push(size); } };
    const session = await sessions.create('ender', init({ length: 9 }));
    const middle = await sessions.append('ender', session.id, 0, body('first'), { ...appendOptions(), complete: finish });
    t.equal(middle.file, undefined, 'a chunk that does not end the upload completes nothing');
    t.same(checked, [], 'nor asks the check');
    const last = await sessions.append('ender', session.id, 5, body('last'), { ...appendOptions(), complete: finish });
    t.equal(last.offset, 9);
    const record = await sessions.complete('ender', session.id, finish);
    if (last.file) t.same(last.file, record, 'completed by the append: complete() returns that file');
    t.same(checked, [9], 'the check ran once, on every byte, whichever step made the file');
    t.equal(record.sha256, sha256('firstlast'));
    t.equal((await read((await backend.files.open('ender', record.id))!.stream)).toString(), 'firstlast');
    t.match(await sessions.get('ender', session.id), { file: { id: record.id } }, 'the session says where its file is');

    const refused = await sessions.create('ender', init({ length: 4 }));
    const verdict = new Error('infected');
    const refusing = { beforeCommit: async () => { throw verdict; } };
    const attempt = sessions.append('ender', refused.id, 0, body('evil'), { ...appendOptions(), complete: refusing })
      .then((appended) => sessions.complete('ender', appended.id, refusing));
    await t.rejects(attempt, { name: 'StorageError', kind: 'rejected', cause: verdict }, 'a refusal is the same, from the append or from complete()');
    t.equal(await backend.files.stat('ender', refused.id), undefined, 'no file');
    t.equal(await sessions.get('ender', refused.id), undefined, 'and no session');

    const partial = await sessions.create('ender', init({ length: 2, partial: true }));
    const appendedPartial = await sessions.append('ender', partial.id, 0, body('ab'), { ...appendOptions(), complete: finish });
    t.equal(appendedPartial.file, undefined, 'a partial upload is never completed by its append (only by concatenation)');
  });

  t.test('a beforeCommit check sees the finished bytes before the file exists; a refusal leaves nothing', async (t) => {
    const { backend } = await open();
    const sessions = sessionsOf(backend);
    const listed = async (user: string) => {
      const ids: string[] = [];
      for await (const record of backend.files.list(user)) ids.push(record.id);
      return ids;
    };
    const accepted = await sessions.create('checked', init({ length: 5, meta: { name: 'ok.txt', type: 'text/plain', extra: {} } }));
    await sessions.append('checked', accepted.id, 0, body('hello'), appendOptions());
    const seen: Array<{ size: number; sha256: string; name: string; bytes?: string; fileYet: boolean }> = [];
    const record = await sessions.complete('checked', accepted.id, {
      beforeCommit: async ({ size, sha256, meta, path }) => {
        const bytes = path === undefined ? undefined : (await import('node:fs/promises')).readFile(path, 'utf8');
        seen.push({ size, sha256, name: meta.name, ...(bytes ? { bytes: await bytes } : {}), fileYet: (await backend.files.stat('checked', accepted.id)) !== undefined });
      },
    });
    t.equal(seen.length, 1, 'asked once');
    t.match(seen[0], { size: 5, sha256: sha256('hello'), name: 'ok.txt', fileYet: false });
    if (seen[0]?.bytes !== undefined) t.equal(seen[0].bytes, 'hello', 'the path it is given holds the bytes');
    t.equal(record.sha256, sha256('hello'), 'accepted: the file is made');

    const refused = await sessions.create('checked', init({ length: 4 }));
    await sessions.append('checked', refused.id, 0, body('evil'), appendOptions());
    const verdict = new Error('infected: Eicar-Test-Signature');
    await t.rejects(sessions.complete('checked', refused.id, { beforeCommit: async () => { throw verdict; } }),
      { name: 'StorageError', kind: 'rejected', cause: verdict }, "refused: 'rejected', the check's error its cause");
    t.equal(await backend.files.stat('checked', refused.id), undefined, 'no file');
    t.equal(await sessions.get('checked', refused.id), undefined, 'and no session left to resume');
    t.same(await listed('checked'), [accepted.id], 'only the accepted file');

    const parts = await Promise.all(['ab', 'cd'].map(async (text) => {
      const part = await sessions.create('checked', init({ length: 2, partial: true }));
      await sessions.append('checked', part.id, 0, body(text), appendOptions());
      return part.id;
    }));
    let asked: { size: number; sha256: string } | undefined;
    await t.rejects(sessions.concatenate('checked', parts, { name: 'all', type: 'text/plain', extra: {} }, NO_QUOTA, {
      beforeCommit: async ({ size, sha256 }) => {
        asked = { size, sha256 };
        throw verdict;
      },
    }), { name: 'StorageError', kind: 'rejected' }, 'a concatenation is checked too');
    t.same(asked, { size: 4, sha256: sha256('abcd') });
    t.same(await listed('checked'), [accepted.id], 'no concatenated file');
    for (const id of parts) t.equal(await sessions.get('checked', id), undefined, 'the partials are gone');
  });
}
