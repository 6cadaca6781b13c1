import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { caseProblem, isCaseInsensitive } from '../../src/storage/case-folding.js';
import { storageModes } from '../../src/storage/file-modes.js';
import { FsStore } from '../../src/storage/fs-store.js';
import { http, uploadFile } from '../helpers/http.js';
import { serveInProcess } from '../helpers/in-process.js';
import { scopedToken } from '../helpers/tokens.js';

/** Security review (issue 12), items 3 (file modes), 10 (symbolic links) and 12 (case-insensitive file systems). */
const SECRET = 'storage-access-secret-0123456789';
const fresh = (name: string) => join(mkdtempSync(join(tmpdir(), `bdfu-${name}-`)), 'storage');
const mode = (path: string) => statSync(path).mode & 0o777;
// The modes asked for are what a usual umask (022) leaves; a stricter umask could only narrow them.
process.umask(0o022);

t.test('stored files, metadata and directories are private by default', async (t) => {
  const storageDir = fresh('modes');
  const base = await serveInProcess(t, { jwtSecretKey: SECRET, storageDir });
  const up = await uploadFile(base, await scopedToken('alice', SECRET), randomBytes(100));
  t.equal(up.status, 201, up.text);
  t.equal(mode(storageDir), 0o700, 'STORAGE_DIR made 0700');
  t.equal(mode(join(storageDir, 'alice')), 0o700, 'the user directory 0700');
  t.equal(mode(join(storageDir, 'alice', up.json.id)), 0o600, 'the file 0600');
  t.equal(mode(join(storageDir, 'alice', `.${up.json.id}.json`)), 0o600, 'its metadata 0600');
  t.equal(mode(join(storageDir, '.audit.jsonl')), 0o600, 'the audit trail 0600');
  const checked = fresh('modes-check');
  await new FsStore(checked).check();
  t.equal(mode(checked), 0o700, 'check() makes STORAGE_DIR 0700');
});

t.test('STORAGE_MODE = group lets the group read', async (t) => {
  const storageDir = fresh('modes-group');
  const base = await serveInProcess(t, { jwtSecretKey: SECRET, storageDir, storageMode: 'group' });
  const up = await uploadFile(base, await scopedToken('bob', SECRET), randomBytes(100));
  t.equal(up.status, 201, up.text);
  t.equal(mode(join(storageDir, 'bob')), 0o750);
  t.equal(mode(join(storageDir, 'bob', up.json.id)), 0o640);
  t.equal(mode(join(storageDir, 'bob', `.${up.json.id}.json`)), 0o640);
  t.same(storageModes('private'), { file: 0o600, dir: 0o700 });
  await t.rejects(serveInProcess(t, { jwtSecretKey: SECRET, storageDir, storageMode: 'world' }), { name: 'ConfigError', message: /STORAGE_MODE must be 'private' or 'group'/ });
});

t.test('symbolic links in the storage directory are not followed', async (t) => {
  const storageDir = fresh('links');
  const base = await serveInProcess(t, { jwtSecretKey: SECRET, storageDir });
  const token = await scopedToken('alice', SECRET, 'upload read');
  const up = await uploadFile(base, token, Buffer.from('alice’s own file'));
  t.equal(up.status, 201);
  const outside = join(storageDir, '..', 'outside-secret.txt');
  writeFileSync(outside, 'root:x:0:0:not for alice\n');
  const bobDir = join(storageDir, 'bob');
  mkdirSync(bobDir, { recursive: true });
  writeFileSync(join(bobDir, 'b'.repeat(32)), 'bob’s file');
  const toOutside = 'a'.repeat(32);
  const toBob = 'c'.repeat(32);
  symlinkSync(outside, join(storageDir, 'alice', toOutside));
  symlinkSync(join(bobDir, 'b'.repeat(32)), join(storageDir, 'alice', toBob));
  symlinkSync('/etc/passwd', join(storageDir, 'alice', `.${toOutside}.json`));
  for (const id of [toOutside, toBob]) {
    const got = await http(`${base}files/alice/${id}`, { headers: { authorization: `Bearer ${token}` } });
    t.equal(got.status, 404, `GET of a link (${id.slice(0, 4)}…) is not served`);
    t.equal(got.json.code, 'file_not_found');
    t.notMatch(got.text, /root:x|bob’s/, 'not a byte of what it points to');
  }
  const list = await http(`${base}files/alice/`, { headers: { authorization: `Bearer ${token}` } });
  t.same(list.json.files.map((f: { id: string }) => f.id), [up.json.id], 'links are not listed');
  const store = new FsStore(storageDir);
  t.equal(await store.open('alice', toOutside), undefined, 'the store does not open a link');
  t.ok(await store.open('alice', up.json.id), 'but opens a plain file');
});

t.test('on a case-insensitive file system, names that differ only in case are refused', async (t) => {
  const storageDir = fresh('casefold');
  mkdirSync(storageDir, { recursive: true });
  t.equal(await isCaseInsensitive(storageDir), false, 'this machine’s temporary directory tells case apart (the probe works)');
  t.same(readdirSync(storageDir), [], 'the probe leaves nothing behind');
  // This machine has no case-insensitive directory to offer: the probe's answer is injected.
  const folding = new FsStore(storageDir, { caseInsensitive: true });
  const base = await serveInProcess(t, { jwtSecretKey: SECRET, storageDir }, { store: folding });
  const lower = await uploadFile(base, await scopedToken('alice', SECRET), Buffer.from('lower'));
  t.equal(lower.status, 201, 'a lower-case name works');
  for (const user of ['ALICE', 'Alice', 'straße', 'ſam', '\u212Aelvin']) {
    const up = await uploadFile(base, await scopedToken(user, SECRET), Buffer.from('upper'));
    t.equal(up.status, 400, `${user} is refused`);
    t.equal(up.json.code, 'invalid_user');
  }
  const read = await http(`${base}files/ALICE/${lower.json.id}`, { headers: { authorization: `Bearer ${await scopedToken('ALICE', SECRET, 'read')}` } });
  t.equal(read.status, 400, 'ALICE cannot read alice’s files through the shared directory');
  t.same(readdirSync(storageDir).filter((n) => !n.startsWith('.')), ['alice'], 'one user directory');
  t.equal(caseProblem('alice-01'), undefined);
  t.match(caseProblem('Alice'), /lower case/);
  const sensitive = new FsStore(fresh('casefold-off'), { caseInsensitive: false });
  await t.resolves(sensitive.reserve('ALICE', 1, { bytes: 0, files: 0 }, true), 'where case is told apart, any case is fine');
});
