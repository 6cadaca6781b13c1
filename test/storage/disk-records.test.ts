import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync, utimesSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskRecords } from '../../src/storage/disk/records.js';
import { recordsContract } from '../helpers/contract/records.js';
import { ROOT } from '../helpers/paths.js';
import { raceWorkers } from '../helpers/contract/worker.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'bdfu-records-'));

t.test('the records contract, on disk', async (t) =>
  recordsContract(t, async () => {
    const dir = freshDir();
    return {
      records: new DiskRecords(dir),
      worker: { module: join(ROOT, 'dist/storage/disk/records.js'), export: 'DiskRecords', args: [dir], construct: true },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }));

t.test('layout: STORAGE_DIR/.records/<collection>/<key as a file name>.json, nothing left beside it', async (t) => {
  const dir = freshDir();
  const records = new DiskRecords(dir);
  await records.update('share-links', 'Ab3_x-9', () => ({ left: 1 }));
  await records.update('share-links', '../../escape', () => ({ left: 2 }));
  const names = readdirSync(join(dir, '.records', 'share-links')).sort();
  t.equal(names.length, 2, 'one file per record, no lock or temporary file left');
  t.ok(names.includes('Ab3_x-9.json'), 'a plain key is its own file name');
  t.ok(names.every((name) => !name.startsWith('.') && !name.includes('..')), 'no key makes a hidden or relative name');
  t.same(JSON.parse(readFileSync(join(dir, '.records', 'share-links', 'Ab3_x-9.json'), 'utf8')), { key: 'Ab3_x-9', value: { left: 1 } });
  t.same(readdirSync(dir), ['.records'], 'nothing outside .records');
});

t.test('a lock left by a process that died is taken over', async (t) => {
  const dir = freshDir();
  const records = new DiskRecords(dir);
  await records.update('counters', 'n', () => 1);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const lock = join(dir, '.records', 'counters', 'n.lock');
  writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), nonce: 'dead' }));
  t.equal(await records.update<number>('counters', 'n', (n) => n! + 1), 2);
  t.notOk(existsSync(lock), 'released');
  t.notOk(existsSync(`${lock}.break`), 'the breaker left no guard');
});

t.test('a lock held too long (a hung holder, another host) is taken over once stale', async (t) => {
  const dir = freshDir();
  const records = new DiskRecords(dir);
  mkdirSync(join(dir, '.records', 'counters'), { recursive: true });
  const lock = join(dir, '.records', 'counters', 'n.lock');
  writeFileSync(lock, JSON.stringify({ pid: 1, host: 'elsewhere.example', nonce: 'old' }));
  const old = Date.now() / 1000 - 120;
  utimesSync(lock, old, old);
  t.equal(await records.update<number>('counters', 'n', (n) => (n ?? 0) + 1), 1);
});

t.test('a live lock is waited for, not broken', async (t) => {
  const dir = freshDir();
  const records = new DiskRecords(dir);
  mkdirSync(join(dir, '.records', 'counters'), { recursive: true });
  const lock = join(dir, '.records', 'counters', 'n.lock');
  writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), nonce: 'alive' }));
  let done = false;
  const pending = records.update<number>('counters', 'n', () => 1).then((value) => ((done = true), value));
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.notOk(done, 'still waiting while the holder lives');
  rmSync(lock);
  t.equal(await pending, 1);
});

t.test('processes racing to take over one dead holder’s lock still take turns', async (t) => {
  const dir = freshDir();
  const records = new DiskRecords(dir);
  await records.update('counters', 'n', () => 0);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(join(dir, '.records', 'counters', 'n.lock'), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), nonce: 'dead' }));
  const worker = { module: join(ROOT, 'dist/storage/disk/records.js'), export: 'DiskRecords', args: [dir], construct: true };
  await raceWorkers(worker, Array.from({ length: 4 }, () => ({ task: 'increment', collection: 'counters', key: 'n', times: 10 })));
  t.equal(await records.get('counters', 'n'), 40, 'no increment lost to a double takeover');
  t.same(readdirSync(join(dir, '.records', 'counters')), ['n.json']);
});
