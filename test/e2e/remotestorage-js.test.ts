import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { launchChromium } from '../helpers/browser.js';
import { makeFixture } from '../helpers/fixture.js';
import { http } from '../helpers/http.js';
import { allowInDialog } from '../helpers/oauth-dialog.js';
import { bdfu } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { bearer, scopedToken } from '../helpers/tokens.js';

// remotestorage.js (the client library remoteStorage apps use, from npm) against bdfu: discovery by
// user address (WebFinger), the token, then documents written, read, listed and deleted.
const require = createRequire(import.meta.url);
const PASSWORD = 'correct horse battery';

const fixture = makeFixture('rs-js');
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());
const bdfuHost = new URL(server.url).host;
const bdfuUrl = server.url;

async function account(name: string): Promise<void> {
  const added = await bdfu(['users', 'add', name, fixture.config, '--password-stdin'], { input: `${PASSWORD}\n` });
  if (added.code !== 0) throw new Error(added.stderr);
}

/** What bdfu holds, read with a token of our own: the check does not go through the client. */
async function stored(user: string, path: string) {
  return http(`${server.url}storage/${user}${path}`, { headers: bearer(await scopedToken(user, fixture.secret, '*:r')) });
}

t.test('in Node: connect by user address with a token from the dialog; JSON and binary documents; list; delete', async (t) => {
  const user = `node${randomBytes(3).toString('hex')}`;
  await account(user);
  const app = 'https://node-app.example';
  const back = await allowInDialog(server.url, user, PASSWORD, { client_id: app, redirect_uri: `${app}/`, response_type: 'token', scope: 'notes:rw' });
  const token = new URLSearchParams(new URL(String(back.headers.location)).hash.slice(1)).get('access_token')!;
  t.ok(token, 'the dialog gave a token');

  // remotestorage.js 1.2.3 takes a global Blob for a browser and then reads text with FileReader,
  // which Node (with Blob since 18) lacks: the one piece it needs, from Blob.text().
  const hadFileReader = 'FileReader' in globalThis;
  Object.assign(globalThis, {
    FileReader: class {
      onloadend?: (event: { target: { result: string } }) => void;
      readAsText(blob: Blob) {
        void blob.text().then((result) => this.onloadend?.({ target: { result } }));
      }
    },
  });
  t.teardown(() => void (hadFileReader || delete (globalThis as Record<string, unknown>).FileReader));
  const RemoteStorage = require('remotestoragejs');
  const rs = new RemoteStorage({ cache: false, logging: false });
  rs.access.claim('notes', 'rw');
  const connected = new Promise<void>((resolve, reject) => {
    rs.on('connected', () => resolve());
    rs.on('error', (error: unknown) => reject(error));
  });
  rs.connect(`${user}@${bdfuHost}`, token);
  await connected;
  t.equal(rs.remote.href, `${server.url}storage/${user}`, 'WebFinger led to the storage root');
  t.equal(rs.remote.storageApi, 'draft-dejong-remotestorage-26');

  const notes = rs.scope('/notes/');
  const note = { title: 'groceries', items: ['milk', 'bread'], done: false };
  await notes.storeFile('application/json', 'list.json', JSON.stringify(note));
  const bytes = randomBytes(5000);
  await notes.storeFile('application/octet-stream', 'data/blob.bin', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const readBack = await notes.getFile('list.json', false);
  t.same(JSON.parse(readBack.data), note, 'the JSON object reads back');
  t.match(readBack.contentType, /^application\/json/);
  const server1 = await stored(user, '/notes/data/blob.bin');
  t.same(server1.body, bytes, 'bdfu holds the binary bytes exactly');
  const listing = await notes.getListing('', false);
  t.same(Object.keys(listing).sort(), ['data/', 'list.json'], 'the folder lists the document and the sub-folder');
  await notes.remove('list.json');
  t.equal((await stored(user, '/notes/list.json')).status, 404, 'deleted on bdfu');
  rs.disconnect();
});

t.test('in Chromium, from another origin: user address → WebFinger → dialog → token; store, read, list, delete', async (t) => {
  const user = `web${randomBytes(3).toString('hex')}`;
  await account(user);
  // The app: one page and the library, on another origin (another port) than bdfu.
  const library = readFileSync(require.resolve('remotestoragejs/release/remotestorage.js'));
  const appPage = `<!doctype html><meta charset="utf-8"><title>notes app</title><script src="/remotestorage.js"></script>
<script>
  window.rs = new RemoteStorage({ cache: false, logging: false });
  rs.access.claim('notes', 'rw');
  window.connected = new Promise((resolve) => rs.on('connected', () => resolve(rs.remote.href)));
</script>`;
  const appServer = createServer((req, res) => {
    if (req.url === '/remotestorage.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(library);
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(appPage);
  });
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => appServer.close(() => resolve())));
  const appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/`;

  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.context.newPage();
  await page.goto(appUrl);
  await page.evaluate((address) => (window as any).rs.connect(address), `${user}@${bdfuHost}`);
  await page.waitForURL((url) => url.href.startsWith(`${bdfuUrl}oauth/${user}`));
  t.match(await page.textContent('h1'), /Allow http:\/\/127\.0\.0\.1:\d+ to use your storage/, 'the dialog names the app by its origin');
  await page.fill('#password', PASSWORD);
  await page.click('button[value=allow]');
  await page.waitForURL((url) => url.href.startsWith(appUrl));
  const href = await page.evaluate(() => (window as any).connected);
  t.equal(href, `${bdfuUrl}storage/${user}`, 'connected to the storage WebFinger named');

  const note = { title: 'from the browser', n: 42 };
  const result = await page.evaluate(async (value) => {
    const notes = (window as any).rs.scope('/notes/');
    await notes.storeFile('application/json', 'b.json', JSON.stringify(value));
    const bytes = new Uint8Array(3000).map((_, i) => (i * 7) % 256);
    await notes.storeFile('application/octet-stream', 'raw.bin', bytes.buffer);
    const json = await notes.getFile('b.json', false);
    const raw = await notes.getFile('raw.bin', false);
    const listing = await notes.getListing('', false);
    return { json: json.data, rawLength: raw.data.byteLength, listed: Object.keys(listing).sort() };
  }, note);
  t.same(JSON.parse(result.json), note, 'the JSON object reads back in the browser');
  t.equal(result.rawLength, 3000, 'binary bytes read back');
  t.same(result.listed, ['b.json', 'raw.bin']);
  const raw = await stored(user, '/notes/raw.bin');
  t.same([...raw.body.subarray(0, 4)], [0, 7, 14, 21], 'bdfu holds the bytes the browser sent');
  await page.evaluate(() => (window as any).rs.scope('/notes/').remove('b.json'));
  t.equal((await stored(user, '/notes/b.json')).status, 404, 'deleted on bdfu');
});
