// A storage directory the process cannot write: bdfu serve refuses to start, a CGI request gets a
// 500; the refusal and the error log name the directory and the user bdfu runs as, the client's answer does not. Run as root, the processes drop to
// www-data (as Apache's CGI scripts do), since root may write anywhere.
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { webRoot, webUser } from '../helpers/apache.js';
import { makeFixture } from '../helpers/fixture.js';
import { run } from '../helpers/run.js';
import { CHILD_PATH } from '../helpers/child-env.js';

const fixture = makeFixture('unwritable');
mkdirSync(fixture.storageDir, { mode: 0o755 });
const asOther = webUser.name !== undefined;
if (!asOther) chmodSync(fixture.storageDir, 0o555);
const user = webUser.name ?? userInfo().username;
const root = webRoot();
const dropped = asOther ? { uid: webUser.uid, gid: webUser.gid } : {};
// tap's hooks (in NODE_OPTIONS) write under .tap/, which www-data may not: leave them out.
const unhooked = (command: string[]): [string, string[]] => ['/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', ...command]];

t.test('bdfu serve stops at start-up with one line naming the directory and the user', async (t) => {
  const ran = await run(...unhooked([process.execPath, join(root, 'dist/cli/main.js'), 'serve', fixture.config, '--port', '0']), { ...dropped, env: { PATH: CHILD_PATH } });
  t.equal(ran.code, 1);
  t.equal(ran.stdout, '', 'it never said it was serving');
  t.match(ran.stderr, /^bdfu: the storage directory .* is not writable by .*\n$/);
  t.match(ran.stderr, fixture.storageDir);
  t.match(ran.stderr, `${user} (uid ${webUser.uid})`);
  if (asOther) t.match(ran.stderr, new RegExp(`bdfu runs as ${user} \\(scripts run as the web server's user, not the owner: no suEXEC\\): give ${user} write access, never to everyone: setfacl -m u:${user}:rwx`), 'says it is the web-server-user case, and what to run');
  else t.match(ran.stderr, /whom bdfu runs as \(suEXEC, or a server of its own\), but its mode is 555: chmod 700 /, 'says it is the owner case');
});

t.test('the owner case (suEXEC): the directory is bdfu\'s own but not writable', async (t) => {
  const own = makeFixture('unwritable-own');
  mkdirSync(own.storageDir, { mode: 0o555 });
  chmodSync(own.storageDir, 0o555);
  if (asOther) chownSync(own.storageDir, webUser.uid!, webUser.gid!);
  const ran = await run(...unhooked([process.execPath, join(root, 'dist/cli/main.js'), 'serve', own.config, '--port', '0']), { ...dropped, env: { PATH: CHILD_PATH } });
  t.equal(ran.code, 1);
  t.match(ran.stderr, new RegExp(`it belongs to ${user}, whom bdfu runs as \\(suEXEC, or a server of its own\\), but its mode is 555: chmod 700 `));
});

t.test('a CGI request gets a 500 storage_unwritable; the error log names the directory and the user', async (t) => {
  const env = {
    PATH: CHILD_PATH, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'POST', PATH_INFO: '/upload',
    SCRIPT_NAME: '/cgi-bin/bdfu', SERVER_NAME: 'localhost', SERVER_PORT: '80', CONTENT_LENGTH: '0', BDFU_SETTINGS: fixture.config,
  };
  const ran = await run(...unhooked([join(root, 'cgi-bin/bdfu')]), { ...dropped, env });
  const [head = '', body = ''] = ran.stdout.split('\r\n\r\n');
  t.match(head, /^Status: 500 /);
  const json = JSON.parse(body);
  t.equal(json.code, 'storage_unwritable');
  t.match(json.error, /not writable by the user bdfu runs as; the details are in the server’s error log/);
  t.notMatch(json.error, fixture.dir, 'no path reaches the client (security review, issue 12 item 2)');
  t.match(ran.stderr, fixture.storageDir, 'the web server’s error log (stderr) names the directory');
  t.match(ran.stderr, `${user} (uid ${webUser.uid})`, 'and the user');
});
