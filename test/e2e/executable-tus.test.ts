// tus through the single executable: as `bdfu serve`, and dropped into cgi-bin/ as bdfu.cgi
// (each request a new process of it); its own `bdfu upload` does the CLI steps.
import t from 'tap';
import { ensureExecutable, executableCgiHost, executableCli } from '../helpers/executable.js';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { TUS_MAX_UPLOAD_SIZE, TUS_QUOTA_BYTES, tusSuite } from './tus-suite.js';

const executable = await ensureExecutable();
const cli = executableCli(executable);
const limits = { MAX_UPLOAD_SIZE: TUS_MAX_UPLOAD_SIZE, QUOTA_BYTES: TUS_QUOTA_BYTES };

t.test('the executable as bdfu serve', async (t) => {
  const fixture = makeFixture('exe-tus-serve', limits);
  const server = await startBdfu([fixture.config], { command: [executable] });
  t.teardown(() => server.stop());
  tusSuite(t, () => ({ baseUrl: server.url, storageDir: fixture.storageDir, secret: fixture.secret, cli }));
});

t.test('the executable as a CGI script', async (t) => {
  const fixture = makeFixture('exe-tus-cgi', limits);
  const host = await executableCgiHost(t, executable, fixture);
  tusSuite(t, () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret, cli }));
});
