import { appendFileSync } from 'node:fs';
import type { Test } from 'tap';
import { startApache } from '../helpers/apache.js';
import { makeFixture, type Fixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { includeSnippet } from './cgi-suite.js';

/**
 * `bdfu serve` (trusting 127.0.0.1's X-Forwarded-*) behind a private Apache that includes the
 * shipped apache/bdfu-proxy.conf at /files: returns the endpoint through Apache and the fixture.
 */
export async function behindProxy(t: Test, name: string, settings: Record<string, string | number>): Promise<{ baseUrl: string; fixture: Fixture; origin: string }> {
  const fixture = makeFixture(name, { BASE_PATH: '/files/', ...settings });
  appendFileSync(fixture.config, "TRUSTED_PROXIES = ['127.0.0.1', '::1']\n");
  const server = await startBdfu([fixture.config]);
  t.teardown(() => server.stop());
  const apache = await startApache(t, {
    mpm: 'event',
    modules: ['proxy', 'proxy_http'],
    config: () => includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/files', BDFU_BACKEND: new URL(server.url).origin }),
  });
  return { baseUrl: `${apache.origin}/files/`, fixture, origin: apache.origin };
}
