import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import t from 'tap';
import { DurableFile, SYNC_WRITE_LIMIT } from '../../src/storage/disk/durable-file.js';
import { writeRecordDurably } from '../../src/storage/disk/durable-record.js';
import { newId } from '../../src/storage/new-id.js';

const dir = mkdtempSync(join(tmpdir(), 'bdfu-durable-file-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const openDescriptors = () => readdirSync('/proc/self/fd').length;
const digest = (data: Buffer) => createHash('sha256').update(data).digest('hex');

t.test('bytes written in line, then through the pool past the limit, land in order', async (t) => {
  for (const size of [0, 1, 1024, SYNC_WRITE_LIMIT, SYNC_WRITE_LIMIT + 1, 5 * SYNC_WRITE_LIMIT + 17]) {
    const data = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + size) & 0xff));
    const path = join(dir, `f-${size}`);
    const file = await DurableFile.create(path, 0o640);
    for (let at = 0; at < size; at += 7000) file.write(data.subarray(at, at + 7000));
    file.end();
    await finished(file);
    t.equal(digest(readFileSync(path)), digest(data), `${size} bytes`);
    t.equal(statSync(path).mode & 0o777, 0o640, 'made with the mode asked for');
  }
});

t.test('an existing file is never written over', async (t) => {
  const path = join(dir, 'taken');
  writeFileSync(path, 'mine');
  await t.rejects(DurableFile.create(path, 0o600), { code: 'EEXIST' });
  t.equal(readFileSync(path, 'utf8'), 'mine');
});

t.test('destroyed, during an asynchronous write too, it closes its descriptor once', async (t) => {
  const before = openDescriptors();
  const quiet = await DurableFile.create(join(dir, 'destroyed-idle'), 0o600);
  quiet.write(Buffer.from('a little'));
  quiet.destroy();
  await finished(quiet).catch(() => undefined);
  const busy = await DurableFile.create(join(dir, 'destroyed-busy'), 0o600);
  busy.write(Buffer.alloc(4 * SYNC_WRITE_LIMIT, 1));
  busy.destroy(new Error('client went away'));
  await t.rejects(finished(busy), { message: 'client went away' });
  t.equal(openDescriptors(), before, 'no descriptor left open');
});

t.test('finish comes after the end, and the descriptor is closed by then', async (t) => {
  const before = openDescriptors();
  const file = await DurableFile.create(join(dir, 'ended'), 0o600);
  t.equal(openDescriptors(), before + 1);
  file.end(Buffer.from('done'));
  await finished(file);
  t.equal(openDescriptors(), before, 'closed once flushed');
});

t.test('a record is replaced whole, longer or shorter, with its mode', async (t) => {
  const path = join(dir, 'record.json');
  await writeRecordDurably(path, '{"a":"a longer first version"}\n', 0o640);
  await writeRecordDurably(path, '{"b":1}\n', 0o640);
  t.equal(readFileSync(path, 'utf8'), '{"b":1}\n');
  t.equal(statSync(path).mode & 0o777, 0o640);
});

t.test('ids: 32 hex digits, none repeated across the pool refills', (t) => {
  const ids = Array.from({ length: 1000 }, newId);
  t.ok(ids.every((id) => /^[0-9a-f]{32}$/.test(id)));
  t.equal(new Set(ids).size, ids.length);
  t.end();
});
