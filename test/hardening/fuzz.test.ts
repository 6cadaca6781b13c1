import { PassThrough } from 'node:stream';
import t from 'tap';
import { cgiHeaders, cgiRequest, type CgiEnv } from '../../src/adapters/cgi.js';
import { CfgSyntaxError, parseCfg } from '../../src/config/cfg-parser.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load.js';
import { HttpError } from '../../src/core/http-error.js';
import { createRouter } from '../../src/core/router.js';
import type { RouteDeps } from '../../src/routes/deps.js';
import { routeTable } from '../../src/routes/table.js';

/**
 * Random inputs for a bounded time: the parsers may only ever throw their own error types.
 * BDFU_FUZZ_SEED replays a run; BDFU_FUZZ_MS sets how long each target runs (2 s by default).
 */
const SEED = Number(process.env.BDFU_FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);
const BUDGET_MS = Number(process.env.BDFU_FUZZ_MS) || 2000;

/** mulberry32: small, fast, seedable. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const PIECES = [
    "'", '"', '\\', '[', ']', '(', ')', ',', '=', '==', '#', ' ', '\t', '\n', '\r\n', '\r', 'True', 'False', 'None', '0x', '0o', '0b',
    '_', '-', '+', '.', 'e', 'E', '9', '0', '1e999', 'r', 'b', 'u', 'JWT_SECRET_KEY', 'STORAGE_DIR', 'PORT', '%', '%2e', '%2f', '%00',
    '%zz', '..', '/', '\u0000', '\u00e9', '\ud800', '\uffff', '\u{1f600}', 'Bearer ', 'x'.repeat(50), '[[[[[[[[', '\\x4', '\\x41', '\ufeff',
    'multipart/form-data; boundary=', '-1', '99999999999999999999', ' ', ':',
  ];
  const text = (max = 40) => Array.from({ length: int(max) }, () => (next() < 0.7 ? pick(PIECES) : String.fromCharCode(int(0x3000)))).join('');
  return { next, int, pick, text };
}

function fuzz(t: typeof import('tap').default, name: string, body: (r: ReturnType<typeof prng>) => void, allowed: (error: unknown) => boolean) {
  t.test(name, async (t) => {
    const random = prng(SEED);
    const end = Date.now() + BUDGET_MS;
    let runs = 0;
    let failure: unknown;
    while (Date.now() < end && failure === undefined) {
      for (let i = 0; i < 50; i++, runs++) {
        try {
          body(random);
        } catch (error) {
          if (!allowed(error)) {
            failure = error;
            break;
          }
        }
      }
    }
    t.equal(failure, undefined, `${runs} inputs; seed ${SEED} (replay: BDFU_FUZZ_SEED=${SEED}): ${failure instanceof Error ? failure.stack : String(failure)}`);
    t.ok(runs > 100, `${runs} random inputs tried`);
  });
}

const route = createRouter(routeTable({} as RouteDeps));
const CGI_KEYS = ['REQUEST_METHOD', 'CONTENT_LENGTH', 'CONTENT_TYPE', 'PATH_INFO', 'QUERY_STRING', 'SCRIPT_NAME', 'SERVER_NAME', 'SERVER_PORT',
  'HTTPS', 'REQUEST_SCHEME', 'HTTP_HOST', 'HTTP_AUTHORIZATION', 'REDIRECT_HTTP_AUTHORIZATION', 'HTTP_PROXY', 'REMOTE_ADDR', 'HTTP_X_', 'HTTP_'];

fuzz(t, 'the CGI request parser (cgiRequest, cgiHeaders, then routing)', (r) => {
  const env: CgiEnv = {};
  for (let i = r.int(12); i > 0; i--) {
    const key = r.pick(CGI_KEYS);
    env[key.endsWith('_') ? key + r.text(6).toUpperCase() : key] = r.next() < 0.1 ? '' : r.text();
  }
  if (r.next() < 0.5) env.REQUEST_METHOD = r.pick(['POST', 'GET', 'HEAD', 'post', r.text(5)]);
  if (r.next() < 0.5) env.CONTENT_LENGTH = String(r.pick([r.int(1000), -r.int(10), r.text(5), 1e21]));
  if (r.next() < 0.5) env.PATH_INFO = r.pick(['/upload', '/', '']) + r.text(10);
  cgiHeaders(env);
  const stdin = new PassThrough();
  stdin.end(Buffer.from(r.text(20)));
  const request = cgiRequest(env, stdin);
  request.body.resume();
  route(request.method, request.path);
}, (error) => error instanceof HttpError && error.status >= 400 && error.status < 500);

fuzz(t, 'the configuration parser (parseCfg)', (r) => {
  const lines = Array.from({ length: 1 + r.int(5) }, () => (r.next() < 0.6 ? `${r.pick(['JWT_SECRET_KEY', 'PORT', 'X', '_a'])} = ${r.text(30)}` : r.text(40)));
  parseCfg(lines.join(r.pick(['\n', '\r\n'])), 'fuzz.cfg');
}, (error) => error instanceof CfgSyntaxError);

fuzz(t, 'the settings loader (environment values of every setting)', (r) => {
  const env: NodeJS.ProcessEnv = { BDFU_JWT_SECRET_KEY: 'a-long-enough-secret-for-fuzzing', BDFU_STORAGE_DIR: '/tmp/bdfu-fuzz-storage' };
  for (const key of ['PORT', 'CLOCK_SKEW_SECONDS', 'MAX_UPLOAD_SIZE', 'QUOTA_BYTES', 'JWT_PREVIOUS_SECRETS', 'JWT_PUBLIC_KEYS', 'BASE_PATH', 'HEADERS_TIMEOUT_SECONDS', 'MAX_CONNECTIONS']) {
    if (r.next() < 0.4) env[`BDFU_${key}`] = r.text(12);
  }
  loadConfig({ env });
}, (error) => error instanceof ConfigError);
