import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { appendEntries } from '../../src/audit/append.js';
import { auditPaths } from '../../src/audit/entry.js';
import { runAppender } from '../helpers/audit-appender.js';

t.test('one entry is one JSON line, created 0600; the process\'s marker stays, saying it is between appends', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-audit-'));
  await appendEntries(dir, [{ time: '2026-11-23T18:00:00.000Z', user: 'alice', address: '::1', action: 'upload', outcome: 'ok', id: 'x', name: 'a\nb "c"', bytes: 3 }]);
  const text = readFileSync(auditPaths(dir).log, 'utf8');
  t.equal(text.split('\n').length, 2, 'one line, newline-terminated (a newline in a name is escaped)');
  t.same(JSON.parse(text), { time: '2026-11-23T18:00:00.000Z', user: 'alice', address: '::1', action: 'upload', outcome: 'ok', id: 'x', name: 'a\nb "c"', bytes: 3 });
  const { statSync } = await import('node:fs');
  t.equal(statSync(auditPaths(dir).log).mode & 0o777, 0o600);
  const markers = readdirSync(auditPaths(dir).writers);
  t.equal(markers.length, 1, 'one marker per process, kept for its life (no file made and removed per append)');
  t.equal(readFileSync(join(auditPaths(dir).writers, markers[0]!), 'latin1'), '0');
  t.match(markers[0], new RegExp(`^${process.pid}-`));
  await appendEntries(dir, [{ time: '2026-11-23T18:00:01.000Z', user: 'alice', address: '::1', action: 'upload', outcome: 'ok' }]);
  t.same(readdirSync(auditPaths(dir).writers), markers, 'the next append rewrites the same marker');
});

t.test('many processes appending at once leave only whole lines, none lost', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-audit-'));
  const processes = 8;
  const each = 150;
  const written = await Promise.all(Array.from({ length: processes }, (_, i) => runAppender(dir, `p${i}`, each)));
  t.same(written, Array(processes).fill(each));
  const lines = readFileSync(auditPaths(dir).log, 'utf8').split('\n');
  t.equal(lines.pop(), '', 'the log ends with a newline');
  t.equal(lines.length, processes * each, 'every entry is there');
  const seen = new Set<string>();
  let torn = 0;
  for (const line of lines) {
    try {
      const entry = JSON.parse(line);
      if (entry.name.length !== entry.bytes || !/^x*$/.test(entry.name)) torn++;
      seen.add(entry.id);
    } catch {
      torn++;
    }
  }
  t.equal(torn, 0, 'no torn or interleaved line');
  t.equal(seen.size, processes * each, 'each entry exactly once');
  t.same(readdirSync(auditPaths(dir).writers), [], 'each process removed its marker when it exited');
  t.ok(lines.some((l) => l.length > 4096 * 4), 'lines well past PIPE_BUF were among them');
});
