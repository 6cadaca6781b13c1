import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/paths.js';

const DIST = join(ROOT, 'dist');

// What a crash or a power cut may leave is decided by the order of system calls: a file's bytes
// and its record must be flushed (fsync or fdatasync finished) before the rename that makes them
// visible, and the directory fsynced after the renames, before the answer. Traced with strace(1)
// on the real calls; no mock of the file system.

interface Call { name: string; args: string; done: number }

/** The traced calls in the order they finished, with the paths strace -y prints for descriptors. */
function trace(dir: string): Call[] {
  const log = join(dir, 'strace.log');
  const ran = spawnSync('strace', ['-f', '-y', '-qq', '-o', log, '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2',
    process.execPath, join(ROOT, 'test/helpers/durability-probe.mjs'), DIST, join(dir, 'storage')], { encoding: 'utf8' });
  if (ran.status !== 0) throw new Error(`the probe failed: ${ran.stderr}`);
  const calls: Call[] = [];
  const started = new Map<string, Call>();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const whole = /^(\d+)\s+(\w+)\((.*)\)\s+= 0$/.exec(line);
    const begun = /^(\d+)\s+(\w+)\((.*) <unfinished \.\.\.>$/.exec(line);
    const resumed = /^(\d+)\s+<\.\.\. (\w+) resumed>.*= 0$/.exec(line);
    if (whole) calls.push({ name: whole[2]!, args: whole[3]!, done: calls.length });
    else if (begun) started.set(begun[1]!, { name: begun[2]!, args: begun[3]!, done: -1 });
    else if (resumed) {
      const call = started.get(resumed[1]!);
      if (call) calls.push({ ...call, done: calls.length });
    }
  }
  return calls;
}

const flushOf = (calls: Call[], pathPart: RegExp) =>
  calls.findIndex((c) => (c.name === 'fsync' || c.name === 'fdatasync') && pathPart.test(c.args));
const renameTo = (calls: Call[], target: RegExp) => calls.findIndex((c) => c.name.startsWith('rename') && target.test(c.args.split(', ').at(-1) ?? ''));

t.test('every file and its record are flushed before they are renamed into place, the directory after', (t) => {
  if (spawnSync('strace', ['-V']).status !== 0) {
    t.fail('strace is not installed (.ci/apt-packages lists it)');
    return t.end();
  }
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-durability-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const calls = trace(dir);
  const stored = (user: string) => readdirSync(join(dir, 'storage', user)).filter((n) => /^[0-9a-f]{32}$/.test(n));
  const files = ['whole', 'resumed', 'created-whole'].flatMap((user) => stored(user).map((id) => ({ user, id })));
  t.equal(files.length, 4, 'four files stored: 1 KiB and 300 KiB whole, one resumable, one created whole');
  for (const { user, id } of files) {
    const fileRename = renameTo(calls, new RegExp(`/${user}/${id}"$`));
    const recordRename = renameTo(calls, new RegExp(`/${user}/\\.${id}\\.json"$`));
    t.ok(fileRename >= 0, `${user}/${id} was renamed into place`);
    const fileFlush = flushOf(calls, new RegExp(`${id}\\.part>`));
    t.ok(fileFlush >= 0 && fileFlush < fileRename, `${user}/${id}: its bytes were flushed before it appeared`);
    // The record is written under its final name (a session) or renamed to it (a whole upload's lease).
    const recordFlush = flushOf(calls, new RegExp(`/(\\.${id}\\.json|\\.upload-${id}\\.lease)>`));
    t.ok(recordFlush >= 0 && recordFlush < fileRename, `${user}/${id}: its record was flushed before the file appeared`);
    if (recordRename >= 0) t.ok(recordFlush < recordRename, `${user}/${id}: the record was flushed before its rename`);
    const dirFlush = calls.findIndex((c, i) => i > fileRename && c.name === 'fsync' && new RegExp(`/${user}>$`).test(c.args));
    t.ok(dirFlush > fileRename, `${user}/${id}: the directory was fsynced after the rename`);
    t.match(JSON.parse(readFileSync(join(dir, 'storage', user, `.${id}.json`), 'utf8')), { id, user }, `${user}/${id}: the record is there`);
  }
  // A large file is flushed while it is written too, so the flush before it appears has little left.
  for (const user of ['large', 'resumed-large', 'resumed-chunked']) {
    const [id] = stored(user);
    t.ok(id, `${user}: a 40 MiB file stored`);
    const fileRename = renameTo(calls, new RegExp(`/${user}/${id}"$`));
    const flushes = calls.filter((c, i) => i < fileRename && (c.name === 'fsync' || c.name === 'fdatasync') && new RegExp(`${id}\\.part>`).test(c.args));
    t.ok(flushes.length >= 2, `${user}/${id}: flushed behind the writes and at the end (${flushes.length} flushes before it appeared)`);
  }
  t.end();
});
