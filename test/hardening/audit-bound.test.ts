import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { appendEntries } from '../../src/audit/append.js';
import { auditPaths, type AuditEntry } from '../../src/audit/entry.js';
import { readEntries } from '../../src/audit/query.js';
import { addressKey, countRefused, sweepRefusedCounters } from '../../src/audit/rate-bound.js';
import { runCgi } from '../helpers/cgi-direct.js';
import { makeFixture } from '../helpers/fixture.js';
import { http } from '../helpers/http.js';
import { serveInProcess } from '../helpers/in-process.js';

/**
 * Security review (issue 12), item 5: 5,000 refused requests grew the audit log by 640 KB, with
 * no bound. Refused requests are now written at most AUDIT_REFUSED_PER_MINUTE times per client
 * address and minute (the rest counted, and summed up in one entry), and the log rotates at
 * AUDIT_MAX_BYTES. The bound is checked by counting lines and bytes, not by timing anything.
 */
const lines = (path: string): AuditEntry[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry) : []);
const minuteOf = (ms: number) => Math.floor(ms / 60_000);

t.test('a flood of refused requests from one address writes at most the bound per minute', async (t) => {
  const storageDir = join(mkdtempSync(join(tmpdir(), 'bdfu-flood-')), 'storage');
  const perMinute = 20;
  const base = await serveInProcess(t, { jwtSecretKey: 'flood-secret-0123456789', storageDir, auditRefusedPerMinute: perMinute });
  const flood = 2000;
  const started = Date.now();
  // One after another, so that the count is exact (concurrent requests may see a later count than their own).
  for (let sent = 0; sent < flood; sent++) {
    const reply = await http(`${base}files/alice/`);
    if (reply.status !== 401) throw new Error(`expected 401, got ${reply.status}`);
  }
  const minutes = minuteOf(Date.now()) - minuteOf(started) + 1;
  const log = lines(auditPaths(storageDir).log);
  const refused = log.filter((e) => e.outcome === 'refused' && e.action !== 'summary');
  t.ok(refused.length <= minutes * perMinute, `${refused.length} of ${flood} refusals written (bound: ${perMinute} a minute, ${minutes} minute(s))`);
  t.ok(refused.length >= perMinute, 'the first ones of a minute are written');
  const bytes = statSync(auditPaths(storageDir).log).size;
  t.ok(bytes <= minutes * (perMinute + 1) * 200, `the log grew by ${bytes} bytes, not by ${flood} lines`);

  const other = await http(`${base}files/bob/`, { localAddress: '127.0.0.2' });
  t.equal(other.status, 401);
  t.ok(lines(auditPaths(storageDir).log).some((e) => e.address === '127.0.0.2'), 'another address is counted apart: its refusal is written');

  // Nothing is lost from the count: the summaries written now and by a later sweep add up.
  const later = new Date(Date.now() + 3 * 60_000);
  const swept = await sweepRefusedCounters(storageDir, perMinute, later);
  const summaries = [...log.filter((e) => e.action === 'summary'), ...swept].filter((e) => e.address === '127.0.0.1');
  const suppressed = summaries.reduce((sum, e) => sum + (e.suppressed ?? 0), 0);
  t.equal(refused.length + suppressed, flood, `${refused.length} written + ${suppressed} summed up = every refusal`);
  t.same(swept.filter((e) => e.address === '127.0.0.1').map((e) => Object.keys(e).sort()), swept.filter((e) => e.address === '127.0.0.1').map(() => ['action', 'address', 'outcome', 'suppressed', 'time', 'user']),
    'a summary entry: address, count, time');
});

t.test('the bound, minute by minute, with an injected clock', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-bound-'));
  const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 11, 1, 10, minute, second));
  const verdicts = [];
  for (let i = 0; i < 10; i++) verdicts.push(await countRefused(dir, '203.0.113.5', 3, at(0, i)));
  t.same(verdicts.map((v) => v.write), [true, true, true, false, false, false, false, false, false, false], 'the first 3 of the minute');
  const next = await countRefused(dir, '203.0.113.5', 3, at(1, 5));
  t.equal(next.write, true, 'a new minute starts over');
  t.match(next.summary, { action: 'summary', address: '203.0.113.5', suppressed: 7 }, 'and sums up the minute before');
  t.equal((await countRefused(dir, '203.0.113.5', 3, at(1, 6))).summary, undefined, 'once');
  t.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb:cccc:dddd:2'), 'IPv6 counts per /64');
  t.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  t.not(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'));
  t.equal(addressKey('::1'), '0:0:0:0::/64');
  t.equal(addressKey(''), 'unknown');
  const swept = await sweepRefusedCounters(dir, 3, at(5));
  t.same(swept, [], 'the last minute had 2 refusals: nothing to sum up');
});

t.test('refused requests through separate CGI processes share the bound', async (t) => {
  const fixture = makeFixture('flood-cgi', { AUDIT_REFUSED_PER_MINUTE: 2 });
  const env = { GATEWAY_INTERFACE: 'CGI/1.1', BDFU_SETTINGS: fixture.config, REQUEST_METHOD: 'GET', PATH_INFO: '/files/alice/', SCRIPT_NAME: '/bdfu', SERVER_NAME: 'x', SERVER_PORT: '80', REMOTE_ADDR: '198.51.100.20' };
  const started = Date.now();
  const count = 8;
  for (let i = 0; i < count; i++) t.equal((await runCgi(env)).status, 401);
  const minutes = minuteOf(Date.now()) - minuteOf(started) + 1;
  const refused = lines(auditPaths(fixture.storageDir).log).filter((e) => e.action !== 'summary');
  t.ok(refused.length <= 2 * minutes && refused.length >= 2, `${refused.length} of ${count} written (2 a minute, ${minutes} minute(s))`);
});

t.test('the log rotates at AUDIT_MAX_BYTES and bdfu logs reads both parts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-rotate-'));
  const maxBytes = 4096;
  const entry = (i: number): AuditEntry => ({ time: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(), user: 'u', address: '192.0.2.1', action: 'upload', outcome: 'ok', id: String(i).padStart(32, '0') });
  for (let i = 0; i < 200; i++) await appendEntries(dir, [entry(i)], { maxBytes });
  const paths = auditPaths(dir);
  t.ok(existsSync(paths.previous), '.audit.jsonl.1 exists');
  const lineBytes = JSON.stringify(entry(0)).length + 1;
  t.ok(statSync(paths.log).size < maxBytes, 'the current log is below the size');
  t.ok(statSync(paths.previous).size < maxBytes + lineBytes, 'the rotated one is at most one line over');
  t.equal(statSync(paths.previous).mode & 0o777, 0o600);
  const read: AuditEntry[] = [];
  for await (const e of readEntries(dir)) read.push(e);
  t.ok(read.length > lines(paths.log).length, 'the rotated entries are read too');
  t.same(read.map((e) => e.id), read.map((e) => e.id).slice().sort(), 'oldest first, across both files');
  t.equal(read.at(-1)!.id, entry(199).id, 'the newest is there');
  t.ok(statSync(paths.log).size + statSync(paths.previous).size < 2 * maxBytes + lineBytes, 'the trail stays within about twice the size');
});
