// Public files, share links and file requests through a real Apache running cgi-bin/bdfu (event
// MPM, mod_cgid, the shipped apache/bdfu-cgi.conf): the link pages, password forms and one-time
// links as a shared host serves them.
import t from 'tap';
import { sharingSuite } from '../e2e/sharing-suite.js';
import { reachableTempDir, startApache } from '../helpers/apache.js';
import { includeSnippet, scriptHome, webFixture } from './cgi-suite.js';

const work = reachableTempDir('bdfu-apache-sharing-');
const fixture = webFixture('apache-sharing-cgi', { SHARE_PASSWORD_TRIES: 3, RETENTION_DAYS_MAX: 30, RETENTION_DAYS_DEFAULT: 7 });
const config = includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'sharing'), BDFU_CONFIG: fixture.config, BDFU_URL: '/files' });
const apache = await startApache(t, { mpm: 'event', config: () => config });

sharingSuite(t, () => ({ baseUrl: `${apache.origin}/files/`, storageDir: fixture.storageDir, secret: fixture.secret, passwordTries: 3 }));
