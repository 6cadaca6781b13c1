import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFixture } from '../helpers/fixture.js';
import { http } from '../helpers/http.js';
import { bdfu } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { scopedToken } from '../helpers/tokens.js';

const fixture = makeFixture('sharing-cli', { RETENTION_DAYS_MAX: 10, RETENTION_DAYS_DEFAULT: 10 });
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

t.test('bdfu upload --expires-in, share, shares, unshare, publish, unpublish, request-files: --json and one-line errors', async (t) => {
  const token = await scopedToken('cli', fixture.secret, 'upload read delete');
  const path = join(fixture.dir, 'hello.txt');
  writeFileSync(path, 'hello from the CLI');
  const up = await bdfu(['upload', server.url, token, path, '--json', '--expires-in', '2d']);
  t.equal(up.code, 0, up.stderr);
  const uploaded = JSON.parse(up.stdout);
  t.ok(Math.abs(Date.parse(uploaded.expires) - Date.now() - 2 * 86_400_000) < 120_000, 'expires in two days');
  const file = `cli/${uploaded.id}`;
  const tooLong = await bdfu(['upload', server.url, token, path, '--expires-in', '11d']);
  t.equal(tooLong.code, 1);
  t.match(tooLong.stderr, /^bdfu: upload failed: HTTP 400: expires_in is longer than the 10 days/);
  t.equal(tooLong.stderr.trim().split('\n').length, 1, 'one line');
  // Above --tus-threshold the upload goes by tus, with expires_in in its Upload-Metadata.
  const resumable = await bdfu(['upload', server.url, token, path, '--json', '--expires-in', '3d', '--tus-threshold', '1']);
  t.equal(resumable.code, 0, resumable.stderr);
  t.ok(Math.abs(Date.parse(JSON.parse(resumable.stdout).expires) - Date.now() - 3 * 86_400_000) < 120_000, 'by tus too: expires in three days');
  const tusTooLong = await bdfu(['upload', server.url, token, path, '--expires-in', '11d', '--tus-threshold', '1']);
  t.equal(tusTooLong.code, 1);
  t.match(tusTooLong.stderr, /^bdfu: creating the upload failed: HTTP 400: expires_in is longer than the 10 days/, 'refused at the tus creation');

  const shared = await bdfu(['share', server.url, token, file, '--max-downloads', '1', '--expires-in', '1d', '--password-stdin', '--note', 'hi'], { input: 'pa55word\n' });
  t.equal(shared.code, 0, shared.stderr);
  const url = shared.stdout.trim();
  t.match(url, /\/s\/[A-Za-z0-9]{22}$/);
  const got = await http(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=pa55word' });
  t.equal(got.text, 'hello from the CLI', 'the password from stdin protects the link');

  const listed = await bdfu(['shares', server.url, token, '--json']);
  t.match(JSON.parse(listed.stdout).links[0], { url, downloads: 1, maxDownloads: 1, state: 'exhausted', note: 'hi', password: true });
  const lines = await bdfu(['shares', server.url, token]);
  t.match(lines.stdout, new RegExp(`^${url}\\texhausted\\t1/1\\t`));

  const unshared = await bdfu(['unshare', server.url, token, url, '--json']);
  t.equal(JSON.parse(unshared.stdout).state, 'revoked');
  const badLink = await bdfu(['unshare', server.url, token, 'nonsense']);
  t.equal(badLink.code, 1);
  t.match(badLink.stderr, /^bdfu: name the link by its id or URL/);

  const published = await bdfu(['publish', server.url, token, file, '--json']);
  const mark = JSON.parse(published.stdout);
  t.equal((await http(mark.url)).text, 'hello from the CLI');
  const plain = await bdfu(['publish', server.url, token, file]);
  t.equal(plain.stdout, `${mark.url}\n${mark.byName}\n`);
  t.equal((await bdfu(['unpublish', server.url, token, file])).stdout, `unpublished ${file}\n`);
  t.equal((await http(mark.url)).status, 404);

  const requested = await bdfu(['request-files', server.url, token, '--max-files', '3', '--max-size', '1000', '--note', 'send', '--json']);
  t.equal(requested.code, 0, requested.stderr);
  t.match(JSON.parse(requested.stdout), { maxFiles: 3, maxBytes: 1000, note: 'send', state: 'active' });
  const revoked = await bdfu(['unshare', server.url, token, JSON.parse(requested.stdout).url, '--request']);
  t.match(revoked.stdout, /^revoked .*\/r\//);

  const other = await scopedToken('someone', fixture.secret, 'upload read');
  const refused = await bdfu(['share', server.url, other, file]);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /^bdfu: share failed: HTTP 403: /);
  const badCount = await bdfu(['share', server.url, token, file, '--max-downloads', '0']);
  t.not(badCount.code, 0);
  t.match(badCount.stderr, /--max-downloads must be a whole number above 0/);
});
