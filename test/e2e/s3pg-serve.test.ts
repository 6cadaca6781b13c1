import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { startS3Pg } from '../helpers/s3pg.js';
import { s3pgStorage } from '../helpers/s3pg-storage.js';
import { startBdfu, type Served } from '../helpers/serve.js';
import { filesSuite } from './files-suite.js';
import { sharingSuite } from './sharing-suite.js';
import { TUS_MAX_UPLOAD_SIZE, TUS_QUOTA_BYTES, tusSuite } from './tus-suite.js';
import { uploadSuite } from './upload-suite.js';

// The upload, files, tus and sharing suites through `bdfu serve` on S3 (a private Swift with
// s3api) + PostgreSQL (a private cluster), one of each for the file; each instance (settings of
// its suite) on a bucket and database of its own.
const env = await startS3Pg(t);
const servers: Served[] = [];

async function instance(name: string, extra: Record<string, string | number> = {}) {
  const storage = await s3pgStorage(t, env, name);
  const fixture = makeFixture(`s3pg-${name}`, { ...storage.settings, ...extra });
  const server = await startBdfu([fixture.config]);
  t.teardown(() => server.stop());
  servers.push(server);
  return { baseUrl: server.url, storageDir: fixture.storageDir, secret: fixture.secret, stored: storage.stored };
}

const main = await instance('serve');
uploadSuite(t, () => main);
filesSuite(t, () => main);

const tus = await instance('tus', { MAX_UPLOAD_SIZE: TUS_MAX_UPLOAD_SIZE, QUOTA_BYTES: TUS_QUOTA_BYTES });
tusSuite(t, () => tus);

const sharing = await instance('sharing', { SHARE_PASSWORD_TRIES: 3, RETENTION_DAYS_MAX: 30, RETENTION_DAYS_DEFAULT: 7 });
sharingSuite(t, () => ({ ...sharing, passwordTries: 3 }));

t.test('the servers wrote every audit line and logged no failure', async (t) => {
  for (const server of servers) t.notMatch(server.output(), /cannot write the audit trail|PostgreSQL .* failed|S3 .* failed|\n    at /, server.output());
});
