import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t from 'tap';
import { createApp } from '../../src/assembly/app.js';
import { assemble } from '../../src/assembly/start.js';
import { loadConfig } from '../../src/config/load.js';
import { FsStore } from '../../src/storage/fs-store.js';
import type { Store } from '../../src/storage/store.js';

const dir = mkdtempSync(join(tmpdir(), 'bdfu-assembly-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const settingsWith = (over: Record<string, unknown> = {}) =>
  loadConfig({ env: {}, overrides: { jwtSecretKey: 's'.repeat(32), storageDir: join(dir, 'storage'), ...over } }).settings;

/** A Store that cannot hold quota: everything but reserve. */
function withoutQuota(inner: Store): Store {
  const { reserve: _reserve, ...rest } = Object.fromEntries(
    ['check', 'begin', 'stat', 'open', 'list', 'users', 'remove', 'sweep'].map((name) => [name, (inner as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!.bind(inner)]),
  ) as unknown as Store;
  return rest;
}

t.test('a setting that needs a capability the backend lacks is refused at start-up, in one line', async (t) => {
  const store = withoutQuota(new FsStore(join(dir, 'storage')));
  t.throws(() => createApp(settingsWith({ quotaBytes: 100 }), { store }), { name: 'ConfigError', message: /^QUOTA_BYTES is set, but the disk storage in use cannot provide quota/ });
  await t.rejects(assemble(settingsWith({ quotaFiles: 3 }), { store }), { name: 'ConfigError', message: /^QUOTA_FILES/ });
  t.doesNotThrow(() => createApp(settingsWith(), { store }), 'without the setting it starts');
});

t.test('assemble checks the storage: an unwritable STORAGE_DIR is a StorageError naming it', async (t) => {
  const file = join(dir, 'a-file');
  (await import('node:fs')).writeFileSync(file, '');
  await t.rejects(assemble(settingsWith({ storageDir: join(file, 'storage') })), { name: 'StorageError', kind: 'unwritable', message: /a-file\/storage is not writable/ });
});

t.test('a storage error in a route becomes its HTTP answer (a bad user name in the path: 400 invalid_user)', async (t) => {
  const { app } = await assemble(settingsWith());
  const { signToken } = await import('../../src/auth/tokens.js');
  const token = await signToken({ user: 'root', scopes: ['admin'], secret: 's'.repeat(32), expiresIn: 60 });
  const response = await app({
    method: 'GET', path: '/files/.hidden/', query: new URLSearchParams(), headers: { authorization: `Bearer ${token}` },
    body: Readable.from([]), remoteAddress: '127.0.0.1', baseUrl: 'http://127.0.0.1/',
  });
  t.equal(response.status, 400);
  t.match(JSON.parse(String(response.body)), { code: 'invalid_user', error: /starts with a dot/ });
});
