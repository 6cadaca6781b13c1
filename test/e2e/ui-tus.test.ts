/// <reference lib="dom" />
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { signToken } from '../../src/auth/tokens.js';
import { launchChromium } from '../helpers/browser.js';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';

// The web page sends large files by tus: a dropped PATCH is retried, and after a reload the
// unfinished upload is offered and resumed when the same file is chosen again.
const fixture = makeFixture('ui-tus');
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());
const browser = await launchChromium();
t.teardown(() => browser.close());
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

t.test('a tus upload from the page survives a dropped request and a reload', async (t) => {
  const page = await browser.context.newPage();
  t.teardown(() => page.close());
  const token = await signToken({ user: 'paula', secret: fixture.secret, expiresIn: 900, scopes: ['upload', 'read'] });
  await page.goto(`${server.url}#token=${token}`);
  await page.locator('#who-name').getByText('paula').waitFor();
  // Files of 1 MiB or more go by tus (8 MiB chunks) on this page.
  await page.evaluate(() => localStorage.setItem('bdfu.tusThreshold', String(1 << 20)));

  const data = randomBytes(20 * 1024 * 1024 + 3);
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-ui-tus-'));
  const file = join(dir, 'big video.mp4');
  writeFileSync(file, data);

  // The network drops the second PATCH once (retried by the page), and every PATCH after the
  // third never gets through: the page is reloaded while it keeps trying.
  let patches = 0;
  let posts = 0;
  await page.route('**/tus/**', async (route) => {
    const method = route.request().method();
    if (method === 'POST') posts++;
    if (method !== 'PATCH') return route.continue();
    patches++;
    if (patches === 2 || patches > 3) return route.abort('connectionreset');
    return route.continue();
  });
  await page.locator('#pick').setInputFiles(file);
  await page.waitForFunction(() => /Trying again/.test(document.querySelector('#uploads li .info')?.textContent ?? ''), undefined, { timeout: 30_000 });
  t.pass('the dropped PATCH is retried');
  for (let i = 0; i < 600 && patches < 4; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  t.ok(patches >= 4, 'two chunks went through, the next one is stuck');
  const session = readdirSync(join(fixture.storageDir, 'paula')).filter((name) => name.endsWith('.part'));
  t.equal(session.length, 1, 'one unfinished upload on the server');
  t.equal(readFileSync(join(fixture.storageDir, 'paula', session[0]!)).length, 16 * 1024 * 1024, 'two chunks of 8 MiB reached it');

  await page.unroute('**/tus/**');
  await page.route('**/tus/**', async (route) => {
    if (route.request().method() === 'POST') posts++;
    return route.continue();
  });
  await page.reload();
  const offer = page.locator('#uploads li[data-resume-key]');
  await offer.waitFor();
  t.match(await offer.locator('.info').textContent(), /Interrupted at 16 MiB of 20 MiB\. Choose the same file again to resume\./);
  await page.locator('#pick').setInputFiles(file);
  await page.waitForFunction(() => document.querySelector('#uploads li')?.classList.contains('done'), undefined, { timeout: 60_000 });
  t.equal(await page.locator('#uploads li[data-resume-key]').count(), 0, 'the offer is gone');
  t.equal(posts, 1, 'resumed, not started again');
  const id = session[0]!.replace(/^\.session-|\.part$/g, '');
  t.equal(sha256(readFileSync(join(fixture.storageDir, 'paula', id))), sha256(data), 'the file arrived whole');
  t.equal(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('bdfu.tus.')).length), 0, 'and is forgotten');
});
