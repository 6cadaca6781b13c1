import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { makeFixture } from '../helpers/fixture.js';
import { http, uploadFile } from '../helpers/http.js';
import { ROOT } from '../helpers/paths.js';
import { startBdfu } from '../helpers/serve.js';
import { bearer, scopedToken } from '../helpers/tokens.js';
import { auditLines, eventually, hookDecisions, storedEntries } from './helpers.js';
import { distinct, label, receiver, verify } from './receiver.js';
import { cgiUpload } from './cgi-request.js';

const SECRET = randomBytes(24).toString('hex');
const ALL_EVENTS = ['authorize', 'beforeCommit', 'afterUpload', 'afterDownload', 'afterDelete', 'afterShare'];

t.test('bdfu serve: a signed webhook decides and hears each event exactly once', async (t) => {
  const hook = await receiver(t, SECRET, (event) => {
    if (event.event === 'authorize' && event.action === 'share') return { status: 403, body: 'no sharing here\nmore detail' };
    if (event.event === 'beforeCommit' && event.name === 'bad.txt') return { status: 422, body: 'quarantined' };
    return { status: 204 };
  });
  const fixture = makeFixture('hook-url', { HOOK_URL: hook.url, HOOK_SECRET: SECRET, HOOK_EVENTS: ALL_EVENTS });
  const server = await startBdfu([fixture.config]);
  t.teardown(() => server.stop());
  const token = await scopedToken('pia', fixture.secret, 'upload read delete');

  const good = await uploadFile(server.url, token, Buffer.from('good'), 'good.txt');
  t.equal(good.status, 201);
  const bad = await uploadFile(server.url, token, Buffer.from('bad'), 'bad.txt');
  t.equal(bad.status, 422);
  t.equal(bad.json.code, 'rejected_by_hook');
  t.equal(bad.json.reason, 'quarantined');
  const file = `${server.url}files/pia/${good.json.id}`;
  t.equal((await http(file, { headers: bearer(token) })).text, 'good');
  const share = await http(`${file}/share`, { method: 'POST', headers: bearer(token) });
  t.equal(share.status, 403);
  t.equal(share.json.code, 'denied_by_hook');
  t.equal(share.json.error, 'no sharing here', "the webhook's first line");
  t.equal((await http(file, { method: 'DELETE', headers: bearer(token) })).status, 204);

  await eventually(() => distinct(hook.seen).length >= 10 && hookDecisions(fixture.storageDir).length >= 10, 'ten events');
  t.ok(hook.seen.every((d) => d.signed), 'every request carries a valid signature');
  t.equal(hook.seen.length, 10, 'no event was sent twice');
  // After-events go out beside the next requests: their order among those is not fixed.
  t.same(distinct(hook.seen).map(label).sort(), [
    'afterDelete', 'afterDownload', 'afterUpload', 'authorize:delete', 'authorize:read',
    'authorize:share', 'authorize:upload', 'authorize:upload', 'beforeCommit', 'beforeCommit',
  ]);
  const upload = distinct(hook.seen).find((e) => e.event === 'afterUpload');
  t.match(upload, { user: 'pia', record: { id: good.json.id, name: 'good.txt', size: 4 }, time: /^\d{4}-/ });
  t.same(hookDecisions(fixture.storageDir).filter((d) => d.includes('refused')), ['beforeCommit url refused', 'authorize:share url refused']);
  t.notOk(verify(SECRET, `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`, '{}'), 'the check refuses a wrong signature');
});

t.test('a receiver that is down: the upload is answered at once, the after-event retried until it gets through', async (t) => {
  const hook = await receiver(t, SECRET, (_event, seen) => (seen.length === 1 ? 'hang' : { status: 204 }));
  const fixture = makeFixture('hook-url-down', { HOOK_URL: hook.url, HOOK_SECRET: SECRET, HOOK_EVENTS: ['afterUpload'] });
  const server = await startBdfu([fixture.config]);
  t.teardown(() => server.stop());
  const up = await uploadFile(server.url, await scopedToken('quinn', fixture.secret), Buffer.from('q'));
  t.equal(up.status, 201);
  await eventually(() => hook.hanging.length === 1, 'the first delivery');
  t.equal(hook.seen.length, 1, 'the answer came while the receiver still held the first delivery');
  hook.hanging[0]!.writeHead(503).end('busy');
  const line = await eventually(() => auditLines(fixture.storageDir).find((e) => e.action === 'hook'), 'the delivery');
  t.match(line, { hook: 'afterUpload', via: 'url', outcome: 'ok', attempts: 2, id: up.json.id });
  t.equal(hook.seen.length, 2, 'tried again after the 503');
  t.equal(hook.seen[0]!.event.delivery, hook.seen[1]!.event.delivery, 'with the same delivery id, so the receiver can tell a repeat');
  t.equal(distinct(hook.seen).length, 1);
});

