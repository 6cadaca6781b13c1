import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { TUS_MAX_UPLOAD_SIZE, TUS_QUOTA_BYTES, tusSuite } from './tus-suite.js';

const fixture = makeFixture('tus-node', { MAX_UPLOAD_SIZE: TUS_MAX_UPLOAD_SIZE, QUOTA_BYTES: TUS_QUOTA_BYTES });
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

tusSuite(t, () => ({ baseUrl: server.url, storageDir: fixture.storageDir, secret: fixture.secret }));
