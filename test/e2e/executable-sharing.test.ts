// Public files, share links and file requests through the single executable: as `bdfu serve`,
// and dropped into cgi-bin/ as bdfu.cgi (each request a new process of it).
import { rmSync } from 'node:fs';
import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { ensureExecutable, installCgi } from '../helpers/executable.js';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { sharingSuite } from './sharing-suite.js';

const executable = await ensureExecutable();
const settings = { SHARE_PASSWORD_TRIES: 3, RETENTION_DAYS_MAX: 30, RETENTION_DAYS_DEFAULT: 7 };

t.test('the executable as bdfu serve', async (t) => {
  const fixture = makeFixture('exe-sharing-serve', settings);
  const server = await startBdfu([fixture.config], { command: [executable] });
  t.teardown(() => server.stop());
  sharingSuite(t, () => ({ baseUrl: server.url, storageDir: fixture.storageDir, secret: fixture.secret, passwordTries: 3 }));
});

t.test('the executable as a CGI script', async (t) => {
  const fixture = makeFixture('exe-sharing-cgi', settings);
  const script = installCgi(executable, fixture.dir, 'bdfu.cgi', { file: fixture.config, as: 'bdfu.cfg' });
  const host = await startCgiHost({ command: [script], scriptName: '/cgi-bin/bdfu.cgi' });
  t.teardown(async () => {
    await host.close();
    rmSync(fixture.dir, { recursive: true, force: true });
  });
  sharingSuite(t, () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret, passwordTries: 3 }));
});
