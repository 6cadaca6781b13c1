/// <reference lib="dom" />
import t, { type Test } from 'tap';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { makeFixture } from '../helpers/fixture.js';
import { http } from '../helpers/http.js';
import { ROOT } from '../helpers/paths.js';
import { startBdfu } from '../helpers/serve.js';
import { bearer, scopedToken } from '../helpers/tokens.js';

// The link page and the file-request page in Debian's chromium: hostile names and notes stay
// text (a CSP violation listener and a dialog watcher would catch any script), at phone and
// desktop widths, screenshots in test-artifacts/sharing/.
const ARTIFACTS = join(ROOT, 'test-artifacts/sharing');
// No "/" (a file name cannot hold one), so the script tag stays open: injected, it would still run.
const HOSTILE = `"><img src=x onerror=alert(1)>'<svg onload=alert(3)><script>alert(2)&amp;.png`;
const HOSTILE_NOTE = `</p><script>alert("note")</script><a href="javascript:alert(4)">click</a>`;
// A 1×1 PNG: the preview has something real to show.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };

const fixture = makeFixture('sharing-pages');
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());
const browser = await launchChromium();
t.teardown(() => browser.close());

const token = await scopedToken('pages', fixture.secret, 'upload read delete');
/** POST upload with the name as RFC 8187 `filename*` (every character outside attr-char percent-encoded). */
async function uploadNamed(name: string, data: Buffer, type: string) {
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const head = `--b0\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''${encoded}\r\nContent-Type: ${type}\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), data, Buffer.from('\r\n--b0--\r\n')]);
  return http(`${server.url}upload`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'multipart/form-data; boundary=b0', 'content-length': body.length }, body });
}
const uploaded = await uploadNamed(HOSTILE, PNG, 'image/png');
if (uploaded.status !== 201) throw new Error(`the upload failed: ${uploaded.text}`);
const json = (value: unknown) => ({ method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(value) });
const link = (await http(`${server.url}files/pages/${uploaded.json.id}/links`, json({ note: HOSTILE_NOTE }))).json;
const locked = (await http(`${server.url}files/pages/${uploaded.json.id}/links`, json({ password: 'pw', maxDownloads: 1 }))).json;
const request = (await http(`${server.url}requests/pages`, json({ note: HOSTILE_NOTE, password: 'pw', maxFiles: 2 }))).json;

/** A page that records CSP violations (the securitypolicyviolation event), script errors and dialogs. */
async function watchedPage(viewport: { width: number; height: number }) {
  const page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  await page.addInitScript(() => {
    (window as unknown as { violations: string[] }).violations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const check = async (t: Test, p: Page) => {
    const violations = await p.evaluate(() => (window as unknown as { violations: string[] }).violations);
    t.same([...problems, ...violations], [], 'no CSP violation, script error or dialog');
  };
  return { page, check };
}

async function shot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

for (const [width, viewport] of Object.entries(WIDTHS)) {
  t.test(`${width}: the link page shows the hostile name and note as text, previews the image, draws the QR code`, async (t) => {
    const { page, check } = await watchedPage(viewport);
    const response = await page.goto(link.url);
    t.equal(response?.status(), 200);
    t.equal(await page.locator('h1').textContent(), HOSTILE, 'the name is shown as it is, as text');
    t.equal(await page.locator('.note').textContent(), HOSTILE_NOTE, 'the note too');
    t.equal(await page.locator('script').count(), 0, 'no script element came from a name');
    t.equal(await page.locator('[onerror], [onload], a[href^="javascript:"]').count(), 0, 'no handler attributes');
    await page.locator('.preview img').waitFor();
    t.equal(await page.locator('.preview img').evaluate((img: HTMLImageElement) => img.naturalWidth), 1, 'the preview image loaded');
    t.ok(await page.locator('svg.qr path').count(), 'the QR code');
    const noScroll = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    t.ok(noScroll, 'nothing wider than the screen');
    await shot(page, `link-${width}`);
    await check(t, page);
    await page.close();
  });

  t.test(`${width}: a password link's page asks for it; a wrong one says so`, async (t) => {
    const { page, check } = await watchedPage(viewport);
    await page.goto(locked.url);
    await page.fill('#password', 'wrong');
    await Promise.all([page.waitForURL(locked.url), page.click('button[type=submit]')]);
    t.match(await page.locator('.error').textContent(), /Wrong password/);
    await shot(page, `link-password-${width}`);
    await check(t, page);
    await page.close();
  });

  t.test(`${width}: the file-request page`, async (t) => {
    const { page, check } = await watchedPage(viewport);
    const response = await page.goto(request.url);
    t.equal(response?.status(), 200);
    t.equal(await page.locator('.note').textContent(), HOSTILE_NOTE);
    t.equal(await page.locator('script').count(), 0);
    await shot(page, `request-${width}`);
    await check(t, page);
    await page.close();
  });
}

