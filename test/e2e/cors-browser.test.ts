/// <reference lib="dom" />
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { launchChromium } from '../helpers/browser.js';
import { makeFixture } from '../helpers/fixture.js';
import { http } from '../helpers/http.js';
import { ROOT } from '../helpers/paths.js';
import { startBdfu } from '../helpers/serve.js';
import { scopedToken } from '../helpers/tokens.js';

// A browser app on another origin (a page on a second loopback port) uploading to bdfu with tus
// and with multipart, and downloading, through CORS_ORIGINS; a third origin is not allowed.
const TUS_BUNDLE = readFileSync(join(ROOT, 'node_modules/tus-js-client/dist/tus.min.js'));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function pageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url === '/tus.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(TUS_BUNDLE);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title><script src="/tus.js"></script><p>another origin</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

const app = await pageServer();
t.teardown(() => app.close());
const stranger = await pageServer();
t.teardown(() => stranger.close());

const fixture = makeFixture('cors', { CORS_ORIGINS: [app.origin] });
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());
const browser = await launchChromium();
t.teardown(() => browser.close());

t.test('preflights are answered without a token, for allowed origins only', async (t) => {
  const preflight = (origin: string) => http(`${server.url}tus/`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, tus-resumable, upload-length, upload-metadata' },
  });
  const ok = await preflight(app.origin);
  t.equal(ok.status, 204);
  t.equal(ok.headers['access-control-allow-origin'], app.origin);
  t.match(ok.headers['access-control-allow-headers'], /Authorization/);
  t.match(ok.headers['access-control-allow-headers'], /Upload-Offset/);
  t.match(ok.headers['access-control-allow-methods'], /PATCH/);
  t.notOk(ok.headers['access-control-allow-credentials'], 'never credentials');
  t.match(ok.headers.vary, /Origin/);
  const no = await preflight(stranger.origin);
  t.notOk(no.headers['access-control-allow-origin'], 'another origin is not allowed');
  const plain = await http(`${server.url}tus/`, { method: 'OPTIONS' });
  t.equal(plain.headers['tus-version'], '1.0.0', 'an OPTIONS without Origin is the tus discovery');
});

t.test('from another origin: tus (chunks), multipart, download', async (t) => {
  const page = await browser.context.newPage();
  t.teardown(() => page.close());
  await page.goto(`${app.origin}/`);
  const token = await scopedToken('corsy', fixture.secret, 'upload read');
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const result = await page.evaluate(async ({ endpoint, token, bytes }) => {
    const body = new Uint8Array(bytes);
    const tus = (window as unknown as { tus: any }).tus;
    const viaTus = await new Promise<{ url: string; location: string | null; offset: string | null; record: string }>((resolve, reject) => {
      const upload = new tus.Upload(new Blob([body]), {
        endpoint: `${endpoint}tus/`,
        chunkSize: 1024 * 1024,
        headers: { authorization: `Bearer ${token}` },
        metadata: { filename: 'cross.bin', filetype: 'application/octet-stream' },
        retryDelays: null,
        onSuccess: ({ lastResponse }: any) => resolve({
          url: upload.url,
          location: lastResponse.getHeader('upload-file-location'),
          offset: lastResponse.getHeader('upload-offset'),
          record: lastResponse.getBody(),
        }),
        onError: (error: Error) => reject(error),
      });
      upload.start();
    });
    const form = new FormData();
    form.append('file', new Blob([body]), 'form.bin');
    const multipart = await fetch(`${endpoint}upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    const download = await fetch(viaTus.location!, { headers: { authorization: `Bearer ${token}` } });
    const got = new Uint8Array(await download.arrayBuffer());
    const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', got)), (b) => b.toString(16).padStart(2, '0')).join('');
    return { viaTus, multipart: { status: multipart.status, body: await multipart.json() }, download: { status: download.status, digest, etag: download.headers.get('etag') } };
  }, { endpoint: server.url, token, bytes: [...data] });
  t.match(result.viaTus.url, new RegExp(`^${server.url}tus/[0-9a-f]{32}$`));
  t.equal(result.viaTus.location, `${server.url}files/corsy/${result.viaTus.url.split('/').pop()}`, 'Upload-File-Location is readable (exposed)');
  t.equal(result.viaTus.offset, String(data.length), 'Upload-Offset is readable (exposed)');
  t.equal(JSON.parse(result.viaTus.record).sha256, sha256(data));
  t.equal(result.multipart.status, 201, 'multipart through CORS');
  t.equal(result.multipart.body.sha256, sha256(data));
  t.equal(result.download.status, 200, 'download through CORS');
  t.equal(result.download.digest, sha256(data), 'the bytes arrived');
  t.ok(result.download.etag, 'ETag is readable (exposed)');
  t.same(readFileSync(join(fixture.storageDir, 'corsy', result.multipart.body.id)), data);
});

t.test('an origin not in CORS_ORIGINS is refused by the browser', async (t) => {
  const page = await browser.context.newPage();
  t.teardown(() => page.close());
  await page.goto(`${stranger.origin}/`);
  const token = await scopedToken('stranger', fixture.secret, 'upload read');
  const outcome = await page.evaluate(async ({ endpoint, token }) => {
    try {
      const res = await fetch(`${endpoint}tus/`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': '5' } });
      return `answered ${res.status}`;
    } catch (error) {
      return `failed: ${(error as Error).name}`;
    }
  }, { endpoint: server.url, token });
  t.equal(outcome, 'failed: TypeError', 'the preflight fails, the request is never sent');
});
