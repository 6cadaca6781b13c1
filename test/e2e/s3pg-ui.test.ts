import t from 'tap';
import { launchChromium } from '../helpers/browser.js';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { startS3Pg } from '../helpers/s3pg.js';
import { s3pgStorage } from '../helpers/s3pg-storage.js';
import { startBdfu } from '../helpers/serve.js';
import { uiSuite } from './ui-suite.js';

// The web page in Debian's chromium, served by `bdfu serve` and as a CGI script, on S3 (a private
// Swift with s3api) + PostgreSQL (a private cluster): uploads, listing, downloads, sharing and
// the audit trail. Each on a bucket and database of its own.
const env = await startS3Pg(t);
const storage = await s3pgStorage(t, env, 'ui');
const fixture = makeFixture('s3pg-ui', storage.settings);
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());
const cgiStorage = await s3pgStorage(t, env, 'ui-cgi');
const cgi = makeFixture('s3pg-ui-cgi', cgiStorage.settings);
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: cgi.config } });
t.teardown(() => host.close());
const browser = await launchChromium();
t.teardown(() => browser.close());

uiSuite(t, () => browser.context, () => ({ baseUrl: server.url, secret: fixture.secret, config: fixture.config, mode: 's3pg-serve' }));
uiSuite(t, () => browser.context, () => ({ baseUrl: host.url, secret: cgi.secret, mode: 's3pg-cgi' }));
