import t from 'tap';
import { startBdfu } from '../helpers/serve.js';
import { makeFixture } from '../helpers/fixture.js';
import { filesSuite } from './files-suite.js';
import { uploadSuite } from './upload-suite.js';

const fixture = makeFixture('node');
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

uploadSuite(t, () => ({ baseUrl: server.url, storageDir: fixture.storageDir, secret: fixture.secret }));
filesSuite(t, () => ({ baseUrl: server.url, storageDir: fixture.storageDir, secret: fixture.secret }));
