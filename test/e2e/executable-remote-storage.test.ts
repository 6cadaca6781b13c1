// remoteStorage through the single executable, as `bdfu serve` and dropped into cgi-bin/ as a CGI
// script: discovery, the OAuth dialog (accounts and history through its own `bdfu`) and the storage API.
import t from 'tap';
import { ensureExecutable, executableCgiHost, executableCli } from '../helpers/executable.js';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { cliTarget, oauthSuite } from './oauth-suite.js';
import { remoteStorageSuite } from './remote-storage-suite.js';

const executable = await ensureExecutable();
const cli = executableCli(executable);

t.test('the executable as bdfu serve', async (t) => {
  const fixture = makeFixture('exe-rs-serve', { MAX_UPLOAD_SIZE: 1 << 20 });
  const server = await startBdfu([fixture.config], { command: [executable] });
  t.teardown(() => server.stop());
  oauthSuite(t, () => cliTarget(server.url, fixture.config, fixture.secret, cli));
  remoteStorageSuite(t, () => ({ baseUrl: server.url, secret: fixture.secret, maxBytes: 1 << 20 }));
});

t.test('the executable as a CGI script', async (t) => {
  const fixture = makeFixture('exe-rs-cgi', { MAX_UPLOAD_SIZE: 1 << 20 });
  const host = await executableCgiHost(t, executable, fixture);
  oauthSuite(t, () => cliTarget(host.url, fixture.config, fixture.secret, cli));
  remoteStorageSuite(t, () => ({ baseUrl: host.url, secret: fixture.secret, maxBytes: 1 << 20, cgi: true }));
});
