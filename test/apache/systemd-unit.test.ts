// apache/bdfu.service: a valid unit, its own user, restarts on failure, and the ExecStart it
// runs stops gracefully on the KillSignal (finishing an upload in flight, exit 0).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { multipart } from '../helpers/http.js';
import { originalToken } from '../helpers/original-token.js';
import { APACHE_DIR, ROOT } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { childEnv } from '../helpers/child-env.js';

const UNIT = join(APACHE_DIR, 'bdfu.service');
const text = readFileSync(UNIT, 'utf8');
const service = Object.fromEntries(
  text.split('\n').filter((line) => /^\w+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

t.test('systemd-analyze verify accepts the unit', async (t) => {
  const ran = await run('systemd-analyze', ['verify', UNIT]);
  t.equal(ran.code, 0, ran.stderr);
  t.equal(ran.stderr.trim(), '', 'without a warning');
});

t.test('its own user, restart on failure, a graceful stop', async (t) => {
  t.equal(service.User, 'bdfu');
  t.equal(service.Group, 'bdfu');
  t.equal(service.Restart, 'on-failure');
  t.equal(service.KillSignal, 'SIGTERM');
  t.match(service.TimeoutStopSec, /^\d+s$/);
  t.equal(service.NoNewPrivileges, 'yes');
  t.equal(service.ProtectSystem, 'strict');
  t.match(service.ExecStart, /^\/usr\/bin\/node \/opt\/bdfu\/dist\/cli\/main\.js serve \/etc\/bdfu\/bdfu\.cfg$/);
});

/** The unit's ExecStart, with this checkout for /opt/bdfu and a test configuration for /etc/bdfu/bdfu.cfg. */
function execStart(config: string): string[] {
  return service.ExecStart!.split(' ').map((word) => word.replace('/opt/bdfu', ROOT.replace(/\/$/, '')).replace('/etc/bdfu/bdfu.cfg', config));
}

t.test('ExecStart serves, and on SIGTERM finishes the upload in flight and exits 0', async (t) => {
  const fixture = makeFixture('systemd', { PORT: 0 });
  const [command, ...args] = execStart(fixture.config);
  const child = spawn(command === '/usr/bin/node' ? process.execPath : command!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c));
  child.stderr.on('data', (c: Buffer) => (output += c));
  const exited = once(child, 'exit');
  t.teardown(() => void child.kill('SIGKILL'));
  while (!/serving (http:\S+)/.test(output)) {
    if (child.exitCode !== null) throw new Error(output);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = new URL('upload', /serving (http:\S+)/.exec(output)![1]!);

  const data = randomBytes(1 << 20);
  const { body, contentType } = multipart([{ name: 'file', filename: 'inflight.bin', data }]);
  const token = await originalToken('sally', fixture.secret);
  const reply = new Promise<{ status: number; json: any }>((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'content-length': body.length } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.write(body.subarray(0, body.length / 2), () => {
      setTimeout(() => {
        child.kill(service.KillSignal as NodeJS.Signals);
        setTimeout(() => req.end(body.subarray(body.length / 2)), 500);
      }, 300);
    });
  });
  const res = await reply;
  t.equal(res.status, 201, 'the upload in flight was finished');
  t.same(readFileSync(join(fixture.storageDir, 'sally', res.json.id)), data);
  const [code] = await exited;
  t.equal(code, 0, 'exit 0: systemd does not restart it (Restart=on-failure)');
  t.match(output, /SIGTERM: finishing requests in flight/);
});

t.test('a start that fails exits non-zero, which Restart=on-failure restarts', async (t) => {
  const fixture = makeFixture('systemd-bad');
  appendFileSync(fixture.config, 'PORT = 99999\n');
  const [command, ...args] = execStart(fixture.config);
  const ran = await run(command === '/usr/bin/node' ? process.execPath : command!, args);
  t.not(ran.code, 0);
  t.match(ran.stderr, /PORT/);
});
