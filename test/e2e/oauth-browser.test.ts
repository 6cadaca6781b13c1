import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { launchChromium } from '../helpers/browser.js';
import { makeFixture } from '../helpers/fixture.js';
import { bdfu } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';

// The OAuth dialog as a person meets it, in Chromium: an app on another origin sends them to
// bdfu, they sign in and allow or deny, and land back on the app; on bdfu's page they revoke it.
const PASSWORD = 'correct horse battery';
const USER = 'olga';

const fixture = makeFixture('oauth-browser');
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());
const added = await bdfu(['users', 'add', USER, fixture.config, '--scope', 'read', '--password-stdin'], { input: `${PASSWORD}\n` });
if (added.code !== 0) throw new Error(added.stderr);

// The app: any page; its script uses the token from the fragment against bdfu, cross-origin.
const appServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>app</title><p>the app</p>'));
await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise<void>((resolve) => appServer.close(() => resolve())));
const appOrigin = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
const callback = `${appOrigin}/callback`;

const browser = await launchChromium();
t.teardown(() => browser.close());

const dialog = (query: Record<string, string>) =>
  `${server.url}oauth/${USER}?${new URLSearchParams({ client_id: appOrigin, redirect_uri: callback, response_type: 'token', scope: 'notes:rw', state: 'st', ...query })}`;
const fragmentOf = (url: string) => new URLSearchParams(new URL(url).hash.slice(1));

/** What the app page gets when it writes a document with the token, from its own origin. */
async function appWrites(page: import('playwright-core').Page, token: string): Promise<number> {
  return page.evaluate(async ({ url, token }) => {
    const response = await fetch(url, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: 'written by the app' });
    return response.status;
  }, { url: `${server.url}storage/${USER}/notes/app.txt`, token });
}

let appToken = '';

t.test('sign in, allow: back on the app with a token that works from its origin', async (t) => {
  const page = await browser.context.newPage();
  await page.goto(dialog({}));
  t.match(await page.textContent('h1'), `Allow ${appOrigin} to use your storage?`);
  t.match(await page.textContent('main'), /read and change your notes/);
  await page.fill('#password', 'not it');
  await page.click('button[value=allow]');
  t.match(await page.textContent('.error'), 'Wrong password', 'a wrong password: the page again, with the reason');
  await page.fill('#password', PASSWORD);
  await page.click('button[value=allow]');
  await page.waitForURL((url) => url.href.startsWith(callback));
  const answer = fragmentOf(page.url());
  t.equal(answer.get('state'), 'st');
  appToken = answer.get('access_token') ?? '';
  t.ok(appToken, 'a token in the fragment');
  t.equal(await appWrites(page, appToken), 201, 'the app writes with it');
  await page.close();
});

t.test('deny: back on the app with error=access_denied', async (t) => {
  const page = await browser.context.newPage();
  await page.goto(dialog({ state: 'no' }));
  await page.click('button[value=deny]');
  await page.waitForURL((url) => url.href.startsWith(callback));
  const answer = fragmentOf(page.url());
  t.equal(answer.get('error'), 'access_denied');
  t.equal(answer.get('state'), 'no');
  t.notOk(answer.get('access_token'));
  await page.close();
});

t.test('a redirect_uri on another origin: an error page at bdfu, no redirect', async (t) => {
  const page = await browser.context.newPage();
  const reply = await page.goto(dialog({ redirect_uri: 'http://127.0.0.2:9/steal' }));
  t.equal(reply?.status(), 400);
  t.ok(page.url().startsWith(server.url), 'still at bdfu');
  t.match(await page.textContent('.error'), /is not on the app/);
  t.equal(await page.$('#password'), null, 'no sign-in form');
  await page.close();
});

t.test('the dialog will not be framed', async (t) => {
  const page = await browser.context.newPage();
  await page.goto(`${appOrigin}/framing`);
  await page.evaluate((src) => new Promise<void>((resolve) => {
    const frame = document.createElement('iframe');
    frame.src = src;
    frame.onload = () => resolve();
    document.body.append(frame);
    setTimeout(resolve, 3000);
  }), dialog({}));
  const framed = page.frames().find((frame) => frame !== page.mainFrame());
  t.equal(await framed?.$('#password').catch(() => null) ?? null, null, "frame-ancestors 'none': no form inside another page");
  await page.close();
});

t.test("on bdfu's page: the app is listed; revoking it stops its token at once", async (t) => {
  t.ok(appToken, 'the first test gave the app a token');
  const page = await browser.context.newPage();
  await page.goto(server.url);
  await page.fill('#account-input', USER);
  await page.fill('#password-input', PASSWORD);
  await page.click('#password-form button[type=submit]');
  const row = page.locator('#apps-table tbody tr', { hasText: appOrigin });
  await row.waitFor();
  t.match(await row.textContent(), 'notes:rw');
  await page.click(`button[aria-label="Revoke ${appOrigin}"]`);
  await page.locator('#apps-empty').waitFor({ state: 'visible' });
  t.match(await page.textContent('#status'), `Revoked ${appOrigin}`);
  const app = await browser.context.newPage();
  await app.goto(`${appOrigin}/after`);
  t.equal(await appWrites(app, appToken), 401, 'the revoked token is refused');
  await app.close();
  await page.close();
});
