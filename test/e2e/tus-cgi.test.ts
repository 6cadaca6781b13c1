import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { TUS_MAX_UPLOAD_SIZE, TUS_QUOTA_BYTES, tusSuite } from './tus-suite.js';

const fixture = makeFixture('tus-cgi', { MAX_UPLOAD_SIZE: TUS_MAX_UPLOAD_SIZE, QUOTA_BYTES: TUS_QUOTA_BYTES });
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
t.teardown(() => host.close());

// Each request its own process: offsets, partial bytes and the writer's lock live on the disk.
tusSuite(t, () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret }));
