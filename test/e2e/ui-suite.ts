/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { Test } from 'tap';
import { signToken } from '../../src/auth/tokens.js';
import type { ScopeWord } from '../../src/auth/principal.js';
import { http } from '../helpers/http.js';
import { ROOT } from '../helpers/paths.js';
import { bdfu } from '../helpers/run.js';

export interface UiTarget {
  /** The page's address: the endpoint, ending in `/`. */
  baseUrl: string;
  secret: string;
  /** Names the screenshots: test-artifacts/ui/<mode>-<state>.png. */
  mode: string;
  /** Its settings file: given, the suite adds an account there (`bdfu users add`) and signs in with its password. */
  config?: string;
  /** How the mount point without its slash is redirected: bdfu says 308; Apache's mod_dir, in front of a CGI directory, 301. */
  slashRedirect?: number;
}

const ARTIFACTS = join(ROOT, 'test-artifacts/ui');

/** What the page is for, in a real chromium, against one hosting mode. */
export function uiSuite(t: Test, context: () => BrowserContext, target: () => UiTarget): void {
  const token = (user: string, scopes: ScopeWord[] | undefined, expiresIn = 900, now?: number) =>
    signToken({ user, secret: target().secret, expiresIn, ...(scopes ? { scopes } : {}), ...(now ? { now } : {}) });
  const shot = async (page: Page, state: string) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `${target().mode}-${state}.png`), fullPage: true });
  };

  /** A page that fails the test (at its end: `done(t)`) on any CSP violation, script error, or request to another origin. */
  async function watchedPage(t: Test): Promise<Page> {
    const page = await context().newPage();
    const origin = new URL(target().baseUrl).origin;
    const problems: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) problems.push(`request to ${url}`);
    });
    watched.set(t, async () => {
      t.same(problems, [], 'no CSP violation, script error or third-party request');
      await page.close();
    });
    return page;
  }

  const watched = new Map<Test, () => Promise<void>>();
  const done = (t: Test) => watched.get(t)!();

  const row = (page: Page, name: string) => page.locator('#file-table tbody tr').filter({ has: page.locator('td.name', { hasText: name }) });

  t.test(`${target().mode}: the page and its headers`, async (t) => {
    const res = await http(target().baseUrl);
    t.equal(res.status, 200);
    t.match(res.headers['content-type'], /^text\/html/);
    t.equal(res.headers['content-security-policy'],
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    t.notMatch(res.text, /<script>|<style>| style=| on\w+=/i, 'no inline script, style or handler');
    t.notMatch(res.text, /(src|href)="(\/|https?:)/, 'every URL in it is relative');
    const atUi = await http(`${target().baseUrl}ui/`);
    t.equal(atUi.status, 200);
    const script = /src="([^"]+\.js)"/.exec(atUi.text)![1]!;
    const js = await http(`${target().baseUrl}ui/${script}`);
    t.equal(js.status, 200);
    t.match(js.headers['content-type'], /^text\/javascript/);
    t.match(js.headers['cache-control'], /immutable/);
    t.notMatch(js.text, /\beval\(|new Function|innerHTML|insertAdjacentHTML|document\.write/, 'no eval, no HTML from strings');
    const missing = await http(`${target().baseUrl}ui/app-000000000000.js`);
    t.equal(missing.status, 404);
    const bare = new URL(target().baseUrl);
    if (bare.pathname !== '/') {
      bare.pathname = bare.pathname.slice(0, -1);
      const moved = await http(`${bare}?x=1`);
      t.equal(moved.status, target().slashRedirect ?? 308, 'the mount point without its slash redirects');
      t.equal(new URL(moved.headers.location as string, bare).href, `${target().baseUrl}?x=1`);
    }
  });

  t.test(`${target().mode}: sign in with a link, upload, list, download, share, delete`, async (t) => {
    const { baseUrl } = target();
    const page = await watchedPage(t);
    await context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
    const alice = await token('alice', ['upload', 'read', 'delete']);
    await page.goto(`${baseUrl}#token=${alice}`);
    await page.locator('#who-name').getByText('alice').waitFor();
    t.equal(new URL(page.url()).hash, '', 'the token is taken out of the address bar');
    t.equal(await page.evaluate(() => sessionStorage.getItem('bdfu.token')), alice, 'kept in sessionStorage');
    t.equal((await context().cookies()).length, 0, 'no cookie');
    await page.locator('#files-empty').waitFor();
    await shot(page, '1-signed-in');

    const files = [
      { name: 'first.bin', mimeType: 'application/octet-stream', buffer: randomBytes(3 << 20) },
      { name: '<img src=x onerror=alert(1)>.txt', mimeType: 'text/plain', buffer: randomBytes(1 << 20) },
      { name: 'third file.dat', mimeType: 'application/octet-stream', buffer: randomBytes(2 << 20) },
    ];
    await page.locator('#pick').setInputFiles(files);
    const items = page.locator('#uploads li');
    await t.resolves(page.waitForFunction(() => {
      const lis = [...document.querySelectorAll('#uploads li')];
      return lis.length === 3 && lis.every((li) => li.classList.contains('done'));
    }, undefined, { timeout: 60_000 }), 'all three uploads finish');
    for (let i = 0; i < 3; i++) {
      t.equal(await items.nth(i).locator('progress').evaluate((bar: HTMLProgressElement) => bar.value), 100, `progress ${i} reached 100 %`);
      t.match(await items.nth(i).locator('.info').textContent(), /^100 % · uploaded .* at .*\/s$/);
      t.equal(await items.nth(i).getByRole('button').count(), 0, 'no Cancel or Retry on a finished upload');
    }
    for (const file of files) await row(page, file.name).waitFor();
    await shot(page, '2-uploaded');

    const hostile = row(page, files[1]!.name);
    t.equal(await hostile.locator('td.name').textContent(), files[1]!.name, 'a name that looks like HTML is shown as text');
    t.equal(await page.locator('#file-table img').count(), 0, 'and made no element');
    t.match(await row(page, 'first.bin').locator('td.num').textContent(), /^3\.0 MiB$/);

    const [download] = await Promise.all([page.waitForEvent('download'), row(page, 'first.bin').getByRole('button', { name: /^Download/ }).click()]);
    t.equal(download.suggestedFilename(), 'first.bin');
    t.same(readFileSync((await download.path())!), files[0]!.buffer, 'the downloaded bytes are the uploaded ones');

    await row(page, 'third file.dat').getByRole('button', { name: /^Copy a share link/ }).click();
    await page.locator('#status').getByText(/Copied a link to third file\.dat/).waitFor();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    t.equal(await page.locator('#share-url').inputValue(), link, 'the link is also shown');
    t.ok(link.startsWith(baseUrl), `the link is under the endpoint (${link})`);
    const shared = await http(link);
    t.equal(shared.status, 200, 'the link works without a token');
    t.same(shared.body, files[2]!.buffer);
    await shot(page, '3-shared');

    page.once('dialog', (dialog) => {
      t.match(dialog.message(), /Delete <img src=x onerror=alert\(1\)>\.txt\?/);
      void dialog.accept();
    });
    await hostile.getByRole('button', { name: /^Delete/ }).click();
    await hostile.waitFor({ state: 'detached' });
    t.equal(await page.locator('#file-table tbody tr').count(), 2, 'two files left');
    const listed = await http(`${baseUrl}files/alice/`, { headers: { authorization: `Bearer ${alice}` } });
    t.same(listed.json.files.map((f: { name: string }) => f.name).sort(), ['first.bin', 'third file.dat'], 'the server agrees');
    page.once('dialog', (dialog) => void dialog.dismiss());
    await row(page, 'first.bin').getByRole('button', { name: /^Delete/ }).click();
    t.equal(await page.locator('#file-table tbody tr').count(), 2, 'a dismissed confirmation deletes nothing');

    await page.reload();
    await page.locator('#who-name').getByText('alice').waitFor();
    t.pass('still signed in after a reload (sessionStorage)');
    const bare = new URL(baseUrl);
    if (bare.pathname !== '/') {
      bare.pathname = bare.pathname.slice(0, -1);
      await page.goto(bare.href);
      await row(page, 'first.bin').waitFor();
      t.equal(page.url(), baseUrl, 'the address without the slash lands on the page');
    }
    await shot(page, '4-after-delete');
    await done(t);
  });

  t.test(`${target().mode}: a failed upload says why and can be retried; an upload can be cancelled`, async (t) => {
    const page = await watchedPage(t);
    await page.goto(`${target().baseUrl}#token=${await token('erin', ['upload', 'read'])}`);
    await page.locator('#who-name').getByText('erin').waitFor();
    await context().setOffline(true);
    await page.locator('#pick').setInputFiles([{ name: 'offline.bin', mimeType: 'application/octet-stream', buffer: randomBytes(1000) }]);
    const item = page.locator('#uploads li').first();
    await item.locator('.info').getByText(/connection failed/).waitFor();
    t.equal(await item.getAttribute('class'), 'failed');
    t.ok(await item.getByRole('button', { name: /^Cancel/ }).isHidden(), 'nothing to cancel');
    await context().setOffline(false);
    await shot(page, '5-upload-failed');
    await item.getByRole('button', { name: /^Retry/ }).click();
    await page.waitForFunction(() => document.querySelector('#uploads li')?.classList.contains('done'));
    await row(page, 'offline.bin').waitFor();
    t.pass('the retried upload arrived');

    // Slow the connection down so there is an upload in flight to cancel.
    const cdp = await context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 50, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    await page.locator('#pick').setInputFiles([{ name: 'slow.bin', mimeType: 'application/octet-stream', buffer: randomBytes(8 << 20) }]);
    const slow = page.locator('#uploads li').first();
    await slow.locator('.info').getByText(/ % · .* of /).waitFor();
    await slow.getByRole('button', { name: /^Cancel/ }).click();
    await slow.locator('.info').getByText('Cancelled.').waitFor();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
    const listed = await http(`${target().baseUrl}files/erin/`, { headers: { authorization: `Bearer ${await token('erin', ['read'])}` } });
    t.same(listed.json.files.map((f: { name: string }) => f.name), ['offline.bin'], 'the cancelled upload left nothing');

    // A refusal the server explains is shown with its reason, and the item can be retried.
    await page.goto(`${target().baseUrl}#token=${await token('no/such/user', ['upload'])}`);
    await page.getByRole('button', { name: 'Switch to no/such/user' }).click();
    await page.locator('#who-name').getByText('no/such/user').waitFor();
    await page.locator('#pick').setInputFiles([{ name: 'refused.bin', mimeType: 'application/octet-stream', buffer: randomBytes(100) }]);
    const refused = page.locator('#uploads li').first();
    await refused.locator('.info').getByText(/contains a path separator/).waitFor();
    t.ok(await refused.getByRole('button', { name: /^Retry/ }).isVisible(), 'with a Retry button');
    t.equal(await page.locator('#uploads li').count(), 1, 'the previous user’s uploads are not shown to the next');
    await shot(page, '5b-upload-refused');
    await done(t);
  });

  if (target().config) t.test(`${target().mode}: signing in with an account's name and password`, async (t) => {
    const name = `acct${randomBytes(3).toString('hex')}`;
    const added = await bdfu(['users', 'add', name, target().config!, '--scope', 'upload read', '--password-stdin'], { input: 'a long passphrase\n' });
    t.equal(added.code, 0, added.stderr);
    const page = await watchedPage(t);
    await page.goto(target().baseUrl);
    t.equal(await page.locator('#password-input').getAttribute('type'), 'password', 'the password is not shown');
    await page.locator('#account-input').fill(name);
    await page.locator('#password-input').fill('not the passphrase');
    await page.getByRole('button', { name: 'Sign in with password' }).click();
    await page.locator('#sign-in-reason').getByText('Wrong user name or password.').waitFor();
    t.equal(await page.locator('#password-input').inputValue(), '', 'the password field is emptied');
    await shot(page, '7-wrong-password');
    await page.locator('#password-input').fill('a long passphrase');
    await page.getByRole('button', { name: 'Sign in with password' }).click();
    await page.locator('#who-name').getByText(name).waitFor();
    t.ok(await page.locator('#upload').isVisible(), 'the account may upload');
    const kept = await page.evaluate(() => sessionStorage.getItem('bdfu.token'));
    const claims = JSON.parse(Buffer.from(kept!.split('.')[1]!, 'base64url').toString());
    t.equal(claims.scope, 'upload read', "a token with the account's scopes");
    t.ok(claims.exp - claims.nbf <= 3600, 'for an hour at most');
    await shot(page, '8-signed-in-with-password');
    await done(t);
  });

  t.test(`${target().mode}: expired tokens say so and ask for a new one`, async (t) => {
    const page = await watchedPage(t);
    const expired = await token('frank', ['upload', 'read'], 60, Math.floor(Date.now() / 1000) - 3600);
    await page.goto(`${target().baseUrl}#token=${expired}`);
    await page.locator('#sign-in-reason').getByText(/This token has expired/).waitFor();
    t.ok(await page.locator('#token-input').evaluate((input) => input === document.activeElement), 'the token field has the focus');
    t.equal(await page.evaluate(() => sessionStorage.getItem('bdfu.token')), null, 'the expired token is not kept');
    t.ok(await page.locator('#who').isHidden(), 'nobody is shown as signed in');
    await shot(page, '6-expired');

    // One that runs out while the page is open.
    await page.locator('#token-input').fill(await token('frank', ['upload', 'read'], 3));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#who-name').getByText('frank').waitFor();
    await page.locator('#sign-in-reason').getByText(/Your token has expired/).waitFor({ timeout: 20_000 });
    t.ok(await page.locator('#upload').isHidden(), 'the upload form is gone');

    await page.locator('#token-input').fill('not a token');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#sign-in-reason').getByText(/not a bdfu token/).waitFor();
    t.pass('a pasted non-token is explained');
    await done(t);
  });

  t.test(`${target().mode}: a sign-in link for another user asks first, naming both (login CSRF)`, async (t) => {
    const page = await watchedPage(t);
    await page.goto(`${target().baseUrl}#token=${await token('hank', ['upload', 'read'])}`);
    await page.locator('#who-name').getByText('hank').waitFor();
    const attacker = await token('mallory', ['upload', 'read']);
    await page.goto(`${target().baseUrl}#token=${attacker}`);
    await page.locator('#switch-user').waitFor();
    t.equal(await page.locator('#switch-current').textContent(), 'hank', 'the user signed in now is named');
    t.equal(await page.locator('#switch-new').textContent(), 'mallory', 'the link’s user is named');
    t.equal(await page.locator('#who-name').textContent(), 'hank', 'nothing switched before the answer');
    const kept = await page.evaluate(() => sessionStorage.getItem('bdfu.token') ?? '');
    t.equal(JSON.parse(Buffer.from(kept.split('.')[1] ?? '', 'base64url').toString()).user, 'hank', 'the kept token is still hank’s');
    await shot(page, '9-switch-user');
    await page.getByRole('button', { name: 'Stay signed in as hank' }).click();
    t.ok(await page.locator('#switch-user').isHidden(), 'staying closes the question');
    t.equal(await page.locator('#who-name').textContent(), 'hank', 'staying keeps the session');
    t.notOk(page.url().includes('#token='), 'the link’s token is out of the address bar');

    await page.goto(`${target().baseUrl}#token=${attacker}`);
    await page.getByRole('button', { name: 'Switch to mallory' }).click();
    await page.locator('#who-name').getByText('mallory').waitFor();
    t.pass('switching after the question signs in as the link’s user');

    await page.goto(`${target().baseUrl}#token=${await token('mallory', ['upload'])}`);
    await page.locator('#files-note').getByText(/may upload only/).waitFor();
    t.ok(await page.locator('#switch-user').isHidden(), 'a link for the same user signs in without asking');
    await done(t);
  });

  t.test(`${target().mode}: remoteStorage documents: browse folders, list a document's versions, restore an older one`, async (t) => {
    const { baseUrl } = target();
    const user = `dora${randomBytes(3).toString('hex')}`;
    const dora = await token(user, ['*:rw']);
    const storage = (path: string, method = 'GET', body?: string) =>
      http(`${baseUrl}storage/${user}${path}`, { method, headers: { authorization: `Bearer ${dora}`, 'content-type': 'text/plain' }, ...(body !== undefined ? { body } : {}) });
    for (const [method, body] of [['PUT', 'first draft'], ['PUT', 'second draft'], ['DELETE'], ['PUT', 'third draft']] as const) {
      t.ok([200, 201].includes((await storage('/notes/diary.txt', method, body)).status), `${method} ${body ?? ''}`);
    }
    await storage('/notes/2026/plan.md', 'PUT', 'a plan');
    await storage('/todo/list.txt', 'PUT', 'milk');
    const versions = (await http(`${baseUrl}versions/${user}/notes/diary.txt`, { headers: { authorization: `Bearer ${dora}` } })).json.versions;
    const oldest = versions[versions.length - 1];

    const page = await watchedPage(t);
    await page.goto(`${baseUrl}#token=${dora}`);
    await page.locator('#who-name').getByText(user).waitFor();
    t.ok(await page.locator('#files').isHidden(), 'a token for remoteStorage only shows no files section');
    const documents = page.locator('#documents');
    await documents.getByRole('button', { name: 'Open folder /todo/' }).waitFor();
    t.equal(await page.locator('#documents-folder').textContent(), '/');
    t.ok(await page.locator('#documents-up').isDisabled(), 'no way up from the root');
    await documents.getByRole('button', { name: 'Open folder /notes/' }).click();
    const diary = page.locator('#document-table tbody tr').filter({ has: page.locator('td.name', { hasText: 'diary.txt' }) });
    await diary.waitFor();
    t.match(await diary.locator('td.num').textContent(), /^11 B$/);
    t.ok(await documents.getByRole('button', { name: 'Open folder /notes/2026/' }).isVisible(), 'a sub-folder is listed');
    await shot(page, '10-documents');

    await diary.getByRole('button', { name: 'Versions of /notes/diary.txt' }).click();
    const rows = page.locator('#version-table tbody tr');
    await page.waitForFunction(() => document.querySelectorAll('#version-table tbody tr').length === 4);
    t.same(await rows.locator('td:nth-child(2)').allTextContents(), ['11 B', 'deleted', '12 B', '11 B'], 'newest first, the deletion too');
    t.same(await rows.locator('td:nth-child(4)').allTextContents(), versions.map((v: { etag: string }) => v.etag || '–'), 'with their ETags (a deletion has none)');
    t.equal(await rows.nth(0).getByRole('button').count(), 0, 'the current version has no Restore');
    t.equal(await rows.nth(1).getByRole('button').count(), 0, 'nor has the deletion');
    await shot(page, '11-versions');

    await page.getByRole('button', { name: `Restore version ${oldest.version} of /notes/diary.txt`, exact: false }).click();
    await page.locator('#status').getByText(/^Restored \/notes\/diary\.txt to its version of /).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#version-table tbody tr').length === 5);
    t.equal(await rows.nth(0).locator('td:nth-child(3)').textContent(), 'bdfu web page', 'the restore is a version of its own, by the page');
    const now = await storage('/notes/diary.txt');
    t.equal(now.text, 'first draft', 'the storage API gives the older bytes');
    t.equal(await rows.nth(0).locator('td:nth-child(4)').textContent(), String(now.headers.etag).replace(/"/g, ''), 'the table shows the new ETag');

    await page.locator('#documents-up').click();
    await documents.getByRole('button', { name: 'Open folder /todo/' }).waitFor();
    t.ok(await page.locator('#versions').isHidden(), 'the versions close with the folder');
    await done(t);
  });

  t.test(`${target().mode}: an upload-only token, and an admin's view with the audit trail`, async (t) => {
    const page = await watchedPage(t);
    await page.goto(`${target().baseUrl}#token=${await token('gina', undefined)}`);
    await page.locator('#files-note').getByText(/may upload only/).waitFor();
    t.ok(await page.locator('#upload').isVisible(), 'it may still upload');

    await page.goto(`${target().baseUrl}#token=${await token('root', ['admin'])}`);
    await page.getByRole('button', { name: 'Switch to root' }).click();
    await page.locator('#who-name').getByText('root (admin)').waitFor();
    await page.locator('#user-select option[value="alice"]').waitFor({ state: 'attached' });
    await page.locator('#user-select').selectOption('alice');
    await row(page, 'first.bin').waitFor();
    t.equal(await page.locator('#files-title').textContent(), 'Files of alice');
    await page.locator('#audit-table tbody tr').first().waitFor();
    t.ok(await page.locator('#audit-table tbody tr', { hasText: 'alice' }).count() >= 3, 'alice’s actions are in the trail');
    await page.locator('#audit-action').selectOption('delete');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('#audit-table tbody tr')].every((tr) => tr.children[3]?.textContent === 'delete'));
    const actions = await page.locator('#audit-table tbody tr td:nth-child(4)').allTextContents();
    t.ok(actions.length >= 1 && actions.every((a) => a === 'delete'), 'filtered to deletes');
    await shot(page, '7-admin');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#user-select').selectOption('alice');
    await shot(page, '8-phone');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    t.ok(width <= 390, `no sideways scrolling on a phone (${width} px)`);
    await done(t);
  });
}
