// Apache as a reverse proxy in front of `bdfu serve`, configured by the shipped apache/bdfu-proxy.conf.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { nodeListener } from '../../src/adapters/node.js';
import { loadConfig } from '../../src/config/load.js';
import { filesSuite } from '../e2e/files-suite.js';
import { uploadSuite } from '../e2e/upload-suite.js';
import { startApache } from '../helpers/apache.js';
import { makeFixture } from '../helpers/fixture.js';
import { http, uploadFile } from '../helpers/http.js';
import { originalToken } from '../helpers/original-token.js';
import { echoHandler, type Probed } from '../helpers/probe.js';
import { startBdfu } from '../helpers/serve.js';
import { chunkedUpload, includeSnippet } from './cgi-suite.js';

const fixture = makeFixture('apache-proxy', { BASE_PATH: '/files/' });
appendFileSync(fixture.config, "TRUSTED_PROXIES = ['127.0.0.1', '::1']\n");
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

/** A Node server with bdfu's own adapter and a handler that answers with what the core saw. */
async function probe(basePath: string, trustedProxies: string[]): Promise<string> {
  const storageDir = mkdtempSync(join(tmpdir(), 'bdfu-probe-'));
  const { settings } = loadConfig({ env: {}, overrides: { jwtSecretKey: randomBytes(16).toString('hex'), storageDir, basePath, trustedProxies } });
  const listener = createServer(nodeListener(echoHandler, settings));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { listener.close(() => resolve()); listener.closeAllConnections(); }));
  return `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
}
const trusting = await probe('/probe/', ['127.0.0.1']);
const untrusting = await probe('/plain/', []);

const apache = await startApache(t, {
  mpm: 'event',
  modules: ['proxy', 'proxy_http'],
  config: () => [
    includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/files', BDFU_BACKEND: new URL(server.url).origin }),
    includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/probe', BDFU_BACKEND: trusting }),
    includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/plain', BDFU_BACKEND: untrusting }),
  ].join('\n'),
});
const base = `${apache.origin}/files/`;

t.test('the upload and files suites through the proxy', async (t) => {
  const target = () => ({ baseUrl: base, storageDir: fixture.storageDir, secret: fixture.secret, apache: 'proxy' as const });
  uploadSuite(t, target);
  filesSuite(t, target);
});

t.test('a chunked request body goes through the proxy', async (t) => {
  const data = randomBytes(300_000);
  const res = await chunkedUpload(`${base}upload`, await originalToken('chunky', fixture.secret), data);
  t.equal(res.status, 201, res.text);
  t.same(readFileSync(join(fixture.storageDir, 'chunky', res.json.id)), data, 'stored byte for byte');
});

t.test('a Proxy: request header changes nothing (httpoxy)', async (t) => {
  const data = randomBytes(2000);
  const res = await uploadFile(base, await originalToken('proxied', fixture.secret), data, 'p.bin', { proxy: 'http://127.0.0.1:9/' });
  t.equal(res.status, 201, res.text);
  t.same(readFileSync(join(fixture.storageDir, 'proxied', res.json.id)), data);
  const seen = (await http(`${apache.origin}/probe/upload`, { method: 'POST', headers: { proxy: 'http://127.0.0.1:9/' }, body: 'x' })).json as Probed;
  t.notOk('proxy' in seen.headers, 'Apache drops the header before it reaches bdfu');
});

const spoofed = { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

t.test('X-Forwarded-* from the trusted proxy: the real client address and the URL it used', async (t) => {
  // The client connects from 127.0.0.2, Apache to bdfu from 127.0.0.1 (the one trusted address).
  const res = await http(`${apache.origin}/probe/upload`, { method: 'POST', headers: spoofed, body: 'abc', localAddress: '127.0.0.2' });
  t.equal(res.status, 200, res.text);
  const seen = res.json as Probed;
  t.equal(seen.remoteAddress, '127.0.0.2', 'the address Apache saw, not the one the client wrote');
  t.equal(seen.baseUrl, `${apache.origin}/probe/`, 'links point back through Apache, in the scheme the client used');
  t.equal(seen.path, '/upload');
  t.equal(seen.bytes, 3);
});

t.test('without TRUSTED_PROXIES, X-Forwarded-* mean nothing', async (t) => {
  const res = await http(`${apache.origin}/plain/upload`, { method: 'POST', headers: spoofed, body: 'abc', localAddress: '127.0.0.2' });
  const seen = res.json as Probed;
  t.equal(seen.remoteAddress, '127.0.0.1', 'the peer: Apache');
  t.equal(seen.baseUrl, `${untrusting}/plain/`, 'the address bdfu was reached at');
});
