// Accounts: `bdfu users` manages them in the storage backend; POST {endpoint}sign-in trades a
// name and password for a short-lived token with the account's scopes, throttled per account
// and address.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { http, uploadFile } from '../helpers/http.js';
import { ROOT } from '../helpers/paths.js';
import { bdfu } from '../helpers/run.js';
import { childEnv } from '../helpers/child-env.js';
import { startBdfu } from '../helpers/serve.js';

const fixture = makeFixture('accounts');
appendFileSync(fixture.config, "TRUSTED_PROXIES = ['127.0.0.1', '::1']\n");
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

const signIn = (user: string, password: string, address = '198.51.100.1') =>
  http(`${server.url}sign-in`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ user, password }) });

t.test('bdfu users add, list, passwd, rm: the account lives in the storage backend, the password only as scrypt', async (t) => {
  const added = await bdfu(['users', 'add', 'alice', fixture.config, '--password-stdin', '--json'], { input: 'correct horse battery\n' });
  t.equal(added.code, 0, added.stderr);
  t.match(JSON.parse(added.stdout), { name: 'alice', scopes: ['upload', 'read', 'delete'] });
  const reader = await bdfu(['users', 'add', 'rita', fixture.config, '--scope', 'read', '--password-stdin'], { input: 'reading glasses\n' });
  t.equal(reader.code, 0, reader.stderr);
  t.equal(reader.stdout, 'added rita (read)\n');

  const listed = await bdfu(['users', 'list', fixture.config]);
  t.match(listed.stdout, /^alice\tupload read delete\t\d{4}-.*\nrita\tread\t\d{4}-/);
  const json = JSON.parse((await bdfu(['users', 'list', fixture.config, '--json'])).stdout);
  t.same(json.accounts.map((a: { name: string }) => a.name), ['alice', 'rita']);
  t.notMatch(JSON.stringify(json), /hash|scrypt/, 'the list shows no hash');

  const kept = readdirSync(fixture.storageDir, { recursive: true }).map(String).filter((p) => p.includes('accounts'));
  t.ok(kept.length > 0, 'kept under STORAGE_DIR');
  const text = kept.map((p) => { try { return readFileSync(join(fixture.storageDir, p), 'utf8'); } catch { return ''; } }).join('');
  t.notMatch(text, /correct horse/, 'never the password itself');
  t.match(text, /scrypt\$32768\$8\$1\$/, 'scrypt with its parameters');

  const failures: Array<[string[], string | undefined, RegExp]> = [
    [['users', 'add', 'alice', fixture.config, '--password-stdin'], 'another password\n', /^bdfu: the account alice exists already/],
    [['users', 'add', 'bob', fixture.config, '--password-stdin'], 'short\n', /^bdfu: a password needs at least 8 characters/],
    [['users', 'add', '../evil', fixture.config, '--password-stdin'], 'long enough pw\n', /^bdfu: the user name "\.\.\/evil"/],
    [['users', 'add', 'bob', fixture.config, '--scope', 'root', '--password-stdin'], 'long enough pw\n', /^bdfu: unknown scope root/],
    [['users', 'add', 'bob', fixture.config], undefined, /^bdfu: no terminal to ask for the password on: use --password-stdin/],
    [['users', 'passwd', 'nobody', fixture.config, '--password-stdin'], 'long enough pw\n', /^bdfu: there is no account nobody/],
    [['users', 'rm', 'nobody', fixture.config], undefined, /^bdfu: there is no account nobody/],
  ];
  for (const [args, input, message] of failures) {
    const res = await bdfu(args, input === undefined ? {} : { input });
    t.equal(res.code, 1, `${args.slice(0, 3).join(' ')}: exits 1`);
    t.match(res.stderr, message);
    t.equal(res.stderr.trim().split('\n').length, 1, 'one line');
  }

  const changed = await bdfu(['users', 'passwd', 'rita', fixture.config, '--password-stdin'], { input: 'new spectacles\n' });
  t.equal(changed.code, 0, changed.stderr);
  t.equal((await signIn('rita', 'reading glasses', '198.51.100.50')).status, 401, 'the old password no longer works');
  t.equal((await signIn('rita', 'new spectacles', '198.51.100.50')).status, 200, 'the new one does');
  const removed = await bdfu(['users', 'rm', 'rita', fixture.config]);
  t.equal(removed.code, 0, removed.stderr);
  t.equal((await signIn('rita', 'new spectacles', '198.51.100.50')).status, 401, 'a removed account cannot sign in');
});

/**
 * Runs a bdfu command on a pseudo-terminal (`script`, as a person's shell would give it) and types
 * each answer only once its prompt has appeared, as a person would.
 */
