// tus through Apache as a reverse proxy (the shipped apache/bdfu-proxy.conf) in front of
// `bdfu serve`: PATCH and the tus headers pass, and the upload URLs bdfu makes are Apache's
// (X-Forwarded-* from a trusted proxy).
import { appendFileSync } from 'node:fs';
import t from 'tap';
import { tusSuite, TUS_MAX_UPLOAD_SIZE, TUS_QUOTA_BYTES } from '../e2e/tus-suite.js';
import { startApache } from '../helpers/apache.js';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { includeSnippet } from './cgi-suite.js';

const fixture = makeFixture('apache-tus-proxy', { BASE_PATH: '/files/', MAX_UPLOAD_SIZE: TUS_MAX_UPLOAD_SIZE, QUOTA_BYTES: TUS_QUOTA_BYTES });
appendFileSync(fixture.config, "TRUSTED_PROXIES = ['127.0.0.1', '::1']\n");
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

const apache = await startApache(t, {
  mpm: 'event',
  modules: ['proxy', 'proxy_http'],
  config: () => includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/files', BDFU_BACKEND: new URL(server.url).origin }),
});

tusSuite(t, () => ({ baseUrl: `${apache.origin}/files/`, storageDir: fixture.storageDir, secret: fixture.secret, apache: 'proxy' }));
