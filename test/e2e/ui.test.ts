import t from 'tap';
import { launchChromium } from '../helpers/browser.js';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { startBdfu } from '../helpers/serve.js';
import { uiSuite } from './ui-suite.js';

// The web page in Debian's chromium, once per way of hosting it: at the root of `bdfu serve`,
// under a BASE_PATH, and as a CGI script under /cgi-bin/bdfu.
const browser = await launchChromium();
t.teardown(() => browser.close());

const root = makeFixture('ui-root');
const rootServer = await startBdfu([root.config]);
t.teardown(() => rootServer.stop());

const sub = makeFixture('ui-sub', { BASE_PATH: '/some/sub/path/' });
const subServer = await startBdfu([sub.config]);
t.teardown(() => subServer.stop());

const cgi = makeFixture('ui-cgi');
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: cgi.config } });
t.teardown(() => host.close());

t.ok(subServer.url.endsWith('/some/sub/path/'), subServer.url);
uiSuite(t, () => browser.context, () => ({ baseUrl: rootServer.url, secret: root.secret, config: root.config, mode: 'serve' }));
uiSuite(t, () => browser.context, () => ({ baseUrl: subServer.url, secret: sub.secret, mode: 'base-path' }));
uiSuite(t, () => browser.context, () => ({ baseUrl: host.url, secret: cgi.secret, config: cgi.config, mode: 'cgi' }));
