import { Readable } from 'node:stream';
import t from 'tap';
import { auditEntry } from '../../src/audit/record.js';
import { matches, parseDuration, parseSince } from '../../src/audit/query.js';
import type { CoreRequest } from '../../src/core/types.js';

const request = (method: string, audit?: CoreRequest['audit']): CoreRequest => ({
  method, path: '/x', query: new URLSearchParams(), headers: {}, body: Readable.from([]), remoteAddress: '203.0.113.5', baseUrl: 'http://h/', audit,
});
const now = new Date('2026-11-23T18:00:00.000Z');

t.test('which requests the trail keeps, and what it says', async (t) => {
  t.same(auditEntry(request('POST', { user: 'a', id: 'i', name: 'n', bytes: 3 }), 'upload', { status: 201 }, now),
    { time: '2026-11-23T18:00:00.000Z', user: 'a', address: '203.0.113.5', action: 'upload', outcome: 'ok', id: 'i', name: 'n', bytes: 3 });
  t.equal(auditEntry(request('GET', { user: 'a' }), 'list', { status: 200 }, now), undefined, 'a successful listing is not kept');
  t.equal(auditEntry(request('GET'), 'page', { status: 200 }, now), undefined, 'nor the page');
  t.equal(auditEntry(request('HEAD', { user: 'a' }), 'download', { status: 200 }, now), undefined, 'nor a HEAD');
  t.match(auditEntry(request('GET', { user: 'a' }), 'list', { status: 403, code: 'forbidden' }, now), { user: 'a', outcome: 'refused', code: 'forbidden' });
  t.match(auditEntry(request('HEAD'), 'download', { status: 404, code: 'file_not_found' }, now), { user: null, outcome: 'refused' }, 'refused HEADs are kept');
  t.match(auditEntry(request('POST', { user: 'a' }), 'upload', { status: 507, code: 'insufficient_storage' }, now), { outcome: 'failed', code: 'insufficient_storage' });
  t.notOk('owner' in auditEntry(request('GET', { user: 'a', owner: 'a' }), 'download', { status: 200 }, now)!, 'owner only when it is someone else');
  t.equal(auditEntry(request('GET', { user: 'root', owner: 'a' }), 'download', { status: 200 }, now)!.owner, 'a');
  t.equal(auditEntry({ ...request('GET'), remoteAddress: '' }, 'request', { status: 404, code: 'not_found' }, now)!.address, null);
});

t.test('durations and since', async (t) => {
  t.equal(parseDuration('7d'), 7 * 86400);
  t.equal(parseDuration('12h'), 12 * 3600);
  t.equal(parseDuration('30m'), 1800);
  t.equal(parseDuration('45s'), 45);
  t.equal(parseDuration('2w'), 14 * 86400);
  for (const bad of ['', '7', 'd', '-1d', '1.5d', '7 days', 'soon']) t.equal(parseDuration(bad), undefined, `not a duration: ${JSON.stringify(bad)}`);
  const base = Date.parse('2026-11-23T00:00:00Z');
  t.equal(parseSince('1d', base)!.toISOString(), '2026-11-22T00:00:00.000Z');
  t.equal(parseSince('2026-11-01')!.toISOString(), '2026-11-01T00:00:00.000Z');
  t.equal(parseSince('yesterday'), undefined);
  t.equal(parseSince('2026-13-45'), undefined);
  const entry = { time: '2026-11-20T00:00:00.000Z', user: 'a', address: null, action: 'upload', outcome: 'ok' as const };
  t.ok(matches(entry, {}));
  t.ok(matches(entry, { user: 'a', action: 'upload', since: new Date('2026-11-19') }));
  t.notOk(matches(entry, { user: 'b' }));
  t.notOk(matches(entry, { action: 'delete' }));
  t.notOk(matches(entry, { since: new Date('2026-11-21') }));
});
