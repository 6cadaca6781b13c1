import t from 'tap';
import { launchChromium } from '../helpers/browser.js';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { startS3Pg } from '../helpers/s3pg.js';
import { s3pgStorage } from '../helpers/s3pg-storage.js';
import { startBdfu } from '../helpers/serve.js';
import { uiSuite } from './ui-suite.js';

// The web page in Debian's chromium on S3 (a private Swift with s3api) + PostgreSQL, through
// `bdfu serve` and as a CGI script, each on a bucket and database of its own.
const browser = await launchChromium();
t.teardown(() => browser.close());
const env = await startS3Pg(t);

const served = makeFixture('s3pg-ui-serve', (await s3pgStorage(t, env, 'ui-serve')).settings);
const server = await startBdfu([served.config]);
t.teardown(() => server.stop());

const cgi = makeFixture('s3pg-ui-cgi', (await s3pgStorage(t, env, 'ui-cgi')).settings);
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: cgi.config } });
t.teardown(() => host.close());

uiSuite(t, () => browser.context, () => ({ baseUrl: server.url, secret: served.secret, mode: 's3pg-serve' }));
uiSuite(t, () => browser.context, () => ({ baseUrl: host.url, secret: cgi.secret, mode: 's3pg-cgi' }));
