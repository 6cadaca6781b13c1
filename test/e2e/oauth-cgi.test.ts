import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { cliTarget, oauthSuite } from './oauth-suite.js';

// Each request its own CGI process: approvals, codes and throttling counts live on the disk.
const fixture = makeFixture('oauth-cgi');
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
t.teardown(() => host.close());

oauthSuite(t, () => cliTarget(host.url, fixture.config, fixture.secret));
