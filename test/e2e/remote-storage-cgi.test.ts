import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { remoteStorageSuite } from './remote-storage-suite.js';

// Each request its own CGI process: preconditions, folder ETags and racing writers decided on the disk.
const fixture = makeFixture('rs-cgi', { MAX_UPLOAD_SIZE: 1 << 20 });
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
t.teardown(() => host.close());

remoteStorageSuite(t, () => ({ baseUrl: host.url, secret: fixture.secret, maxBytes: 1 << 20, cgi: true }));
