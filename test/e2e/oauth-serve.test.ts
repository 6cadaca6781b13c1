import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { cliTarget, oauthSuite } from './oauth-suite.js';

const fixture = makeFixture('oauth-serve');
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

oauthSuite(t, () => cliTarget(server.url, fixture.config, fixture.secret));
