import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { childEnv } from '../helpers/child-env.js';
import { NPM_CLI } from '../helpers/npm.js';
import { ROOT } from '../helpers/paths.js';

// `npm start` builds, then runs the server. Stopping npm (SIGTERM, as `kill` sends) must stop the
// server too, not leave it serving. The build step is replaced by a no-op here (the tests must not
// rebuild dist/ under their own feet); the start script itself is package.json's, as it is.

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });

t.test('stopping npm start stops the server it started', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-npm-start-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { start } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as { start: string };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'npm-start-check', private: true, scripts: { build: 'true', start } }));
  symlinkSync(join(ROOT, 'dist'), join(dir, 'dist'));

  // Its own process group: if the server outlives npm, the teardown still finds and ends it.
  const npm = spawn(process.execPath, [NPM_CLI!, 'start'], { cwd: dir, env: childEnv({ BDFU_PORT: '0' }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  t.teardown(() => {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // the whole group is gone: as it should be
    }
    npm.stdout.destroy();
    npm.stderr.destroy();
  });
  let output = '';
  npm.stdout.on('data', (c: Buffer) => (output += c));
  npm.stderr.on('data', (c: Buffer) => (output += c));
  const port = await new Promise<number>((resolve, reject) => {
    npm.stdout.on('data', () => {
      const match = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (match) resolve(Number(match[1]));
    });
    npm.on('exit', () => reject(new Error(`npm start ended:\n${output}`)));
  });
  t.equal(await refused(port), false, 'the server answers');

  npm.kill('SIGTERM');
  await once(npm, 'exit');
  let gone = false;
  for (let i = 0; i < 100 && !gone; i++) {
    gone = await refused(port);
    if (!gone) await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(gone, `after npm start ended, nothing listens on port ${port} any more`);
});
