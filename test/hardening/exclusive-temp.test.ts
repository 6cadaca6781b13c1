import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FsStore } from '../../src/storage/fs-store.js';
import type { Reservation } from '../../src/storage/store.js';

// Held up in the security review (issue 12), kept tested: temporary files are created
// exclusively (O_EXCL, never through a link that is already there) and with random names.

const ID = 'a'.repeat(32);
const held = (user: string): Reservation => ({ id: ID, user, bytes: 0, release: async () => undefined });

t.test('a temporary file that is already there (or a link planted there) is never written through', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'bdfu-excl-'));
  const outside = join(root, 'outside.txt');
  writeFileSync(outside, 'victim');
  mkdirSync(join(root, 'sally'));
  symlinkSync(outside, join(root, 'sally', `.upload-${ID}.part`));
  const store = new FsStore(root);
  await t.rejects(store.begin('sally', { name: 'a', type: 'b' }, held('sally')), { code: 'EEXIST' });
  t.equal(readFileSync(outside, 'utf8'), 'victim', 'the link target is untouched');

  writeFileSync(join(root, 'sally', `.upload-${'b'.repeat(32)}.part`), 'someone else');
  await t.rejects(store.begin('sally', { name: 'a', type: 'b' }, { ...held('sally'), id: 'b'.repeat(32) }), { code: 'EEXIST' });
  t.equal(readFileSync(join(root, 'sally', `.upload-${'b'.repeat(32)}.part`), 'utf8'), 'someone else', 'an existing temporary file is untouched');
});

t.test('uploads in flight get distinct random names', async (t) => {
  const store = new FsStore(mkdtempSync(join(tmpdir(), 'bdfu-names-')));
  const pending = await Promise.all(Array.from({ length: 40 }, () => store.begin('sally', { name: 'a', type: 'b' })));
  const parts = readdirSync(join(store.root, 'sally')).filter((name) => name.endsWith('.part'));
  t.equal(new Set(parts).size, 40, '40 uploads, 40 temporary files');
  for (const name of parts) t.match(name, /^\.upload-[0-9a-f]{32}\.part$/);
  t.equal(new Set(pending.map((p) => p.id)).size, 40, '40 distinct ids');
  await Promise.all(pending.map((p) => p.abort()));
  t.same(readdirSync(join(store.root, 'sally')), [], 'aborts leave nothing');
});
