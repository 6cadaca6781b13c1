import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { createHandler, type AfterEvent, type AfterShareEvent, type AuthorizeEvent, type BeforeCommitEvent, type Hooks } from '../../src/index.js';
import { makeFixture } from '../helpers/fixture.js';
import { http, uploadFile } from '../helpers/http.js';
import { bearer, scopedToken } from '../helpers/tokens.js';
import { auditLines, eventually, hookDecisions, storedEntries } from './helpers.js';

async function mount(t: Test, hooks: Hooks, extra: Record<string, unknown> = {}) {
  const fixture = makeFixture('hooks-lib');
  const logged: string[] = [];
  const handler = createHandler({ storageDir: fixture.storageDir, jwtSecretKey: fixture.secret, ...extra, hooks }, {
    log: (error) => logged.push(error instanceof Error ? error.message : String(error)),
  });
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const token = (user: string, scope = 'upload read delete') => scopedToken(user, fixture.secret, scope);
  return { fixture, url, logged, token };
}

t.test('authorize runs after the policy and may refuse with its own status and message', async (t) => {
  const seen: AuthorizeEvent[] = [];
  const { url, token, fixture } = await mount(t, {
    authorize(event) {
      seen.push(event);
      if (event.action === 'delete' && event.principal?.user === 'bob') return { allow: false, status: 451, message: 'bob may not delete today' };
      return { allow: true };
    },
  });
  const bob = await token('bob');
  const up = await uploadFile(url, bob, Buffer.from('keep me'));
  t.equal(up.status, 201, 'an allowed upload goes through');
  const del = await http(`${url}files/bob/${up.json.id}`, { method: 'DELETE', headers: bearer(bob) });
  t.equal(del.status, 451);
  t.equal(del.json.code, 'denied_by_hook');
  t.equal(del.json.error, 'bob may not delete today');
  t.equal((await http(`${url}files/bob/${up.json.id}`, { headers: bearer(bob) })).text, 'keep me', 'the file is still there');
  const asked = seen.find((e) => e.action === 'delete')!;
  t.same(asked.resource, { owner: 'bob', id: up.json.id });
  t.equal(asked.request.method, 'DELETE');
  t.notOk('authorization' in asked.request.headers, 'the hook never sees the bearer token');
  t.same([...asked.principal!.scopes].sort(), ['delete', 'read', 'upload']);
  t.ok(hookDecisions(fixture.storageDir).includes('authorize:delete library refused'), 'the refusal is in the audit trail');
  t.ok(hookDecisions(fixture.storageDir).includes('authorize:upload library ok'), 'so is the approval');
});

t.test('an authorize hook that widens has no effect', async (t) => {
  let calls = 0;
  const { url, token } = await mount(t, {
    authorize() {
      calls++;
      return { allow: true };
    },
  });
  const uploadOnly = await token('carol', 'upload');
  const list = await http(`${url}files/carol/`, { headers: bearer(uploadOnly) });
  t.equal(list.status, 403, 'the policy still refuses a token without the read scope');
  t.equal(list.json.code, 'insufficient_scope');
  const other = await http(`${url}files/dave/`, { headers: bearer(await token('carol')) });
  t.equal(other.json.code, 'forbidden', "another user's files stay out of reach");
  const audit = await http(`${url}audit`, { headers: bearer(await token('carol')) });
  t.equal(audit.status, 403, 'the audit trail stays admin-only');
  t.equal(calls, 0, 'the hook is not even asked about what the policy refused');
});

t.test('beforeCommit sees the finished upload and a rejection stores nothing', async (t) => {
  const seen: BeforeCommitEvent[] = [];
  let bytesOnDisk = '';
  const { url, token, fixture } = await mount(t, {
    beforeCommit(event) {
      seen.push(event);
      bytesOnDisk = readFileSync(event.path!, 'utf8');
      return event.name.endsWith('.exe') ? { accept: false, reason: 'no programs, please' } : { accept: true };
    },
  });
  const erin = await token('erin');
  const refused = await uploadFile(url, erin, Buffer.from('MZ not really'), 'setup.exe');
  t.equal(refused.status, 422);
  t.equal(refused.json.code, 'rejected_by_hook');
  t.equal(refused.json.reason, 'no programs, please');
  t.match(refused.json.error, /no programs, please/);
  t.same(storedEntries(fixture.storageDir, 'erin'), [], 'nothing is stored, not even a temporary file');
  t.notOk(existsSync(seen[0]!.path!), 'the temporary file the hook saw is gone');
  t.same((await http(`${url}files/erin/`, { headers: bearer(erin) })).json.files ?? [], [], 'the listing is empty');

  const accepted = await uploadFile(url, erin, Buffer.from('plain text'), 'notes.txt');
  t.equal(accepted.status, 201);
  const event = seen[1]!;
  t.match(event, { user: 'erin', name: 'notes.txt', type: 'application/octet-stream', size: 10, sha256: createHash('sha256').update('plain text').digest('hex') });
  t.equal(bytesOnDisk, 'plain text', 'the temporary file held every byte when the hook ran');
  t.same(hookDecisions(fixture.storageDir), ['beforeCommit library refused', 'beforeCommit library ok']);
  const refusedLine = auditLines(fixture.storageDir).find((e) => e.action === 'upload' && e.outcome === 'refused')!;
  t.equal(refusedLine.code, 'rejected_by_hook', "the upload's own line says why it was refused");
});

