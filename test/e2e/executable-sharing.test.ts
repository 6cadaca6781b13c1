// Public files, share links and file requests through the single executable: as `bdfu serve`,
// and dropped into cgi-bin/ as bdfu.cgi (each request a new process of it).
import t from 'tap';
import { ensureExecutable, executableCgiHost } from '../helpers/executable.js';
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
  const host = await executableCgiHost(t, executable, fixture);
  sharingSuite(t, () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret, passwordTries: 3 }));
});