function onTerminal(args: string, answers: Array<[RegExp, string]>): Promise<{ code: number | null; screen: string }> {
  const cli = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'dist/cli/main.js'))}`;
  const child = spawn('script', ['-qec', `${cli} ${args}`, '/dev/null'], { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let next = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    const answer = answers[next];
    if (answer && answer[0].test(screen.slice(screen.lastIndexOf('\n') + 1))) {
      next++;
      child.stdin.write(answer[1] + '\r');
    }
  });
  return new Promise((resolve) => child.on('close', (code) => {
    child.stdin.destroy();
    resolve({ code, screen });
  }));
}

t.test('on a terminal the password is asked twice and never shown', async (t) => {
  const typed = await onTerminal(`users add tess ${fixture.config}`, [[/New password: $/, 'typed secret 1'], [/The same again: $/, 'typed secret 1']]);
  t.equal(typed.code, 0, typed.screen);
  t.match(typed.screen, /added tess/);
  t.notMatch(typed.screen, /typed secret/, 'no echo');
  t.equal((await signIn('tess', 'typed secret 1', '198.51.100.60')).status, 200);
  const differ = await onTerminal(`users passwd tess ${fixture.config}`, [[/New password: $/, 'first try 123'], [/The same again: $/, 'second try 45']]);
  t.not(differ.code, 0);
  t.match(differ.screen, /the two passwords differ; nothing changed/);
  t.equal((await signIn('tess', 'typed secret 1', '198.51.100.60')).status, 200, 'the password stayed');
});

t.test('sign-in: a short-lived token with the account’s scopes; wrong or unknown: the same 401', async (t) => {
  const ok = await signIn('alice', 'correct horse battery');
  t.equal(ok.status, 200, ok.text);
  t.same(ok.json.scopes, ['upload', 'read', 'delete']);
  t.equal(ok.headers['cache-control'], 'no-store');
  const lifetime = Date.parse(ok.json.expires) - Date.now();
  t.ok(lifetime > 3500_000 && lifetime <= 3600_000, 'an hour');
  const up = await uploadFile(server.url, ok.json.token, Buffer.from('signed in'), 'hello.txt');
  t.equal(up.status, 201, 'the token uploads');
  t.equal((await http(`${server.url}files/alice/${up.json.id}`, { headers: { authorization: `Bearer ${ok.json.token}` } })).text, 'signed in', 'and reads');

  const wrong = await signIn('alice', 'incorrect horse', '198.51.100.2');
  const unknown = await signIn('mallory', 'correct horse battery', '198.51.100.2');
  t.equal(wrong.status, 401);
  t.equal(wrong.json.code, 'bad_credentials');
  t.same(unknown.json, wrong.json, 'an unknown name answers exactly as a wrong password');
  const form = await http(`${server.url}sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.3' }, body: 'user=alice&password=correct+horse+battery' });
  t.equal(form.status, 200, 'a form works too');
  const empty = await http(`${server.url}sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"alice"}' });
  t.equal(empty.status, 400);
  t.equal(empty.json.code, 'bad_credentials_form');
  for (const name of ['../alice', 'a\u0000b', 'x'.repeat(5000)]) {
    const hostile = await signIn(name, 'whatever', '198.51.100.4');
    t.equal(hostile.status, 400, 'a name no account can have: 400, not a crash');
    t.equal(hostile.json.code, 'invalid_user');
  }
});

t.test('sign-in throttling: 5 tries per address and account per 15 minutes; the real user elsewhere still gets in', async (t) => {
  const guesser = '203.0.113.7';
  for (let i = 0; i < 5; i++) t.equal((await signIn('alice', `guess ${i}`, guesser)).status, 401);
  const sixth = await signIn('alice', 'correct horse battery', guesser);
  t.equal(sixth.status, 429, 'even the right password waits');
  t.equal(sixth.json.code, 'too_many_tries');
  t.match(sixth.headers['retry-after'], /^\d+$/);
  t.ok(Number(sixth.headers['retry-after']) <= 900);
  const real = await signIn('alice', 'correct horse battery', '192.0.2.10');
  t.equal(real.status, 200, 'alice from her own address is not locked out');

  const spray = '203.0.113.8';
  const tried = [];
  for (let i = 0; i < 20; i++) tried.push((await signIn(`nobody${i}`, 'guess', spray)).status);
  t.same(new Set(tried), new Set([401]), '20 tries over 20 names');
  t.equal((await signIn('nobody-else', 'guess', spray)).status, 429, 'the 21st from that address, whatever the name: 429');

  const logs = await bdfu(['logs', fixture.config, '--action', 'sign-in', '--json']);
  const entries = logs.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.ok(entries.some((e) => e.user === 'alice' && e.outcome === 'ok'), 'a sign-in is audited with its user');
  t.ok(entries.some((e) => e.owner === 'alice' && e.outcome !== 'ok' && e.address === guesser), 'a refused one with the name tried and the address');
  t.notMatch(logs.stdout, /correct horse|guess/, 'never a password');
});
