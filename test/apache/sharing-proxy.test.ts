// Public files, share links and file requests through Apache as a reverse proxy (the shipped
// apache/bdfu-proxy.conf) in front of `bdfu serve`: the links bdfu hands out are Apache's URLs
// (X-Forwarded-* from a trusted proxy), and the password throttle counts the client's address.
import { appendFileSync } from 'node:fs';
import t from 'tap';
import { sharingSuite } from '../e2e/sharing-suite.js';
import { startApache } from '../helpers/apache.js';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { includeSnippet } from './cgi-suite.js';

const fixture = makeFixture('apache-sharing-proxy', { BASE_PATH: '/files/', SHARE_PASSWORD_TRIES: 3, RETENTION_DAYS_MAX: 30, RETENTION_DAYS_DEFAULT: 7 });
appendFileSync(fixture.config, "TRUSTED_PROXIES = ['127.0.0.1', '::1']\n");
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

const apache = await startApache(t, {
  mpm: 'event',
  modules: ['proxy', 'proxy_http'],
  config: () => includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/files', BDFU_BACKEND: new URL(server.url).origin }),
});

sharingSuite(t, () => ({ baseUrl: `${apache.origin}/files/`, storageDir: fixture.storageDir, secret: fixture.secret, passwordTries: 3 }));
