import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { filesSuite } from './files-suite.js';
import { uploadSuite } from './upload-suite.js';

const fixture = makeFixture('cgi');
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
t.teardown(() => host.close());

uploadSuite(t, () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret }));
filesSuite(t, () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret }));
