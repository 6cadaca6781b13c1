import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { bdfu } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { cliTarget, oauthSuite } from './oauth-suite.js';

const fixture = makeFixture('oauth-serve');
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

oauthSuite(t, () => cliTarget(server.url, fixture.config, fixture.secret));

t.test('the dialog, the token endpoint and revocations are audit lines', async (t) => {
  const logs = await bdfu(['logs', fixture.config, '--json']);
  const entries = logs.stdout.trim().split('\n').map((line) => JSON.parse(line));
  const of = (action: string) => entries.filter((e) => e.action === action);
  t.ok(of('app-allow').some((e) => e.outcome === 'ok' && e.user && e.name === 'https://notes.example'), 'app-allow: who allowed which app');
  t.ok(of('app-deny').some((e) => e.outcome === 'ok' && e.name === 'https://notes.example'), 'app-deny');
  t.ok(of('oauth-token').some((e) => e.outcome === 'ok'), 'oauth-token: a code exchanged');
  t.ok(of('app-revoke').some((e) => e.outcome === 'ok' && e.id), 'app-revoke, with the approval id');
  t.ok(of('oauth-dialog').some((e) => e.outcome === 'refused' && e.owner && e.name === 'https://notes.example' && !e.user), 'a wrong password: refused, no user');
  t.notOk(logs.stdout.includes('correct horse battery'), 'never a password');
});
