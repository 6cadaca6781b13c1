import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { http, multipart, type Reply } from '../helpers/http.js';
import { diskStored, type Stored } from '../helpers/stored.js';
import { bearer, scopedToken } from '../helpers/tokens.js';
import { upload } from './files-suite.js';

export interface SharingTarget {
  baseUrl: string;
  storageDir: string;
  secret: string;
  /** What it stored; unless given, the disk backend's files in storageDir. */
  stored?: Stored;
  /** SHARE_PASSWORD_TRIES of the target's settings. */
  passwordTries: number;
}

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const json = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

const auditTrail = (target: SharingTarget) => (target.stored ?? diskStored(target.storageDir)).audit();

/** Public files, share links, file requests and expires_in, against a running bdfu (serve or CGI). */
export type SharingPart = 'public' | 'links' | 'requests';

export function sharingSuite(t: Test, target: () => SharingTarget, parts: readonly SharingPart[] = ['public', 'links', 'requests']) {
  const part = (name: SharingPart) => parts.includes(name);
  const user = (prefix: string) => `${prefix}${randomBytes(3).toString('hex')}`;
  const owner = async (name: string) => {
    const token = await scopedToken(name, target().secret, 'upload read delete');
    return { name, token, auth: bearer(token) };
  };
  const post = (url: string, auth: Record<string, string>, value: unknown, method = 'POST') =>
    http(url, { method, headers: { ...auth, ...json(value).headers }, body: json(value).body });
  const stored = async (o: { token: string }, data: string, name = 'note.txt', type = 'text/plain') => {
    const reply = await upload(target().baseUrl, o.token, data, { name, type });
    if (reply.status !== 201) throw new Error(`upload failed: ${reply.text}`);
    return reply.json.id as string;
  };

  if (part('public')) t.test('public files: short link and by-name without a token, Range/ETag/304, 404 at once when unpublished', async (t) => {
    const { baseUrl } = target();
    const o = await owner(user('pub'));
    const older = await stored(o, 'old version', 'report.txt');
    const id = await stored(o, 'hello, world', 'report.txt');
    t.equal((await http(`${baseUrl}files/${o.name}/${id}`)).status, 401, 'still private');
    const mark = await http(`${baseUrl}files/${o.name}/${id}/public`, { method: 'PUT', headers: o.auth });
    t.equal(mark.status, 200);
    t.match(mark.json.short, /^[A-Za-z0-9]{8,12}$/);
    t.equal(mark.json.url, `${baseUrl}d/${mark.json.short}`);
    const again = await http(`${baseUrl}files/${o.name}/${id}/public`, { method: 'PUT', headers: o.auth });
    t.equal(again.json.short, mark.json.short, 'publishing twice keeps the short id');

    const bytes = await http(mark.json.url);
    t.equal(bytes.status, 200);
    t.equal(bytes.text, 'hello, world');
    t.match(bytes.headers['content-disposition'], /^attachment; filename="report.txt"/);
    t.equal(bytes.headers['x-content-type-options'], 'nosniff');
    t.match(bytes.headers['content-security-policy'], /sandbox/);
    const partial = await http(mark.json.url, { headers: { range: 'bytes=7-11' } });
    t.equal(partial.status, 206);
    t.equal(partial.text, 'world');
    const cached = await http(mark.json.url, { headers: { 'if-none-match': String(bytes.headers.etag) } });
    t.equal(cached.status, 304);

    const byName = await http(mark.json.byName);
    t.equal(byName.text, 'hello, world', 'by name: the newest public file of that name');
    await http(`${baseUrl}files/${o.name}/${older}/public`, { method: 'PUT', headers: o.auth });
    t.equal((await http(mark.json.byName)).text, 'hello, world', 'an older public file of the same name does not win');

    const page = await http(mark.json.url, { headers: HTML });
    t.equal(page.status, 200);
    t.match(page.headers['content-type'], /^text\/html/);
    t.match(page.text, /report\.txt/);
    t.match(page.text, /<svg class="qr"/);
    t.match(page.headers['content-security-policy'], /default-src 'none'/);
    t.equal((await http(`${mark.json.url}?download`, { headers: HTML })).text, 'hello, world', '?download: the bytes even for a browser');

    const unmark = await http(`${baseUrl}files/${o.name}/${id}/public`, { method: 'DELETE', headers: o.auth });
    t.equal(unmark.status, 200);
    const gone = await http(mark.json.url);
    t.equal(gone.status, 404, 'unpublished: 404 at once');
    t.equal(gone.json.code, 'link_not_found');
    t.equal((await http(mark.json.byName)).text, 'old version', 'by name now finds the older public file');
    await http(`${baseUrl}files/${o.name}/${older}/public`, { method: 'DELETE', headers: o.auth });
    t.equal((await http(mark.json.byName)).status, 404);
    t.equal((await http(mark.json.url, { headers: HTML })).status, 404, 'the page too');

    const stranger = await owner(user('other'));
    const refused = await http(`${baseUrl}files/${o.name}/${id}/public`, { method: 'PUT', headers: stranger.auth });
    t.equal(refused.status, 403, 'only the owner (or an admin) publishes');
    const admin = bearer(await scopedToken('root', target().secret, 'admin'));
    t.equal((await http(`${baseUrl}files/${o.name}/${id}/public`, { method: 'PUT', headers: admin })).status, 200, 'an admin may');
  });

  if (part('links')) t.test('share links: page or bytes, note, counts and last use, revoke → 410', async (t) => {
    const { baseUrl } = target();
    const o = await owner(user('share'));
    const id = await stored(o, 'shared bytes', 'shared.txt');
    const made = await post(`${baseUrl}files/${o.name}/${id}/links`, o.auth, { expiresIn: '2d', maxDownloads: 3, note: 'for <b>you</b>' });
    t.equal(made.status, 201, made.text);
    t.match(made.json, { maxDownloads: 3, downloads: 0, note: 'for <b>you</b>', password: false, state: 'active' });
    t.match(made.json.url, new RegExp(`^${baseUrl}s/[A-Za-z0-9]{22}$`));
    const page = await http(made.json.url, { headers: HTML });
    t.equal(page.status, 200);
    t.match(page.text, /for &#60;b&#62;you&#60;\/b&#62;/, 'the note is escaped');
    t.match(page.text, /Downloads left<\/dt><dd>3</);
    t.equal((await http(made.json.url)).text, 'shared bytes', 'curl (Accept */*) gets the bytes');
    t.equal((await http(`${made.json.url}?download`, { headers: HTML })).text, 'shared bytes');
    const listed = await http(`${baseUrl}links/${o.name}`, { headers: o.auth });
    t.equal(listed.status, 200);
    t.match(listed.json.links[0], { id: made.json.id, downloads: 2, file: id });
    t.ok(listed.json.links[0].lastUsed, 'last use is kept');
    const revoked = await http(`${baseUrl}links/${o.name}/${made.json.id}`, { method: 'DELETE', headers: o.auth });
    t.equal(revoked.status, 200);
    t.equal(revoked.json.state, 'revoked');
    const after = await http(made.json.url);
    t.equal(after.status, 410);
    t.equal(after.json.code, 'link_revoked');
    const afterPage = await http(made.json.url, { headers: HTML });
    t.equal(afterPage.status, 410);
    t.match(afterPage.text, /revoked/);
    const other = await owner(user('x'));
    t.equal((await http(`${baseUrl}links/${o.name}/${made.json.id}`, { method: 'DELETE', headers: other.auth })).status, 403);
    t.equal((await http(`${baseUrl}links/${o.name}/nope`, { method: 'DELETE', headers: o.auth })).json.code, 'link_not_found');
  });

  if (part('links')) t.test('deleting a file takes its share links and its public mark with it', async (t) => {
    const { baseUrl } = target();
    const o = await owner(user('gone'));
    const id = await stored(o, 'short-lived', 'gone.txt');
    const kept = await stored(o, 'stays', 'kept.txt');
    const link = await post(`${baseUrl}files/${o.name}/${id}/links`, o.auth, { expiresIn: '1d' });
    const other = await post(`${baseUrl}files/${o.name}/${kept}/links`, o.auth, { expiresIn: '1d' });
    const mark = await http(`${baseUrl}files/${o.name}/${id}/public`, { method: 'PUT', headers: o.auth });
    t.equal(mark.status, 200);
    t.equal((await http(`${baseUrl}files/${o.name}/${id}`, { method: 'DELETE', headers: o.auth })).status, 204);
    const listed = await http(`${baseUrl}links/${o.name}`, { headers: o.auth });
    t.same(listed.json.links.map((l: { id: string }) => l.id), [other.json.id], "the deleted file's link is no longer listed; the other file's stays");
    t.equal((await http(link.json.url)).status, 404, 'its link is unknown');
    t.equal((await http(mark.json.url)).status, 404, 'its short link is unknown');
    t.equal((await http(`${baseUrl}d/${o.name}/by-name/gone.txt`)).status, 404, 'and by name');
    t.equal((await http(other.json.url)).text, 'stays', 'the other file is still shared');
  });

  if (part('links')) t.test('a link limited to 2 downloads: the third is 410 link_exhausted', async (t) => {
    const { baseUrl } = target();
    const o = await owner(user('lim'));
    const id = await stored(o, 'twice');
    const made = await post(`${baseUrl}files/${o.name}/${id}/links`, o.auth, { maxDownloads: 2 });
    t.equal((await http(made.json.url)).status, 200);
    t.equal((await http(made.json.url, { method: 'HEAD' })).status, 200, 'HEAD does not count');
    t.equal((await http(made.json.url)).status, 200);
    const third = await http(made.json.url);
    t.equal(third.status, 410);
    t.equal(third.json.code, 'link_exhausted');
    t.match((await http(made.json.url, { headers: HTML })).text, /as many times as its owner allowed/);
  });

  if (part('links')) t.test('a one-time link raced by 16 concurrent downloads: exactly one gets the bytes', async (t) => {
    const { baseUrl } = target();
    const o = await owner(user('race'));
    const data = randomBytes(64 * 1024);
    const reply = await upload(baseUrl, o.token, data, { name: 'once.bin' });
    const made = await post(`${baseUrl}files/${o.name}/${reply.json.id}/links`, o.auth, { maxDownloads: 1 });
    const replies: Reply[] = await Promise.all(Array.from({ length: 16 }, () => http(made.json.url)));
    const ok = replies.filter((r) => r.status === 200);
    t.equal(ok.length, 1, 'exactly one 200');
    t.ok(ok[0]!.body.equals(data), 'and it has the whole file');
    t.same(replies.filter((r) => r.status !== 200).map((r) => r.json?.code), Array(15).fill('link_exhausted'), 'the other 15: 410 link_exhausted');
    const listed = await http(`${baseUrl}links/${o.name}`, { headers: o.auth });
    t.equal(listed.json.links[0].downloads, 1);
  });

  if (part('requests')) t.test('password links: bytes only by POST with the password, guessing throttled per link and address', async (t) => {
    const { baseUrl, passwordTries } = target();
    const o = await owner(user('pw'));
    const id = await stored(o, 'secret bytes');
    const made = await post(`${baseUrl}files/${o.name}/${id}/links`, o.auth, { password: 'correct horse' });
    t.equal(made.json.password, true);
    t.notMatch(JSON.stringify(made.json), /correct horse|scrypt/, 'neither the password nor its hash is shown');
    const page = await http(made.json.url, { headers: HTML });
    t.match(page.text, /type="password"/, 'the page asks for it');
    t.notMatch(page.text, /class="preview"/, 'no preview for a password link');
    const bare = await http(made.json.url);
    t.equal(bare.status, 401);
    t.equal(bare.json.code, 'password_required');
    const form = (password: string, headers: Record<string, string> = {}) =>
      http(made.json.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams({ password }).toString() });
    const wrong = await form('wrong');
    t.equal(wrong.status, 403);
    t.equal(wrong.json.code, 'wrong_password');
    const right = await form('correct horse');
    t.equal(right.status, 200);
    t.equal(right.text, 'secret bytes');
    const wrongPage = await form('nope', HTML);
    t.equal(wrongPage.status, 403);
    t.match(wrongPage.text, /Wrong password/);
    for (let i = 1; i < passwordTries; i++) await form(`guess ${i}`);
    const throttled = await form('correct horse');
    t.equal(throttled.status, 429, 'past the tries allowed even the right password waits');
    t.equal(throttled.json.code, 'too_many_tries');
    t.match(throttled.headers['retry-after'], /^\d+$/);
    const listed = await http(`${baseUrl}links/${o.name}`, { headers: o.auth });
    t.equal(listed.json.links[0].downloads, 1, 'only the right password downloaded');
  });

  if (part('requests')) t.test('share link options are checked', async (t) => {
    const { baseUrl } = target();
    const o = await owner(user('opt'));
    const id = await stored(o, 'x');
    const url = `${baseUrl}files/${o.name}/${id}/links`;
    t.equal((await post(url, o.auth, { expiresIn: 'never' })).json.code, 'bad_expiry', 'never is refused while SHARE_LINK_MAX_DAYS caps links');
    t.equal((await post(url, o.auth, { expiresIn: '400d' })).json.code, 'bad_expiry');
    t.equal((await post(url, o.auth, { maxDownloads: -1 })).json.code, 'bad_max_downloads');
    t.equal((await post(url, o.auth, { note: 5 })).json.code, 'bad_note');
    t.equal((await post(`${baseUrl}files/${o.name}/${'0'.repeat(32)}/links`, o.auth, {})).status, 404);
    t.equal((await http(`${baseUrl}s/short`)).json.code, 'link_not_found');
  });

  if (part('requests')) t.test('file requests: anyone with the link uploads into the owner area, within max files; audited with the request id', async (t) => {
    const { baseUrl } = target();
    const o = await owner(user('req'));
    const made = await post(`${baseUrl}requests/${o.name}`, o.auth, { maxFiles: 2, maxBytes: 1000, note: 'Send me the <photos>' });
    t.equal(made.status, 201, made.text);
    t.match(made.json.url, new RegExp(`^${baseUrl}r/[A-Za-z0-9]{22}$`));
    const page = await http(made.json.url, { headers: HTML });
    t.equal(page.status, 200);
    t.match(page.text, /Send me the &#60;photos&#62;/);
    t.match(page.text, /enctype="multipart\/form-data"/);
    const send = (name: string, data: string, fields: Record<string, string> = {}) => {
      const parts = [...Object.entries(fields).map(([n, v]) => ({ name: n, data: v })), { name: 'file', filename: name, type: 'text/plain', data }];
      const { body, contentType } = multipart(parts);
      return http(made.json.url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length }, body });
    };
    const first = await send('a.txt', 'first file');
    t.equal(first.status, 201, first.text);
    t.equal(first.json.filesLeft, 1);
    const big = await send('big.txt', 'x'.repeat(2000));
    t.equal(big.status, 413, 'over maxBytes');
    const second = await send('b.txt', 'second file');
    t.equal(second.status, 201);
    const third = await send('c.txt', 'third file');
    t.equal(third.status, 410);
    t.equal(third.json.code, 'request_full');
    const files = await http(`${baseUrl}files/${o.name}`, { headers: o.auth });
    t.same(files.json.files.map((f: { name: string }) => f.name).sort(), ['a.txt', 'b.txt'], 'in the owner area');
    const uploads = (await auditTrail(target())).filter((e) => e.action === 'upload' && e.link === made.json.id && e.outcome === 'ok');
    t.same(uploads.map((e) => [e.user, e.owner, e.name]).sort(), [[null, o.name, 'a.txt'], [null, o.name, 'b.txt']], 'audited with the request id');
    const listed = await http(`${baseUrl}requests/${o.name}`, { headers: o.auth });
    t.match(listed.json.requests[0], { id: made.json.id, uploads: 2, state: 'full' });

    const locked = await post(`${baseUrl}requests/${o.name}`, o.auth, { password: 'open sesame' });
    const sendLocked = (password: string) => {
      const { body, contentType } = multipart([{ name: 'password', data: password }, { name: 'file', filename: 'p.txt', type: 'text/plain', data: 'locked' }]);
      return http(locked.json.url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length }, body });
    };
    t.equal((await sendLocked('wrong')).json.code, 'wrong_password');
    t.equal((await sendLocked('open sesame')).status, 201);
    const revoked = await http(`${baseUrl}requests/${o.name}/${locked.json.id}`, { method: 'DELETE', headers: o.auth });
    t.equal(revoked.json.state, 'revoked');
    t.equal((await sendLocked('open sesame')).json.code, 'link_revoked');
    t.equal((await http(locked.json.url, { headers: HTML })).status, 410);
  });

  if (part('requests')) t.test('expires_in on uploads: query or form field, capped by RETENTION_DAYS_MAX', async (t) => {
    const { baseUrl } = target();
    const o = await owner(user('ret'));
    const byQuery = await upload(baseUrl, o.token, 'q', { query: '?expires_in=2h' });
    t.equal(byQuery.status, 201);
    t.ok(Math.abs(Date.parse(byQuery.json.expires) - Date.now() - 7_200_000) < 120_000, 'two hours from now');
    const byField = await upload(baseUrl, o.token, 'f', { fields: { expires_in: '1d' } });
    t.ok(Math.abs(Date.parse(byField.json.expires) - Date.now() - 86_400_000) < 120_000, 'a day from now');
    const tooLong = await upload(baseUrl, o.token, 'x', { query: '?expires_in=400d' });
    t.equal(tooLong.status, 400);
    t.equal(tooLong.json.code, 'bad_expires_in');
    const badField = await upload(baseUrl, o.token, 'x', { fields: { expires_in: 'soon' } });
    t.equal(badField.json.code, 'bad_expires_in');
    const files = await http(`${baseUrl}files/${o.name}`, { headers: o.auth });
    t.equal(files.json.files.length, 2, 'refused uploads left nothing behind');
  });

  if (part('requests')) t.test('expires_in on resumable (tus) uploads: Upload-Metadata, checked at creation; the default applies too', async (t) => {
    const { baseUrl } = target();
    const o = await owner(user('tusret'));
    const tus = (metadata: Record<string, string>, data: string) => http(`${baseUrl}tus/`, {
      method: 'POST',
      headers: {
        ...o.auth, 'tus-resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'upload-length': String(Buffer.byteLength(data)),
        'upload-metadata': Object.entries(metadata).map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`).join(','),
      },
      body: Buffer.from(data),
    });
    const chosen = await tus({ filename: 'two-hours.txt', expires_in: '2h' }, 'kept two hours');
    t.equal(chosen.status, 201, chosen.text);
    t.ok(Math.abs(Date.parse(chosen.json.expires) - Date.now() - 7_200_000) < 120_000, 'two hours from now');
    const byDefault = await tus({ filename: 'default.txt' }, 'kept by default');
    t.equal(byDefault.status, 201, byDefault.text);
    t.ok(Date.parse(byDefault.json.expires) > Date.now(), 'RETENTION_DAYS_DEFAULT applies to resumable uploads as to any other');
    const tooLong = await tus({ filename: 'x.txt', expires_in: '400d' }, 'x');
    t.equal(tooLong.status, 400);
    t.equal(tooLong.json.code, 'bad_expires_in');
    const files = await http(`${baseUrl}files/${o.name}`, { headers: o.auth });
    t.equal(files.json.files.length, 2, 'the refused creation left nothing behind');
  });
}
