import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
    const hour = new Date(Math.floor(Date.parse(before.time) / 3_600_000) * 3_600_000).toISOString();
    if (i < 50) {
      t.same(after[i], { time: hour, user: null, address: null, action: 'download', outcome: 'ok', anonymized: true },
        `old entry ${i}: what happened and the hour are kept; user, address, id, name, bytes and the exact time go`);
    }
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
  // Anonymized entries lose their id (it points to a file, so to a person): old ones are told by their action.
  const old = log.filter((e) => e.action === 'download');
  t.equal(old.length, initial.length, 'old entries kept');
  const kept = old.filter((e) => !e.anonymized).map((e) => e.id);
  t.same(kept, initial.slice(initial.length - kept.length).map((e) => e.id), 'the newest, not anonymized, keep their ids, in order');
  t.ok(old.every((e, i) => i === 0 || Date.parse(e.time) >= Date.parse(old[i - 1]!.time)), 'in time order');
  t.equal(old.filter((e) => Date.parse(e.time) < cutoff && e.user !== null).length, 0, 'every entry past the cutoff is anonymized');
  t.ok(old.filter((e) => Date.parse(e.time) >= cutoff + 60_000).every((e) => e.user !== null && e.address !== null), 'newer ones keep user and address');
  t.equal(anonymized, old.filter((e) => e.user === null).length, 'the runs counted what they changed');
});

t.test('an anonymized entry keeps no field that names or points to a person (security review, issue 12 item 4)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-anon-'));
  const entry: AuditEntry = {
    time: new Date(Date.now() - 40 * DAY).toISOString(), user: 'admin-carol', address: '198.51.100.7', action: 'download', owner: 'dave',
    outcome: 'refused', code: 'forbidden', id: 'f'.repeat(32), name: 'dave-medical-report.pdf', bytes: 123_457,
  };
  // An entry anonymized by an earlier bdfu, which cleared only user and address.
  const earlier = { ...entry, user: null, address: null, anonymized: true };
  writeFileSync(auditPaths(dir).log, [entry, earlier].map((e) => JSON.stringify(e) + '\n').join(''));
  const result = await anonymizeOlderThan(dir, 30 * 86_400);
  t.same(result, { ran: true, entries: 2, anonymized: 2 }, 'both are (re)done');
  for (const after of readLog(dir)) {
    t.same(Object.keys(after).sort(), ['action', 'address', 'anonymized', 'code', 'outcome', 'time', 'user']);
    t.equal(after.user, null);
    t.equal(after.address, null);
    const text = JSON.stringify(after);
    for (const trace of ['carol', 'dave', '198.51', 'fff', 'medical', '123457']) t.notMatch(text, trace, `no trace of ${trace}`);
    t.match(after.time, /T\d\d:00:00\.000Z$/, 'the time is cut to the hour');
  }
  t.same(await anonymizeOlderThan(dir, 30 * 86_400), { ran: true, entries: 2, anonymized: 0 }, 'anonymous entries stay as they are');
});

t.test('the rotated log is anonymized too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-anon-'));
  writeFileSync(auditPaths(dir).previous, oldEntries(10, 60, 50).map((e) => JSON.stringify(e) + '\n').join(''));
  writeFileSync(auditPaths(dir).log, oldEntries(10, 20, 10).map((e) => JSON.stringify(e) + '\n').join(''));
  const result = await anonymizeOlderThan(dir, 30 * 86_400);
  t.same(result, { ran: true, entries: 20, anonymized: 10 });
  const rotated = readFileSync(auditPaths(dir).previous, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry);
  t.ok(rotated.length === 10 && rotated.every((e) => e.anonymized && e.user === null && e.id === undefined), 'every old entry of .audit.jsonl.1');
  t.ok(readLog(dir).every((e) => e.user !== null), 'the recent log untouched');
});

t.test('the swap waits while a fresh marker says its process is appending ("1", or still empty), not for one between appends ("0")', async (t) => {
  const settled = async (run: Promise<unknown>, ms: number) =>
    Promise.race([run.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
  for (const flag of ['1', '', '0']) {
    const dir = mkdtempSync(join(tmpdir(), 'bdfu-anon-'));
    writeFileSync(auditPaths(dir).log, oldEntries(10, 60, 40).map((e) => JSON.stringify(e) + '\n').join(''));
    mkdirSync(auditPaths(dir).writers);
    const marker = join(auditPaths(dir).writers, '999999-0123456789ab');
    writeFileSync(marker, flag);
    const run = anonymizeOlderThan(dir, 30 * 86_400);
    if (flag === '0') {
      t.same(await run, { ran: true, entries: 10, anonymized: 10 }, 'a marker saying "0" does not hold the swap up');
      continue;
    }
    t.equal(await settled(run, 300), false, `a marker saying ${JSON.stringify(flag)} holds the swap`);
    t.ok(existsSync(auditPaths(dir).pause), 'and the appenders are paused meanwhile');
    writeFileSync(marker, '0');
    t.same(await run, { ran: true, entries: 10, anonymized: 10 }, 'once it says "0", the swap goes ahead');
    t.notOk(existsSync(auditPaths(dir).pause), 'and the pause is lifted');
  }
});
