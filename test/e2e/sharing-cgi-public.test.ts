import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { sharingSuite } from './sharing-suite.js';

// One CGI process per request is slow on a busy machine: the suite is split over three files (tap runs them apart).
const fixture = makeFixture('sharing-cgi', { SHARE_PASSWORD_TRIES: 3, RETENTION_DAYS_MAX: 30, RETENTION_DAYS_DEFAULT: 7 });
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
t.teardown(() => host.close());

sharingSuite(t, () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret, passwordTries: 3 }), ['public']);
