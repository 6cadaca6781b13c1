// The web page in Debian's chromium through Apache: under the shipped .htaccess (CGI, pretty
// URLs, event + mod_cgid) and through the reverse proxy to bdfu serve.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { uiSuite } from '../e2e/ui-suite.js';
import { reachableTempDir, startApache } from '../helpers/apache.js';
import { launchChromium } from '../helpers/browser.js';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { cgiScript, hostingDir, includeSnippet, webFixture } from './cgi-suite.js';

const browser = await launchChromium();
t.teardown(() => browser.close());

const cgi = webFixture('apache-ui-cgi');
const docroot = join(reachableTempDir('bdfu-apache-ui-'), 'htdocs');
mkdirSync(docroot);
hostingDir(join(docroot, 'files'), cgiScript(), cgi.config);

const proxied = makeFixture('apache-ui-proxy', { BASE_PATH: '/proxied/' });
appendFileSync(proxied.config, "TRUSTED_PROXIES = ['127.0.0.1']\n");
const server = await startBdfu([proxied.config]);
t.teardown(() => server.stop());

const apache = await startApache(t, {
  mpm: 'event',
  modules: ['proxy', 'proxy_http'],
  documentRoot: docroot,
  config: () => [
    `<Directory ${docroot}>\n    AllowOverride FileInfo AuthConfig Options=ExecCGI\n    Require all granted\n</Directory>`,
    includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/proxied', BDFU_BACKEND: new URL(server.url).origin }),
  ].join('\n'),
});

uiSuite(t, () => browser.context, () => ({ baseUrl: `${apache.origin}/files/`, secret: cgi.secret, mode: 'apache-htaccess', slashRedirect: 301 }));
uiSuite(t, () => browser.context, () => ({ baseUrl: `${apache.origin}/proxied/`, secret: proxied.secret, mode: 'apache-proxy' }));