t.test('after-hooks hear of each upload, download, share and delete once', async (t) => {
  const heard: string[] = [];
  const events: Record<string, AfterEvent> = {};
  const note = (name: string) => (event: AfterEvent) => {
    heard.push(`${name} ${event.user} ${event.record.name}`);
    events[name] = event;
  };
  const { url, token, fixture } = await mount(t, {
    afterUpload: note('upload'),
    afterDownload: note('download'),
    afterShare: note('share'),
    afterDelete: note('delete'),
  });
  const fred = await token('fred');
  const up = await uploadFile(url, fred, Buffer.from('abc'), 'a.txt');
  const file = `${url}files/fred/${up.json.id}`;
  t.equal((await http(file, { headers: bearer(fred) })).text, 'abc');
  t.equal((await http(file, { method: 'HEAD', headers: bearer(fred) })).status, 200);
  const share = await http(`${file}/share`, { method: 'POST', headers: bearer(fred) });
  t.equal(share.status, 201);
  t.equal((await http(share.json.url)).text, 'abc', 'a signed link downloads');
  t.equal((await http(file, { method: 'DELETE', headers: bearer(fred) })).status, 204);
  await eventually(() => heard.length >= 5 && auditLines(fixture.storageDir).filter((e) => e.action === 'hook').length >= 5, 'five after-hooks');
  t.same(heard, ['upload fred a.txt', 'download fred a.txt', 'share fred a.txt', 'download null a.txt', 'delete fred a.txt'],
    'one event each (HEAD is no download); a link download has no user');
  t.equal(events.upload!.record.id, up.json.id);
  t.equal((events.share as AfterShareEvent).expires, share.json.expires);
  t.same(hookDecisions(fixture.storageDir).sort(), ['afterDelete library ok', 'afterDownload library ok', 'afterDownload library ok', 'afterShare library ok', 'afterUpload library ok']);
});

t.test('afterShare hears of every way a file is shared: signed link, share link, public', async (t) => {
  const shared: AfterShareEvent[] = [];
  const { url, token } = await mount(t, { afterShare: (event: AfterShareEvent) => void shared.push(event) });
  const hana = await token('hana');
  const up = await uploadFile(url, hana, Buffer.from('xyz'), 'x.txt');
  const file = `${url}files/hana/${up.json.id}`;
  const signed = await http(`${file}/share`, { method: 'POST', headers: bearer(hana) });
  const link = await http(`${file}/links`, { method: 'POST', headers: { ...bearer(hana), 'content-type': 'application/json' }, body: JSON.stringify({ expiresIn: '1d', maxDownloads: 2 }) });
  t.equal(link.status, 201, link.text);
  const mark = await http(`${file}/public`, { method: 'PUT', headers: bearer(hana) });
  t.equal(mark.status, 200, mark.text);
  await eventually(() => shared.length >= 3, 'three afterShare events');
  t.same(shared.map((e) => [e.kind, e.user, e.record.id, e.url, e.expires]), [
    ['signed', 'hana', up.json.id, signed.json.url, signed.json.expires],
    ['link', 'hana', up.json.id, link.json.url, link.json.expires],
    ['public', 'hana', up.json.id, mark.json.url, null],
  ]);
  t.match(shared[1], { link: link.json.id, maxDownloads: 2 });
  t.match(shared[2], { link: mark.json.short });
});

t.test('a before-hook that throws or times out is 500 hook_failed, with the detail in the log only', async (t) => {
  const { url, token, logged, fixture } = await mount(t, {
    authorize(event) {
      if (event.action === 'list') throw new Error('LDAP is down at ldap.example');
      return { allow: true };
    },
    beforeCommit: (event) => (event.name === 'slow.txt' ? new Promise(() => undefined) : { accept: true }),
  }, { hookTimeoutSeconds: 1 });
  const gina = await token('gina');
  const list = await http(`${url}files/gina/`, { headers: bearer(gina) });
  t.equal(list.status, 500);
  t.equal(list.json.code, 'hook_failed');
  t.notMatch(list.text, /LDAP/, 'the client does not see the detail');
  t.ok(logged.some((line) => line.includes('LDAP is down')), 'the log does');

  const slow = await uploadFile(url, gina, Buffer.from('zzz'), 'slow.txt');
  t.equal(slow.status, 500);
  t.equal(slow.json.code, 'hook_failed');
  t.ok(logged.some((line) => /beforeCommit hook took longer than 1 s/.test(line)), 'the timeout is logged');
  t.same(storedEntries(fixture.storageDir, 'gina'), [], 'nothing is stored');
  const failures = auditLines(fixture.storageDir).filter((e) => e.action === 'hook' && e.outcome === 'failed').map((e) => e.hook);
  t.same(failures, ['authorize:list', 'beforeCommit'], 'both failures are in the audit trail');
});

t.test('an after-hook that fails is logged and audited; the client never knows', async (t) => {
  const { url, token, logged, fixture } = await mount(t, {
    afterUpload() {
      throw new Error('the search index is full');
    },
  });
  const up = await uploadFile(url, await token('hank'), Buffer.from('x'));
  t.equal(up.status, 201);
  const line = await eventually(() => auditLines(fixture.storageDir).find((e) => e.action === 'hook'), 'the failure line');
  t.match(line, { hook: 'afterUpload', via: 'library', outcome: 'failed', reason: /search index is full/, attempts: 1, id: up.json.id });
  t.ok(logged.some((l) => l.includes('search index is full')));
});

t.test('a hook returning nonsense is a failure, not an approval', async (t) => {
  const { url, token, fixture } = await mount(t, { beforeCommit: () => ({}) as never });
  const up = await uploadFile(url, await token('ivan'), Buffer.from('x'));
  t.equal(up.json.code, 'hook_failed');
  t.same(storedEntries(fixture.storageDir, 'ivan'), []);
});
