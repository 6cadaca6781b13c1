import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { sharingSuite } from './sharing-suite.js';

const fixture = makeFixture('sharing-serve', { SHARE_PASSWORD_TRIES: 3, RETENTION_DAYS_MAX: 30, RETENTION_DAYS_DEFAULT: 7 });
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

sharingSuite(t, () => ({ baseUrl: server.url, storageDir: fixture.storageDir, secret: fixture.secret, passwordTries: 3 }));
