import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { anonymizeOlderThan } from '../../src/audit/anonymize.js';
import { auditPaths, type AuditEntry } from '../../src/audit/entry.js';
import { runAppender } from '../helpers/audit-appender.js';

const DAY = 86_400_000;

/** `count` entries spread evenly from `fromDays` to `toDays` ago, oldest first. */
function oldEntries(count: number, fromDays: number, toDays: number): AuditEntry[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    time: new Date(now - (fromDays - ((fromDays - toDays) * i) / count) * DAY).toISOString(),
    user: `user${i % 7}`, address: `10.0.${i % 256}.1`, action: 'download', outcome: 'ok' as const, id: `old-${i}`, name: `file ${i}.txt`, bytes: i,
  }));
}

const readLog = (dir: string): AuditEntry[] =>
  readFileSync(auditPaths(dir).log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry);

t.test('anonymize keeps every entry and changes only the old ones', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-anon-'));
  const entries = [...oldEntries(50, 60, 31), ...oldEntries(50, 29, 0)];
  writeFileSync(auditPaths(dir).log, entries.map((e) => JSON.stringify(e) + '\n').join(''));
  const result = await anonymizeOlderThan(dir, 30 * 86_400);
  t.same(result, { ran: true, entries: 100, anonymized: 50 });
  const after = readLog(dir);
  t.equal(after.length, 100);
  for (let i = 0; i < 100; i++) {
    const before = entries[i]!;
    if (i < 50) t.same(after[i], { ...before, user: null, address: null, anonymized: true }, `old entry ${i}: only user and address go`);
    else t.same(after[i], before, `recent entry ${i} untouched`);
  }
  const again = await anonymizeOlderThan(dir, 30 * 86_400);
  t.same(again, { ran: true, entries: 100, anonymized: 0 }, 'a second run finds nothing to do');
  t.notOk(existsSync(auditPaths(dir).rewrite), 'no rewrite file left');
  t.notOk(existsSync(auditPaths(dir).pause), 'no pause left');
});

t.test('a run that finds another one running does nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-anon-'));
  writeFileSync(auditPaths(dir).log, oldEntries(5, 60, 50).map((e) => JSON.stringify(e) + '\n').join(''));
  writeFileSync(auditPaths(dir).rewrite, '');
  t.same(await anonymizeOlderThan(dir, 30 * 86_400), { ran: false, entries: 0, anonymized: 0 });
  t.equal(readLog(dir)[0]!.user, 'user0', 'the log is untouched');
});

t.test('entries appended by other processes during the rewrites are all kept', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-anon-'));
  const initial = oldEntries(30_000, 100, 40);
  writeFileSync(auditPaths(dir).log, initial.map((e) => JSON.stringify(e) + '\n').join(''));
  const stop = join(dir, 'stop');
  const appenders = Array.from({ length: 4 }, (_, i) => runAppender(dir, `live${i}`, 0, stop));
  // Wait until the appenders are at work, then rewrite repeatedly, each run anonymizing a new slice.
  const start = readLog(dir).length;
  while (readLog(dir).length < start + 400) await new Promise((r) => setTimeout(r, 20));
  const sizes: number[] = [];
  let anonymized = 0;
  for (let days = 95; days >= 50; days -= 5) {
    const result = await anonymizeOlderThan(dir, days * 86_400);
    t.ok(result.ran);
    anonymized += result.anonymized;
    sizes.push(readLog(dir).length);
  }
  writeFileSync(stop, '');
  const written = await Promise.all(appenders);
  const log = readLog(dir);
  const total = written.reduce((a, b) => a + b, 0);
  t.ok(sizes.at(-1)! > sizes[0]!, `appenders kept appending across the rewrites (${sizes[0]} → ${sizes.at(-1)} entries)`);
  t.equal(log.length, initial.length + total, `every entry is there (${initial.length} old + ${total} appended)`);
  for (let i = 0; i < 4; i++) {
    const ids = log.filter((e) => e.user === `live${i}`).map((e) => e.id);
    t.same(ids, Array.from({ length: written[i]! }, (_, n) => `live${i}-${n}`), `appender ${i}: each of its ${written[i]} entries once, in order`);
  }
  const cutoff = Date.now() - 50 * DAY;
  const old = log.filter((e) => e.id!.startsWith('old-'));
  t.same(old.map((e) => e.id), initial.map((e) => e.id), 'old entries kept, in order');
  t.equal(old.filter((e) => Date.parse(e.time) < cutoff && e.user !== null).length, 0, 'every entry past the cutoff is anonymized');
  t.ok(old.filter((e) => Date.parse(e.time) >= cutoff + 60_000).every((e) => e.user !== null && e.address !== null), 'newer ones keep user and address');
  t.equal(anonymized, old.filter((e) => e.user === null).length, 'the runs counted what they changed');
});
