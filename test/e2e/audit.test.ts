import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { signToken } from '../../src/auth/tokens.js';
import type { AuditEntry } from '../../src/audit/entry.js';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture, type Fixture } from '../helpers/fixture.js';
import { http, uploadFile } from '../helpers/http.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { bdfu } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { childEnv } from '../helpers/child-env.js';

const readLog = (fixture: Fixture): AuditEntry[] =>
  readFileSync(join(fixture.storageDir, '.audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry);

async function eventually(check: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !check()) await new Promise((r) => setTimeout(r, 50));
  return check();
}

/** What every hosting mode must write to the trail. */
function auditSuite(t: Test, mode: string, fixture: Fixture, baseUrl: () => string) {
  const token = (user: string, scopes?: ('upload' | 'read' | 'delete' | 'admin')[], expiresIn = 600) =>
    signToken({ user, secret: fixture.secret, expiresIn, ...(scopes ? { scopes } : {}) });

  t.test(`${mode}: uploads and refusals are written, one line each`, async (t) => {
    const before = readLogSafe(fixture).length;
    const data = randomBytes(1234);
    const up = await uploadFile(baseUrl(), await token('alice'), data, 'report <b>.pdf');
    t.equal(up.status, 201);
    const missing = await uploadFile(baseUrl(), undefined, data);
    t.equal(missing.status, 401);
    const nowhere = await http(`${baseUrl()}no/such/thing`);
    t.equal(nowhere.status, 404);
    const notAdmin = await http(`${baseUrl()}audit`, { headers: { authorization: `Bearer ${await token('bob', ['upload', 'read'])}` } });
    t.equal(notAdmin.status, 403);
    t.equal(notAdmin.json.code, 'insufficient_scope');
    const entries = readLog(fixture).slice(before);
    t.equal(entries.length, 4, 'four lines');
    t.match(entries[0], { user: 'alice', address: '127.0.0.1', action: 'upload', outcome: 'ok', id: up.json.id, name: 'report <b>.pdf', bytes: 1234 });
    t.notOk('code' in entries[0]!, 'a success has no code');
    t.match(entries[1], { user: null, address: '127.0.0.1', action: 'upload', outcome: 'refused', code: 'token_missing' });
    t.match(entries[2], { user: null, action: 'request', outcome: 'refused', code: 'not_found' });
    t.match(entries[3], { user: 'bob', action: 'audit', outcome: 'refused', code: 'insufficient_scope' });
    for (const entry of entries) t.ok(Math.abs(Date.parse(entry.time) - Date.now()) < 120_000, 'time is now');
  });

  t.test(`${mode}: downloads, share links and deletes are written, with the owner when it is not the user`, async (t) => {
    const dan = await token('dan', ['upload', 'read', 'delete']);
    const auth = { authorization: `Bearer ${dan}` };
    const up = await uploadFile(baseUrl(), dan, randomBytes(321), 'd.bin');
    const file = `${baseUrl()}files/dan/${up.json.id}`;
    const before = readLog(fixture).length;
    t.equal((await http(file, { headers: auth })).status, 200);
    t.equal((await http(file, { method: 'HEAD', headers: auth })).status, 200);
    const share = await http(`${file}/share`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"expiresIn": 60}' });
    t.equal(share.status, 201);
    t.equal((await http(share.json.url)).status, 200);
    const admin = await token('root', ['admin']);
    t.equal((await http(file, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } })).status, 204);
    t.equal((await http(file, { method: 'DELETE', headers: auth })).status, 404);
    const entries = readLog(fixture).slice(before);
    const facts = { id: up.json.id, name: 'd.bin' };
    t.equal(entries.length, 5, 'HEAD is not a download');
    t.match(entries[0], { user: 'dan', action: 'download', outcome: 'ok', bytes: 321, ...facts });
    t.notOk('owner' in entries[0]!, 'no owner on one’s own file');
    t.match(entries[1], { user: 'dan', action: 'share', outcome: 'ok', ...facts });
    t.match(entries[2], { user: null, owner: 'dan', action: 'download', outcome: 'ok', bytes: 321, ...facts });
    t.match(entries[3], { user: 'root', owner: 'dan', action: 'delete', outcome: 'ok', bytes: 321, ...facts });
    t.match(entries[4], { user: 'dan', action: 'delete', outcome: 'refused', code: 'file_not_found', id: up.json.id });
  });

  t.test(`${mode}: GET audit gives admins the trail, newest first, filtered`, async (t) => {
    await uploadFile(baseUrl(), await token('carol'), randomBytes(10), 'c.txt');
    const admin = { authorization: `Bearer ${await token('root', ['admin'])}` };
    const all = await http(`${baseUrl()}audit`, { headers: admin });
    t.equal(all.status, 200);
    t.equal(all.json.entries[0].user, 'carol', 'newest first');
    const mine = await http(`${baseUrl()}audit?user=alice&action=upload&since=1h`, { headers: admin });
    t.ok(mine.json.entries.length >= 1);
    t.ok(mine.json.entries.every((e: AuditEntry) => e.user === 'alice' && e.action === 'upload'));
    const refused = await http(`${baseUrl()}audit?action=request`, { headers: admin });
    t.ok(refused.json.entries.every((e: AuditEntry) => e.action === 'request'));
    const future = await http(`${baseUrl()}audit?since=2999-01-01`, { headers: admin });
    t.same(future.json.entries, []);
    const bad = await http(`${baseUrl()}audit?since=yesterday`, { headers: admin });
    t.equal(bad.status, 400);
    t.equal(bad.json.code, 'bad_since');
    const noToken = await http(`${baseUrl()}audit`);
    t.equal(noToken.status, 401);
  });
}

