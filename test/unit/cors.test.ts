import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { ConfigError } from '../../src/config/config-error.js';
import { parseCorsOrigins } from '../../src/config/cors-origins.js';
import { loadConfig } from '../../src/config/load.js';
import type { CoreRequest } from '../../src/core/types.js';
import { CorsPolicy } from '../../src/http/cors.js';

const dir = mkdtempSync(join(tmpdir(), 'bdfu-cors-'));
const base = { env: {}, overrides: { jwtSecretKey: 'a-long-enough-secret', storageDir: dir } };

const request = (method: string, headers: Record<string, string>): CoreRequest => ({
  method, path: '/tus/', query: new URLSearchParams(), headers, body: new PassThrough(), remoteAddress: '127.0.0.1', baseUrl: 'http://x/',
});

t.test('CORS_ORIGINS: off by default; origins or * alone; anything else stops start-up', async (t) => {
  t.same(loadConfig(base).settings.corsOrigins, []);
  t.ok(new CorsPolicy(parseCorsOrigins(['https://App.Example'])).decorate(request('GET', { origin: 'https://app.example' }), { status: 200, headers: {} }).headers['access-control-allow-origin'], 'host names compare without case');
  t.same(loadConfig({ ...base, env: { BDFU_CORS_ORIGINS: 'https://a.example, http://127.0.0.1:8081' } }).settings.corsOrigins, ['https://a.example', 'http://127.0.0.1:8081']);
  for (const [value, message] of [
    ['https://a.example/app', /not an origin/],
    ['https://a.example/', /not an origin/],
    ['a.example', /not an origin/],
    ['ftp://a.example', /not an origin/],
    ['*, https://a.example', /'\*' allows every origin/],
  ] as const) {
    t.throws(() => loadConfig({ ...base, env: { BDFU_CORS_ORIGINS: value } }), { name: ConfigError.name, message }, value);
  }
});

t.test('preflights: answered for allowed origins, without credentials; others get no allowance', async (t) => {
  const policy = new CorsPolicy(parseCorsOrigins(['https://app.example']));
  const asked = { origin: 'https://app.example', 'access-control-request-method': 'PATCH' };
  const ok = policy.preflight(request('OPTIONS', asked))!;
  t.equal(ok.status, 204);
  t.equal(ok.headers['access-control-allow-origin'], 'https://app.example');
  t.match(ok.headers['access-control-allow-headers'], /Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Offset/);
  t.equal(ok.headers['vary'], 'Origin');
  t.notOk(ok.headers['access-control-allow-credentials']);
  const other = policy.preflight(request('OPTIONS', { ...asked, origin: 'https://evil.example' }))!;
  t.notOk(other.headers['access-control-allow-origin']);
  t.equal(policy.preflight(request('OPTIONS', { origin: 'https://app.example' })), undefined, 'an OPTIONS that is no preflight goes to the route (tus discovery)');
  t.equal(new CorsPolicy(parseCorsOrigins([])).preflight(request('OPTIONS', asked)), undefined, 'off: no CORS at all');
});

t.test('answers: the origin allowed, the headers scripts may read, Vary kept', async (t) => {
  const policy = new CorsPolicy(parseCorsOrigins(['https://app.example']));
  const answer = policy.decorate(request('GET', { origin: 'https://app.example' }), { status: 200, headers: { vary: 'Accept-Encoding' } });
  t.equal(answer.headers['access-control-allow-origin'], 'https://app.example');
  for (const name of ['Location', 'Upload-Offset', 'Upload-Length', 'Tus-Resumable', 'Upload-Expires', 'ETag']) {
    t.match(answer.headers['access-control-expose-headers'], new RegExp(`\\b${name}\\b`), `${name} exposed`);
  }
  t.equal(answer.headers['vary'], 'Accept-Encoding, Origin');
  const stranger = policy.decorate(request('GET', { origin: 'https://evil.example' }), { status: 200, headers: {} });
  t.notOk(stranger.headers['access-control-allow-origin']);
  const any = new CorsPolicy(parseCorsOrigins(['*'])).decorate(request('GET', { origin: 'https://whoever.example' }), { status: 200, headers: {} });
  t.equal(any.headers['access-control-allow-origin'], '*');
  t.notOk(any.headers['access-control-allow-credentials'], 'never credentials with *');
  t.notOk(any.headers['vary'], 'the same answer for every origin');
});
