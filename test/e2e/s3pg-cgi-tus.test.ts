import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { startS3Pg } from '../helpers/s3pg.js';
import { s3pgStorage } from '../helpers/s3pg-storage.js';
import { TUS_MAX_UPLOAD_SIZE, TUS_QUOTA_BYTES, tusSuite } from './tus-suite.js';

// The tus suite through the CGI adapter on S3 + PostgreSQL: each request its own process, so
// offsets, staged chunks and the writer's lock live in PostgreSQL and the bucket.
const env = await startS3Pg(t);
const storage = await s3pgStorage(t, env, 'cgi-tus');
const fixture = makeFixture('s3pg-cgi-tus', { ...storage.settings, MAX_UPLOAD_SIZE: TUS_MAX_UPLOAD_SIZE, QUOTA_BYTES: TUS_QUOTA_BYTES });
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
t.teardown(() => host.close());

tusSuite(t, () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret, stored: storage.stored }));
