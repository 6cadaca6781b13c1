#!/usr/bin/env node
// Part of `npm run build`, after tsc: dist/cgi/bdfu.cjs, the CGI start (src/adapters/cgi-bundle.ts)
// bundled with busboy and jose into one CommonJS file, and dist/cgi/bdfu.cjs.cache, V8's code
// cache for it, made by running one 1 KiB upload through cgi-bin/bdfu into a scratch storage.
// cgi-bin/bdfu runs them through dist/adapters/cgi-load.cjs (see there).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist/cgi/bdfu.cjs');
const CACHE = `${OUT}.cache`;

await build({
  entryPoints: [join(ROOT, 'src/adapters/cgi-bundle.ts')],
  absWorkingDir: ROOT,
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Half the bytes to read; names stay, so stack traces in the web server's error log still read.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'inline',
  logLevel: 'warning',
});

/** One upload through cgi-bin/bdfu with the write-the-cache variable set: the cache then holds what an upload compiles. */
function makeCodeCache() {
  const work = mkdtempSync(join(tmpdir(), 'bdfu-cgi-cache-'));
  try {
    const secret = randomBytes(24).toString('hex');
    const config = join(work, 'bdfu.cfg');
    mkdirSync(join(work, 'storage'));
    writeFileSync(config, `JWT_SECRET_KEY = '${secret}'\nSTORAGE_DIR = '${join(work, 'storage')}'\n`);
    const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, LANG: 'C.UTF-8' };
    const token = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'gen-token', 'build', secret, '--expires-in', '600'], { env, encoding: 'utf8' });
    if (token.status !== 0) throw new Error(`gen-token: ${token.stderr}`);
    const boundary = `------------------------${randomBytes(8).toString('hex')}`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cache.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      randomBytes(1024),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const ran = spawnSync(process.execPath, [join(ROOT, 'cgi-bin/bdfu')], {
      input: body,
      encoding: 'utf8',
      env: {
        ...env, GATEWAY_INTERFACE: 'CGI/1.1', SERVER_PROTOCOL: 'HTTP/1.1', REQUEST_METHOD: 'POST', SCRIPT_NAME: '/cgi-bin/bdfu',
        PATH_INFO: '/upload', SERVER_NAME: '127.0.0.1', SERVER_PORT: '80', REMOTE_ADDR: '127.0.0.1', HTTP_HOST: '127.0.0.1',
        CONTENT_TYPE: `multipart/form-data; boundary=${boundary}`, CONTENT_LENGTH: String(body.length),
        HTTP_AUTHORIZATION: `Bearer ${token.stdout.trim()}`, BDFU_SETTINGS: config, BDFU_CGI_CODE_CACHE_OUT: CACHE,
      },
    });
    if (!ran.stdout.startsWith('Status: 201')) throw new Error(`the upload that makes the code cache failed:\n${ran.stdout}${ran.stderr}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

rmSync(CACHE, { force: true });
makeCodeCache();
