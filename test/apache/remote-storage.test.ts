// remoteStorage through Apache: discovery (WebFinger at the host's root, routed by the shipped
// lines), the OAuth dialog and the storage API, with bdfu as a CGI script (apache/bdfu-cgi.conf;
// shared hosting's .htaccess pair) and behind the reverse proxy (apache/bdfu-proxy.conf).
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cliTarget, oauthSuite } from '../e2e/oauth-suite.js';
import { remoteStorageSuite } from '../e2e/remote-storage-suite.js';
import { reachableTempDir, startApache } from '../helpers/apache.js';
import { http } from '../helpers/http.js';
import { APACHE_DIR } from '../helpers/paths.js';
import { behindProxy } from './behind-proxy.js';
import { bdfuAsWebUser, cgiScript, hostingDir, includeSnippet, scriptHome, webFixture } from './cgi-suite.js';

const work = reachableTempDir('bdfu-apache-rs-');

t.test('CGI (apache/bdfu-cgi.conf at /files)', async (t) => {
  const fixture = webFixture('apache-rs-cgi', { MAX_UPLOAD_SIZE: 1 << 20 });
  const config = includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'cgi'), BDFU_CONFIG: fixture.config, BDFU_URL: '/files' });
  const apache = await startApache(t, { mpm: 'event', config: () => config });
  const baseUrl = `${apache.origin}/files/`;
  oauthSuite(t, () => ({ ...cliTarget(baseUrl, fixture.config, fixture.secret, bdfuAsWebUser), webfinger: `${apache.origin}/.well-known/webfinger` }));
  remoteStorageSuite(t, () => ({ baseUrl, secret: fixture.secret, maxBytes: 1 << 20, cgi: true, headWithoutLength: true, apacheFront: true }));
});

t.test('CGI with the rewrite rule for Authorization (apache/bdfu-cgi-rewrite.conf): WebFinger at the root', async (t) => {
  const fixture = webFixture('apache-rs-rewrite');
  const config = includeSnippet('bdfu-cgi-rewrite.conf', { BDFU_HOME: scriptHome(work, 'rewrite'), BDFU_CONFIG: fixture.config, BDFU_URL: '/rewritten' });
  const apache = await startApache(t, { mpm: 'event', config: () => config });
  const found = await http(`${apache.origin}/.well-known/webfinger?resource=acct:ida@example.org`);
  t.equal(found.status, 200, found.text);
  t.equal(found.json.links[0].href, `${apache.origin}/rewritten/storage/ida`, "the storage root under bdfu's mount, not the host's root");
});

t.test("shared hosting: apache/.htaccess beside bdfu.cgi, apache/root.htaccess in the web root", async (t) => {
  const fixture = webFixture('apache-rs-htaccess', { MAX_UPLOAD_SIZE: 1 << 20 });
  const docroot = join(work, 'htdocs');
  hostingDir(join(docroot, 'files'), cgiScript(), fixture.config);
  copyFileSync(join(APACHE_DIR, 'root.htaccess'), join(docroot, '.htaccess'));
  mkdirSync(join(docroot, 'other'));
  const apache = await startApache(t, {
    mpm: 'event',
    documentRoot: docroot,
    config: () => `<Directory ${docroot}>\n    AllowOverride FileInfo AuthConfig Options=ExecCGI\n    Require all granted\n</Directory>\n`,
  });
  const baseUrl = `${apache.origin}/files/`;
  const found = await http(`${apache.origin}/.well-known/webfinger?resource=acct:ida@example.org`);
  t.equal(found.json.links[0].href, `${apache.origin}/files/bdfu.cgi/storage/ida`, 'the storage root is under the script (SCRIPT_NAME), which works as well as the pretty URL');
  oauthSuite(t, () => ({
    ...cliTarget(baseUrl, fixture.config, fixture.secret, bdfuAsWebUser),
    webfinger: `${apache.origin}/.well-known/webfinger`,
    discoveredBase: `${apache.origin}/files/bdfu.cgi/`,
  }));
});

t.test('reverse proxy (apache/bdfu-proxy.conf) in front of bdfu serve', async (t) => {
  const { baseUrl, fixture, origin } = await behindProxy(t, 'apache-rs-proxy', { MAX_UPLOAD_SIZE: 1 << 20 });
  oauthSuite(t, () => ({ ...cliTarget(baseUrl, fixture.config, fixture.secret), webfinger: `${origin}/.well-known/webfinger` }));
  remoteStorageSuite(t, () => ({ baseUrl, secret: fixture.secret, maxBytes: 1 << 20, apacheFront: true }));
});