t.test('CGI: a receiver that is down costs at most the timeout, and the failure is logged and audited', async (t) => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const fixture = makeFixture('hook-url-cgi', { HOOK_URL: `http://127.0.0.1:${port}/`, HOOK_SECRET: SECRET, HOOK_EVENTS: ['afterUpload'], HOOK_TIMEOUT_SECONDS: 2 });
  const up = await cgiUpload(fixture, 'ruth', 'r.txt', 'r');
  t.equal(up.status, 201);
  t.equal(up.code, 0);
  t.match(up.stderr, /the afterUpload hook \(url\) failed after \d attempt\(s\): HOOK_URL .* ECONNREFUSED/);
  const line = auditLines(fixture.storageDir).find((e) => e.action === 'hook');
  t.match(line, { hook: 'afterUpload', via: 'url', outcome: 'failed', code: 'hook_failed', id: up.json.id });
  t.ok(line!.attempts! >= 2, `retried within the timeout (${line!.attempts} attempts)`);
});

t.test('a webhook that does not answer a before-event in time is 500 hook_failed', async (t) => {
  const hook = await receiver(t, SECRET, () => 'hang');
  const fixture = makeFixture('hook-url-slow', { HOOK_URL: hook.url, HOOK_SECRET: SECRET, HOOK_TIMEOUT_SECONDS: 1 });
  const up = await cgiUpload(fixture, 'sara', 's.txt', 's');
  t.equal(up.status, 500);
  t.equal(up.json.code, 'hook_failed');
  t.match(up.stderr, /HOOK_URL .* \(beforeCommit\): no answer within 1 s/);
  t.same(storedEntries(fixture.storageDir, 'sara'), []);
  t.same(hookDecisions(fixture.storageDir), ['beforeCommit url failed']);
});

t.test("the README's receiver check is the one these tests use", async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  // From the source file, not verify.toString(): how a transpiler prints a function is its own affair.
  const source = readFileSync(join(ROOT, 'test/hooks/receiver.ts'), 'utf8');
  const body = /^export function verify\(.*\{\n([\s\S]*?)\n\}$/m.exec(source)![1]!.split('\n').map((line) => line.trim());
  t.equal(body.length, 3);
  for (const line of body) t.ok(readme.includes(line), line);
});

t.test('hook settings are checked at start-up', async (t) => {
  const load = (values: Record<string, string>) => () =>
    loadConfig({ env: { BDFU_JWT_SECRET_KEY: SECRET, BDFU_STORAGE_DIR: '/tmp/x', ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`BDFU_${k}`, v])) } });
  t.throws(load({ HOOK_URL: 'http://127.0.0.1:9/' }), /HOOK_URL needs HOOK_SECRET/);
  t.throws(load({ HOOK_URL: 'http://127.0.0.1:9/', HOOK_SECRET: 'short' }), /at least 16 characters/);
  t.throws(load({ HOOK_URL: 'ftp://example/', HOOK_SECRET: SECRET }), /http or https URL/);
  t.throws(load({ HOOK_SECRET: SECRET }), /HOOK_SECRET is set but HOOK_URL is not/);
  t.throws(load({ HOOK_EVENTS: 'afterUpload,afterUplaod' }), /HOOK_EVENTS: unknown event afterUplaod/);
  t.throws(load({ HOOK_TIMEOUT_SECONDS: '0' }), /HOOK_TIMEOUT_SECONDS .* between 1 and 300/);
  t.same(load({ HOOK_URL: 'https://hooks.example/bdfu', HOOK_SECRET: SECRET })().settings.hookEvents,
    ['beforeCommit', 'afterUpload', 'afterDownload', 'afterDelete', 'afterShare'], 'authorize goes out only when asked for');
});
