import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { startS3Pg } from '../helpers/s3pg.js';
import { s3pgStorage } from '../helpers/s3pg-storage.js';
import { sharingSuite } from './sharing-suite.js';

// The sharing suite (public files, share links, file requests) through the CGI adapter on S3 + PostgreSQL.
const env = await startS3Pg(t);
const storage = await s3pgStorage(t, env, 'cgi-sharing');
const fixture = makeFixture('s3pg-cgi-sharing', { ...storage.settings, SHARE_PASSWORD_TRIES: 3, RETENTION_DAYS_MAX: 30, RETENTION_DAYS_DEFAULT: 7 });
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
t.teardown(() => host.close());

sharingSuite(t, () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret, stored: storage.stored, passwordTries: 3 }));
