import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeFixture, type Fixture } from '../helpers/fixture.js';
import { http, uploadFile } from '../helpers/http.js';
import { ROOT } from '../helpers/paths.js';
import { bdfu, run } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { bearer, scopedToken } from '../helpers/tokens.js';
import { cgiRequest, cgiUpload as uploadByCgi } from './cgi-request.js';
import { auditLines, EICAR, eventually, hookDecisions, hookFixture, storedEntries } from './helpers.js';

/** The web server passes the secret too: the hook command must never see it. */
const withSecret = (fixture: Fixture) => ({ env: { BDFU_JWT_SECRET_KEY: fixture.secret } });
const cgi = (fixture: Fixture, env: Record<string, string>, input: Buffer | string = '') => cgiRequest(fixture, env, input, withSecret(fixture));
const cgiUpload = (fixture: Fixture, user: string, name: string, data: string) => uploadByCgi(fixture, user, name, data, 'upload read', withSecret(fixture));

t.test('bdfu serve: a command hook refuses a file with the EICAR test string', async (t) => {
  const fixture = hookFixture('hook-cmd-serve', 'eicar-scan.sh');
  const server = await startBdfu([fixture.config], { env: { PATH: process.env.PATH } });
  t.teardown(() => server.stop());
  const token = await scopedToken('mia', fixture.secret, 'upload read');

  const infected = await uploadFile(server.url, token, Buffer.from(`some text\n${EICAR}\n`), 'eicar.com');
  t.equal(infected.status, 422);
  t.equal(infected.json.code, 'rejected_by_hook');
  t.equal(infected.json.reason, 'infected: Eicar-Test-Signature', "the reason is the command's first line of output");
  t.same(storedEntries(fixture.storageDir, 'mia'), [], 'nothing is stored');

  const clean = await uploadFile(server.url, token, Buffer.from('clean'), 'clean.txt');
  t.equal(clean.status, 201);
  t.equal((await http(`${server.url}files/mia/${clean.json.id}`, { headers: bearer(token) })).text, 'clean');

  const events = await eventually(() => fixture.events().length >= 4 && fixture.events(), 'four events');
  t.same(events.map((e) => e.event).slice(0, 2), ['beforeCommit', 'beforeCommit']);
  t.same(events.map((e) => e.event).slice(2).sort(), ['afterDownload', 'afterUpload'], 'after-events run beside later requests, in no fixed order');
  const [scanned] = events;
  t.match(scanned, { user: 'mia', name: 'eicar.com', size: EICAR.length + 11, sha256: /^[0-9a-f]{64}$/ });
  t.ok(scanned.path.startsWith(join(fixture.storageDir, 'mia') + '/'), 'the path is the temporary file in the storage');
  t.notOk(existsSync(scanned.path), 'which is gone after the rejection');
  const uploaded = events.find((e) => e.event === 'afterUpload');
  t.match(uploaded, { user: 'mia', record: { id: clean.json.id, name: 'clean.txt', size: 5 } });
  t.notOk('downloadTokenHash' in uploaded.record);
  await eventually(() => hookDecisions(fixture.storageDir).length >= 4, 'the audit lines');
  t.same(hookDecisions(fixture.storageDir).sort(), ['afterDownload command ok', 'afterUpload command ok', 'beforeCommit command ok', 'beforeCommit command refused']);
  t.match(auditLines(fixture.storageDir).find((e) => e.outcome === 'refused' && e.action === 'hook'), { reason: 'infected: Eicar-Test-Signature', user: 'mia', name: 'eicar.com' });
});

t.test('CGI: the same scanner, and after-events delivered before the process exits', async (t) => {
  const fixture = hookFixture('hook-cmd-cgi', 'eicar-scan.sh');
  const infected = await cgiUpload(fixture, 'noa', 'eicar.txt', EICAR);
  t.equal(infected.status, 422, infected.body);
  t.equal(infected.json.code, 'rejected_by_hook');
  t.equal(infected.json.reason, 'infected: Eicar-Test-Signature');
  t.same(storedEntries(fixture.storageDir, 'noa'), []);

  const clean = await cgiUpload(fixture, 'noa', 'clean.txt', 'fine');
  t.equal(clean.status, 201, clean.body);
  t.equal(clean.code, 0);
  // No waiting: the process has exited, so its after-event must already have gone out.
  t.same(fixture.events().map((e) => e.event), ['beforeCommit', 'beforeCommit', 'afterUpload']);
  t.same(hookDecisions(fixture.storageDir), ['beforeCommit command refused', 'beforeCommit command ok', 'afterUpload command ok']);
  const logs = await bdfu(['logs', '--action', 'hook', fixture.config]);
  t.match(logs.stdout, /refused\s+hook\s+noa\s.*beforeCommit \(command\)\s+rejected_by_hook\s.*"infected: Eicar-Test-Signature"/, 'bdfu logs shows the decision and its reason');
  const names = fixture.environment();
  for (const secret of ['HTTP_AUTHORIZATION', 'BDFU_JWT_SECRET_KEY', 'BDFU_SETTINGS']) t.notOk(names.includes(secret), `the command does not get ${secret}`);
  t.ok(names.includes('BDFU_HOOK_EVENT') && names.includes('BDFU_HOOK_PATH'));
});

t.test('a command hook that does not answer in time is 500 hook_failed, and is killed', async (t) => {
  const fixture = hookFixture('hook-cmd-slow', 'slow-hook.sh', { HOOK_TIMEOUT_SECONDS: 1 });
  const slow = await cgiUpload(fixture, 'olga', 'a.txt', 'a');
  t.equal(slow.status, 500, slow.body);
  t.equal(slow.json.code, 'hook_failed');
  t.notMatch(slow.body, /slow-hook/, 'the client does not learn the detail');
  t.match(slow.stderr, /slow-hook\.sh took longer than 1 s \(beforeCommit\) and was killed/, 'the log does');
  t.same(storedEntries(fixture.storageDir, 'olga'), []);
  t.match(auditLines(fixture.storageDir).find((e) => e.action === 'hook'), { hook: 'beforeCommit', via: 'command', outcome: 'failed', code: 'hook_failed' });
  const left = await run('pgrep', ['-f', `sleep 120`]);
  t.equal(left.stdout.trim(), '', "the command's own child was killed too");
});

t.test('HOOK_COMMAND is checked at start-up', async (t) => {
  const fixture = makeFixture('hook-cmd-bad', { HOOK_COMMAND: join(ROOT, 'test/fixtures/no-such-hook') });
  const reply = await cgi(fixture, { REQUEST_METHOD: 'GET', PATH_INFO: '/files/x/' });
  t.equal(reply.status, 500);
  t.equal(reply.json.code, 'config_error');
  // The client learns only that bdfu is misconfigured (security review, issue 12); the log says what.
  t.notMatch(reply.body, /no-such-hook/, 'the client does not learn the path');
  t.match(reply.stderr, /HOOK_COMMAND .*no-such-hook is not an executable file \(ENOENT\)/, 'the log does');
});