function readLogSafe(fixture: Fixture): AuditEntry[] {
  try {
    return readLog(fixture);
  } catch {
    return [];
  }
}

const nodeFixture = makeFixture('audit-node');
const server = await startBdfu([nodeFixture.config]);
t.teardown(() => server.stop());
auditSuite(t, 'bdfu serve', nodeFixture, () => server.url);

const cgiFixture = makeFixture('audit-cgi');
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: cgiFixture.config } });
t.teardown(() => host.close());
auditSuite(t, 'CGI', cgiFixture, () => host.url);

t.test('bdfu logs shows and filters the trail', async (t) => {
  const all = await bdfu(['logs', nodeFixture.config]);
  t.equal(all.code, 0, all.stderr);
  t.match(all.stdout, /upload +alice +127\.0\.0\.1 .*"report <b>\.pdf"  1234 bytes/);
  t.match(all.stdout, /refused +upload +- +127\.0\.0\.1 +token_missing/);
  const json = await bdfu(['logs', '--json', '--user', 'alice', '--action', 'upload', '--since', '7d', nodeFixture.config]);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.ok(lines.length >= 1);
  t.ok(lines.every((e) => e.user === 'alice' && e.action === 'upload'));
  const env = childEnv({ BDFU_SETTINGS: nodeFixture.config });
  const viaEnv = await bdfu(['logs', '--since', '2999-01-01'], { env });
  t.equal(viaEnv.code, 0);
  t.equal(viaEnv.stdout, '', 'nothing that new');
  const bad = await bdfu(['logs', '--since', 'soon', nodeFixture.config]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^bdfu: --since takes a duration/);
  t.equal(bad.stderr.split('\n').length, 2, 'one line');
});

t.test('bdfu logs anonymize, and ANONYMIZE_AFTER_DAYS at server start', async (t) => {
  const fixture = makeFixture('audit-anon', { ANONYMIZE_AFTER_DAYS: 30 });
  mkdirSync(fixture.storageDir, { recursive: true });
  const day = 86_400_000;
  const entry = (daysAgo: number, user: string): AuditEntry => ({
    time: new Date(Date.now() - daysAgo * day).toISOString(), user, address: '192.0.2.7', action: 'upload', outcome: 'ok',
  });
  writeFileSync(join(fixture.storageDir, '.audit.jsonl'), [entry(60, 'old'), entry(20, 'mid'), entry(1, 'new')].map((e) => JSON.stringify(e) + '\n').join(''));

  const cli = await bdfu(['logs', 'anonymize', '--older-than', '40d', fixture.config]);
  t.equal(cli.code, 0, cli.stderr);
  t.match(cli.stdout, /anonymized 1 of 3 audit entries older than 40d/);
  t.same(readLog(fixture).map((e) => e.user), [null, 'mid', 'new']);
  t.same(readLog(fixture).map((e) => e.address), [null, '192.0.2.7', '192.0.2.7']);
  const bad = await bdfu(['logs', 'anonymize', '--older-than', 'ages', fixture.config]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /--older-than takes a duration/);

  writeFileSync(join(fixture.dir, 'ten.cfg'), readFileSync(fixture.config, 'utf8').replace('ANONYMIZE_AFTER_DAYS = 30', 'ANONYMIZE_AFTER_DAYS = 10'));
  const served = await startBdfu([join(fixture.dir, 'ten.cfg')]);
  t.teardown(() => served.stop());
  t.ok(await eventually(() => readLog(fixture)[1]!.user === null), 'the server anonymized entries past 10 days at start');
  t.same(readLog(fixture).map((e) => e.user), [null, null, 'new'], 'and only those');
});
