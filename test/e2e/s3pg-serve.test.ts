import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { startS3Pg } from '../helpers/s3pg.js';
import { s3pgStorage } from '../helpers/s3pg-storage.js';
import { startBdfu } from '../helpers/serve.js';
import { filesSuite } from './files-suite.js';
import { uploadSuite } from './upload-suite.js';

// The upload and files suites through `bdfu serve` on S3 (a private Swift with s3api) +
// PostgreSQL (a private cluster), one of each for the file.
const env = await startS3Pg(t);

const main = await s3pgStorage(t, env, 'serve');
const fixture = makeFixture('s3pg-serve', main.settings);
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());
const target = () => ({ baseUrl: server.url, storageDir: fixture.storageDir, secret: fixture.secret, stored: main.stored });

uploadSuite(t, target);
filesSuite(t, target);

t.test('the server wrote every audit line and logged no failure', async (t) => {
  t.notMatch(server.output(), /cannot write the audit trail|PostgreSQL .* failed|S3 .* failed|\n    at /, server.output());
});