t.test('an upload through the file-request page lands in the owner area', async (t) => {
  const { page, check } = await watchedPage(WIDTHS.desktop);
  await page.goto(request.url);
  await page.fill('#password', 'pw');
  await page.setInputFiles('#file', { name: 'from-browser.txt', mimeType: 'text/plain', buffer: Buffer.from('sent from chromium') });
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  await page.locator('p.gone').waitFor();
  t.match(await page.locator('p.gone').textContent(), /Received from-browser\.txt/);
  await shot(page, 'request-sent-desktop');
  await check(t, page);
  const files = await http(`${server.url}files/pages`, { headers: bearer(token) });
  t.ok(files.json.files.some((f: { name: string }) => f.name === 'from-browser.txt'));
  await page.close();
});

t.test('a revoked link shows a clear 410 page', async (t) => {
  await http(`${server.url}links/pages/${link.id}`, { method: 'DELETE', headers: bearer(token) });
  const { page, check } = await watchedPage(WIDTHS.phone);
  const response = await page.goto(link.url);
  t.equal(response?.status(), 410);
  t.match(await page.locator('p.gone').textContent(), /revoked/);
  await shot(page, 'link-revoked-phone');
  await check(t, page);
  await page.close();
});

t.test('the web page: Share… makes a counted link, shows it with Copy link and its QR code; the links table counts and revokes', async (t) => {
  const { page, check } = await watchedPage(WIDTHS.desktop);
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
  await page.goto(`${server.url}#token=${token}`);
  const row = page.locator('#file-table tbody tr').filter({ has: page.locator('td.name', { hasText: 'alert(1)' }) });
  await row.getByRole('button', { name: /Make a counted link/ }).click();
  await page.fill('#link-max', '2');
  await page.fill('#link-note', 'from the page');
  await page.click('#link-form button[type=submit]');
  await page.locator('#made-link').waitFor();
  const url = await page.inputValue('#made-link-url');
  t.match(url, /\/s\/[A-Za-z0-9]{22}$/);
  await page.locator('#made-link-qr').evaluate((img: HTMLImageElement) => img.decode());
  t.ok(await page.locator('#made-link-qr').evaluate((img: HTMLImageElement) => img.naturalWidth > 0), 'the QR code image loaded');
  await page.click('#made-link-copy');
  t.equal(await page.evaluate(() => navigator.clipboard.readText()), url, 'Copy link put it on the clipboard');
  t.equal((await http(url)).status, 200);
  await page.click('#links-refresh');
  // The table made after the link may still show 0/2 until this refresh lands: wait for the count.
  const linkRow = page.locator('#links-table tbody tr').filter({ hasText: 'from the page' }).filter({ hasText: 'active1/2' });
  await linkRow.waitFor();
  t.pass('the links table shows the download');
  await shot(page, 'ui-share-desktop');
  await linkRow.getByRole('button', { name: 'Revoke' }).click();
  await page.locator('#links-table tbody tr').filter({ hasText: 'from the page' }).filter({ hasText: 'revoked' }).waitFor();
  t.equal((await http(url)).status, 410);
  await check(t, page);
  await page.close();
});
