import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { startS3Pg } from '../helpers/s3pg.js';
import { s3pgStorage } from '../helpers/s3pg-storage.js';
import { startBdfu } from '../helpers/serve.js';
import { cliTarget, oauthSuite } from './oauth-suite.js';
import { remoteStorageSuite } from './remote-storage-suite.js';

// The remoteStorage API, discovery and the OAuth dialog on S3 + PostgreSQL, through `bdfu serve` and through CGI.
const env = await startS3Pg(t);

t.test('bdfu serve', async (t) => {
  const storage = await s3pgStorage(t, env, 'rs-serve');
  const fixture = makeFixture('s3pg-rs-serve', { ...storage.settings, MAX_UPLOAD_SIZE: 1 << 20 });
  const server = await startBdfu([fixture.config]);
  t.teardown(() => server.stop());
  remoteStorageSuite(t, () => ({ baseUrl: server.url, secret: fixture.secret, maxBytes: 1 << 20 }));
});

t.test('CGI', async (t) => {
  const storage = await s3pgStorage(t, env, 'rs-cgi');
  const fixture = makeFixture('s3pg-rs-cgi', { ...storage.settings, MAX_UPLOAD_SIZE: 1 << 20 });
  const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
  t.teardown(() => host.close());
  remoteStorageSuite(t, () => ({ baseUrl: host.url, secret: fixture.secret, maxBytes: 1 << 20, cgi: true }));
});

// Each its own database: sign-in tries from 127.0.0.1 are counted per address (20 in 15 minutes).
for (const mode of ['serve', 'cgi'] as const) {
  t.test(`discovery and the OAuth dialog, approvals in PostgreSQL: ${mode === 'serve' ? 'bdfu serve' : 'CGI'}`, async (t) => {
    const storage = await s3pgStorage(t, env, `rs-oauth-${mode}`);
    const fixture = makeFixture(`s3pg-rs-oauth-${mode}`, { ...storage.settings });
    let baseUrl: string;
    if (mode === 'serve') {
      const server = await startBdfu([fixture.config]);
      t.teardown(() => server.stop());
      baseUrl = server.url;
    } else {
      const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
      t.teardown(() => host.close());
      baseUrl = host.url;
    }
    oauthSuite(t, () => cliTarget(baseUrl, fixture.config, fixture.secret));
  });
}
