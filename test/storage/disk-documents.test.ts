import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { DiskDocuments } from '../../src/storage/disk/documents.js';
import { documentsUsage } from '../../src/storage/disk/documents-layout.js';
import { documentsContract } from '../helpers/contract/documents.js';
import { ROOT } from '../helpers/paths.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'bdfu-documents-'));
const NO_LIMITS = { quota: { bytes: 0, files: 0 }, maxBytes: 0 };
const put = (documents: DiskDocuments, user: string, path: string, text: string) =>
  documents.put(user, path, Readable.from([Buffer.from(text)]), { contentType: 'text/plain', ...NO_LIMITS });

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(at, entry.name));
      else out.push(relative(dir, join(at, entry.name)));
    }
  };
  walk(dir);
  return out.sort();
}

t.test('the documents contract, on disk', async (t) =>
  documentsContract(t, async () => {
    const dir = freshDir();
    return {
      documents: new DiskDocuments(dir),
      worker: { module: join(ROOT, 'dist/storage/disk/documents.js'), export: 'DiskDocuments', args: [dir], construct: true },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }));

t.test('layout: everything under STORAGE_DIR/.documents/<user>/, no lock or temporary file left', async (t) => {
  const dir = freshDir();
  const documents = new DiskDocuments(dir);
  await put(documents, 'ann', '/notes/today.md', 'one');
  await put(documents, 'ann', '/notes/today.md', 'two');
  await documents.remove('ann', '/notes/today.md', {});
  await put(documents, 'ann', '/../../escape', 'x').catch(() => undefined);
  await put(documents, 'ann', '/a/..%2F..%2Fescape', 'x');
  t.same(readdirSync(dir), ['.documents'], 'nothing outside .documents');
  const files = filesUnder(join(dir, '.documents'));
  t.ok(files.every((f) => f.startsWith('ann/')), 'nothing outside the user’s area');
  t.notOk(files.some((f) => /(^|\/)\.(lock|intent|tmp-)/.test(f)), `no lock, intent or temporary file: ${files.join(' ')}`);
  t.equal(files.filter((f) => f.startsWith('ann/blobs/')).length, 3, 'the bytes of every version');
  t.equal(files.filter((f) => f.startsWith('ann/history/')).length, 2, 'a history per path');
  t.ok(files.includes('ann/usage.json'));
  t.ok(files.includes('ann/tree/.etag'), 'the root folder’s ETag');
});

t.test('documentsUsage: the bytes of documents and their versions, for the files’ quota', async (t) => {
  const dir = freshDir();
  const documents = new DiskDocuments(dir);
  t.equal(await documentsUsage(dir, 'ann'), 0, 'no documents');
  await put(documents, 'ann', '/a', '12345');
  await put(documents, 'ann', '/a', '123');
  await put(documents, 'ann', '/b', '1');
  t.equal(await documentsUsage(dir, 'ann'), 9, 'old versions count');
  await documents.remove('ann', '/b', {});
  t.equal(await documentsUsage(dir, 'ann'), 9, 'a deleted document’s bytes are kept, and counted');
  t.equal(await documents.prune('ann', { keepVersions: 0, keepDays: 1 }, new Date(Date.now() + 2 * 86_400_000)), 2);
  t.equal(await documentsUsage(dir, 'ann'), 3, 'pruning frees them');
  t.equal(await documentsUsage(dir, 'bob'), 0);
  await put(documents, 'bob', '/b', 'b');
  const users: string[] = [];
  for await (const user of documents.users()) users.push(user);
  t.same(users.sort(), ['ann', 'bob'], 'users() names everyone with documents, for the retention sweep');
});

t.test('a backend reserve holds the room while the body streams', async (t) => {
  const dir = freshDir();
  const held: number[] = [];
  let released = 0;
  const documents = new DiskDocuments(dir, {
    reserve: async (user, bytes, quota) => {
      t.equal(quota.files, 0, 'documents do not count as files');
      const room = Math.min(bytes, quota.bytes - 90);
      held.push(room);
      return { id: 'r', user, bytes: room, release: async () => void released++ };
    },
  });
  await documents.put('ann', '/a', Readable.from([Buffer.from('0123456789')]), { contentType: 'text/plain', quota: { bytes: 100, files: 5 }, maxBytes: 50 });
  t.same(held, [10]);
  t.equal(released, 1, 'released once committed');
  await t.rejects(documents.put('ann', '/b', Readable.from([Buffer.from('0123456789X')]), { contentType: 'text/plain', quota: { bytes: 100, files: 5 }, maxBytes: 50 }),
    { message: /quota/ });
  t.equal(released, 2, 'released when refused');
  t.equal(await documents.stat('ann', '/b'), undefined);
});

t.test('a write that crashed midway is repaired by the next write', async (t) => {
  const dir = freshDir();
  const documents = new DiskDocuments(dir);
  await put(documents, 'ann', '/x/doc', 'one');
  const rootBefore = (await documents.folder('ann', '/'))!.etag;
  const xBefore = (await documents.folder('ann', '/x/'))!.etag;
  const area = join(dir, '.documents', 'ann');
  // As a crash right after the history was written: the tree and the folders still say "one".
  const history = JSON.parse(readFileSync(readdirSync(join(area, 'history')).map((n) => join(area, 'history', n))[0]!, 'utf8'));
  const crashed = { ...history.versions[0], version: 'zzzzzzzzzcrashed', etag: 'zzzzzzzzzcrashed', size: 5, time: new Date().toISOString() };
  writeFileSync(join(area, 'blobs', crashed.version), 'crash');
  writeFileSync(readdirSync(join(area, 'history')).map((n) => join(area, 'history', n))[0]!, JSON.stringify({ path: '/x/doc', versions: [crashed, ...history.versions] }));
  writeFileSync(join(area, 'blobs', 'zzzzzzzzzorphan0'), 'never recorded');
  writeFileSync(join(area, '.intent'), JSON.stringify({ path: '/x/doc', version: crashed.version }));
  await put(documents, 'ann', '/y', 'another write');
  t.notOk(existsSync(join(area, '.intent')), 'repaired');
  t.equal((await documents.stat('ann', '/x/doc'))?.etag, crashed.etag, 'the tree follows the history');
  t.not((await documents.folder('ann', '/x/'))!.etag, xBefore, 'the folders along the path changed');
  t.not((await documents.folder('ann', '/'))!.etag, rootBefore);
  t.equal(await documentsUsage(dir, 'ann'), 3 + 5 + 'another write'.length, 'usage counted again');
  writeFileSync(join(area, '.intent'), JSON.stringify({ path: '/x/doc', version: 'zzzzzzzzzorphan0' }));
  await put(documents, 'ann', '/z', 'z');
  t.notOk(existsSync(join(area, 'blobs', 'zzzzzzzzzorphan0')), 'bytes no version names are removed');
});
