import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { http, type Reply } from '../helpers/http.js';
import { linkSignature } from '../helpers/signed-link.js';
import { bearer, scopedToken } from '../helpers/tokens.js';
import { bdfu } from '../helpers/run.js';
import { readmeExamplesSuite } from './readme-examples.js';
import { storedOf, type Target } from './upload-suite.js';

const ID = /^[0-9a-f]{32}$/;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const now = () => Math.floor(Date.now() / 1000);

interface UploadOptions {
  /** Sent as RFC 5987 `filename*=UTF-8''…`, so any character reaches the server. */
  name?: string;
  type?: string;
  fields?: Record<string, string>;
  query?: string;
}

/** POST upload with text fields first, then the file part. */
export function upload(baseUrl: string, token: string, data: Buffer | string, options: UploadOptions = {}): Promise<Reply> {
  const boundary = `b${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(options.fields ?? {})) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  const name = options.name ?? 'file.bin';
  chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''${encodeURIComponent(name)}\r\n` +
    `Content-Type: ${options.type ?? 'application/octet-stream'}\r\n\r\n`), Buffer.from(data), Buffer.from(`\r\n--${boundary}--\r\n`));
  const body = Buffer.concat(chunks);
  return http(`${baseUrl}upload${options.query ?? ''}`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
    body,
  });
}

/** The file's name as the `filename*` parameter of a Content-Disposition header says it. */
function dispositionName(header: unknown): string {
  const match = /filename\*=UTF-8''([^;\s]+)/.exec(String(header));
  return match ? decodeURIComponent(match[1]!) : '';
}

/**
 * The files API (issue 5), end to end: downloads, listing, deleting, download tokens, signed
 * links and the CLI. One suite, run once per hosting mode.
 */
export function filesSuite(t: Test, target: () => Target): void {
  const cli: typeof bdfu = (args, options) => (target().cli ?? bdfu)(args, options);
  const fileUrl = (user: string, id: string) => `${target().baseUrl}files/${encodeURIComponent(user)}/${id}`;
  const tokenFor = (user: string, scope?: string) => scopedToken(user, target().secret, scope);
  /** Content-Length says `n`; behind Apache CGI, which drops a script's Content-Length, it may be absent. */
  const lengthIs = (t: Test, res: Reply, n: number, message = 'Content-Length') => {
    const header = res.headers['content-length'];
    if (header === undefined && target().apache === 'cgi') t.pass(`${message}: none (Apache sends CGI replies without it)`);
    else t.equal(header, String(n), message);
  };

  t.test('the owner downloads a file: bytes and headers', async (t) => {
    const { baseUrl } = target();
    const token = await tokenFor('dora', 'upload read');
    const data = randomBytes(70_000);
    const up = await upload(baseUrl, token, data, { name: 'report.pdf', type: 'application/pdf' });
    t.equal(up.status, 201, up.text);
    const url = fileUrl('dora', up.json.id);
    t.equal(up.headers.location, url, 'upload answers Location: files/<user>/<id>');
    t.notOk('downloadToken' in up.json, 'no download token unless asked for');

    const res = await http(url, { headers: bearer(token) });
    t.equal(res.status, 200);
    t.ok(res.body.equals(data), 'the same bytes');
    t.equal(res.headers['content-type'], 'application/pdf', 'Content-Type as uploaded');
    lengthIs(t, res, data.length);
    t.equal(res.headers.etag, `"${sha256(data)}"`, 'ETag is the sha256');
    t.equal(res.headers['last-modified'], new Date(Math.floor(Date.parse(up.json.uploaded) / 1000) * 1000).toUTCString());
    t.equal(res.headers['accept-ranges'], 'bytes');
    t.equal(res.headers['x-content-type-options'], 'nosniff');
    t.equal(res.headers['content-security-policy'], "default-src 'none'; sandbox");
    t.equal(res.headers['content-disposition'], `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);

    const head = await http(url, { method: 'HEAD', headers: bearer(token) });
    t.equal(head.status, 200, 'HEAD');
    t.equal(head.body.length, 0, 'HEAD has no body');
    lengthIs(t, head, data.length);
    t.equal(head.headers.etag, res.headers.etag);

    const missing = await http(fileUrl('dora', 'f'.repeat(32)), { headers: bearer(token) });
    t.equal(missing.status, 404);
    t.equal(missing.json.code, 'file_not_found');
    const notAnId = await http(fileUrl('dora', 'nope'), { headers: bearer(token) });
    t.equal(notAnId.status, 404);
    t.equal(notAnId.json.code, 'file_not_found');
    const noToken = await http(url);
    t.equal(noToken.status, 401);
    t.equal(noToken.json.code, 'token_missing');
  });

  t.test('scopes: tokens without a scope claim (the original\'s) upload but neither read nor delete', async (t) => {
    const { baseUrl } = target();
    const original = await tokenFor('olga');
    const up = await upload(baseUrl, original, 'old-style');
    t.equal(up.status, 201, 'an old-style token still uploads');
    const url = fileUrl('olga', up.json.id);
    const cases: Array<[string, string, string, object?]> = [
      ['GET', url, 'read'],
      ['HEAD', url, 'read'],
      ['DELETE', url, 'delete'],
      ['GET', `${baseUrl}files/olga/`, 'read'],
      ['GET', `${baseUrl}files/olga/by-name/file.bin`, 'read'],
      ['POST', `${url}/share`, 'read'],
      ['GET', `${baseUrl}files/`, 'admin'],
    ];
    for (const scope of [undefined, 'upload']) {
      const token = await tokenFor('olga', scope);
      for (const [method, where, needed] of cases) {
        const res = await http(where, { method, headers: bearer(token) });
        t.equal(res.status, 403, `${scope ?? 'no scope'}: ${method} ${where.slice(baseUrl.length)} is 403`);
        if (method !== 'HEAD') t.equal(res.json.code, 'insufficient_scope', `${method}: insufficient_scope`);
        t.match(res.headers['www-authenticate'], new RegExp(`scope="${needed}"`), `${method}: names the scope ${needed}`);
      }
    }
    const readOnly = await tokenFor('olga', 'read');
    t.equal((await http(url, { method: 'DELETE', headers: bearer(readOnly) })).json.code, 'insufficient_scope', 'read cannot delete');
    t.equal((await upload(baseUrl, readOnly, 'x')).json.code, 'insufficient_scope', 'read cannot upload');
    const deleteOnly = await tokenFor('olga', 'delete');
    t.equal((await http(url, { headers: bearer(deleteOnly) })).json.code, 'insufficient_scope', 'delete cannot read');
    t.ok((await storedOf(target()).ids('olga')).includes(up.json.id), 'nothing was deleted by refused requests');
    const gen = await cli(['gen-token', '--scope', 'upload read', 'olga', target().secret]);
    t.equal(gen.code, 0, gen.stderr);
    t.equal((await http(url, { headers: bearer(gen.stdout.trim()) })).status, 200, 'bdfu gen-token --scope "upload read" reads');
    const bad = await cli(['gen-token', '--scope', 'read sudo', 'olga', target().secret]);
    t.equal(bad.code, 1);
    t.match(bad.stderr, /^bdfu: unknown scope sudo/);
  });

  t.test('a token reaches only its own user\'s files; admin reaches all', async (t) => {
    const { baseUrl } = target();
    const alice = await tokenFor('alice5', 'upload read delete');
    const up = await upload(baseUrl, alice, 'alice only', { name: 'secret.txt', type: 'text/plain' });
    const url = fileUrl('alice5', up.json.id);
    const mallory = await tokenFor('mallory', 'upload read delete');
    for (const [method, where] of [['GET', url], ['DELETE', url], ['GET', `${baseUrl}files/alice5/`], ['POST', `${url}/share`],
      ['GET', `${baseUrl}files/alice5/by-name/secret.txt`], ['GET', fileUrl('alice5', 'a'.repeat(32))]] as const) {
      const res = await http(where, { method, headers: bearer(mallory) });
      t.equal(res.status, 403, `${method} ${where.slice(baseUrl.length)}: 403`);
      t.equal(res.json.code, 'forbidden', 'forbidden (also for a file that does not exist)');
    }
    t.ok((await storedOf(target()).bytes('alice5', up.json.id))?.equals(Buffer.from('alice only')), 'still there');

    const admin = await tokenFor('root', 'admin');
    const read = await http(url, { headers: bearer(admin) });
    t.equal(read.status, 200, 'admin reads');
    t.equal(read.text, 'alice only');
    const list = await http(`${baseUrl}files/alice5/`, { headers: bearer(admin) });
    t.equal(list.json.files.length, 1, 'admin lists');
    const users = await http(`${baseUrl}files/`, { headers: bearer(admin) });
    t.equal(users.status, 200);
    t.ok(users.json.users.includes('alice5') && users.json.users.includes('olga'), 'admin lists users');
    t.same(users.json.users, [...users.json.users].sort(), 'sorted');
    const notAdmin = await http(`${baseUrl}files/`, { headers: bearer(alice) });
    t.equal(notAdmin.status, 403, 'GET files/ is admin only');
    t.equal(notAdmin.json.code, 'insufficient_scope');
    const del = await http(url, { method: 'DELETE', headers: bearer(admin) });
    t.equal(del.status, 204, 'admin deletes');
  });

  t.test('list: newest first, the public facts only', async (t) => {
    const { baseUrl } = target();
    const token = await tokenFor('lister', 'upload read');
    const empty = await http(`${baseUrl}files/lister/`, { headers: bearer(token) });
    t.equal(empty.status, 200);
    t.same(empty.json, { files: [] }, 'a user with no files has an empty list');
    const ids: string[] = [];
    for (const name of ['one.txt', 'two.txt', 'three.txt']) {
      ids.push((await upload(baseUrl, token, name, { name, type: 'text/plain', fields: { download_token: '1' } })).json.id);
      await new Promise((r) => setTimeout(r, 15));
    }
    const res = await http(`${baseUrl}files/lister/`, { headers: bearer(token) });
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    t.same(res.json.files.map((f: { id: string }) => f.id), [...ids].reverse(), 'newest first');
    const first = res.json.files[0];
    t.same(Object.keys(first).sort(), ['id', 'name', 'sha256', 'size', 'type', 'uploaded']);
    t.same(first, { id: ids[2], name: 'three.txt', size: 9, type: 'text/plain', sha256: sha256('three.txt'), uploaded: first.uploaded });
    t.notMatch(res.text, /downloadToken/i, 'no download token (or its hash) is listed');
    const noSlash = await http(`${baseUrl}files/lister`, { headers: bearer(token) });
    t.same(noSlash.json, res.json, 'files/<user> without the slash lists too');
  });

  t.test('by-name: the newest file uploaded under that name', async (t) => {
    const { baseUrl } = target();
    const token = await tokenFor('namer', 'upload read');
    const name = 'Grüße & plans 2026.txt';
    await upload(baseUrl, token, 'old version', { name });
    await new Promise((r) => setTimeout(r, 15));
    const newer = await upload(baseUrl, token, 'new version', { name });
    await upload(baseUrl, token, 'another file', { name: 'other.txt' });
    const res = await http(`${baseUrl}files/namer/by-name/${encodeURIComponent(name)}`, { headers: bearer(token) });
    t.equal(res.status, 200);
    t.equal(res.text, 'new version', 'the newest one');
    t.equal(res.headers.etag, `"${newer.json.sha256}"`);
    const missing = await http(`${baseUrl}files/namer/by-name/nothing.txt`, { headers: bearer(token) });
    t.equal(missing.status, 404);
    t.equal(missing.json.code, 'file_not_found');
  });

  t.test('delete', async (t) => {
    const { baseUrl } = target();
    const token = await tokenFor('deleter', 'upload read delete');
    const up = await upload(baseUrl, token, 'bye', { fields: { download_token: '1' } });
    const url = fileUrl('deleter', up.json.id);
    const res = await http(url, { method: 'DELETE', headers: bearer(token) });
    t.equal(res.status, 204);
    t.equal(res.body.length, 0);
    t.same(await storedOf(target()).entries('deleter'), [], 'the file and its metadata are gone');
    t.equal((await http(url, { headers: bearer(token) })).json.code, 'file_not_found', 'then GET is 404');
    const again = await http(url, { method: 'DELETE', headers: bearer(token) });
    t.equal(again.status, 404, 'deleting again is 404');
    t.equal(again.json.code, 'file_not_found');
    const put = await http(url, { method: 'PUT', headers: bearer(token) });
    t.equal(put.status, 405);
    t.match(put.headers.allow, /DELETE/);
  });

  t.test('conditional requests', async (t) => {
    const { baseUrl } = target();
    const token = await tokenFor('cond', 'upload read');
    const up = await upload(baseUrl, token, 'cache me');
    const url = fileUrl('cond', up.json.id);
    const first = await http(url, { headers: bearer(token) });
    const etag = first.headers.etag as string;
    const lastModified = first.headers['last-modified'] as string;
    const ask = (headers: Record<string, string>) => http(url, { headers: { ...bearer(token), ...headers } });

    const same = await ask({ 'if-none-match': etag });
    t.equal(same.status, 304, 'If-None-Match with the ETag');
    t.equal(same.body.length, 0, 'no body');
    t.equal(same.headers.etag, etag, '304 carries the ETag');
    t.equal((await ask({ 'if-none-match': `"other", W/${etag}` })).status, 304, 'weak comparison, in a list');
    t.equal((await ask({ 'if-none-match': '*' })).status, 304, '*');
    t.equal((await ask({ 'if-none-match': '"other"' })).status, 200, 'another ETag');
    t.equal((await ask({ 'if-modified-since': lastModified })).status, 304, 'If-Modified-Since = Last-Modified');
    t.equal((await ask({ 'if-modified-since': new Date(Date.now() + 3600_000).toUTCString() })).status, 304, 'a later date');
    t.equal((await ask({ 'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() })).status, 200, 'an earlier date');
    t.equal((await ask({ 'if-modified-since': 'yesterday-ish' })).status, 200, 'an invalid date is ignored');
    t.equal((await ask({ 'if-none-match': '"other"', 'if-modified-since': lastModified })).status, 200, 'If-None-Match wins over If-Modified-Since');
    t.equal((await http(url, { method: 'HEAD', headers: { ...bearer(token), 'if-none-match': etag } })).status, 304, 'HEAD too');
  });

  t.test('ranges', async (t) => {
    const { baseUrl } = target();
    const token = await tokenFor('ranger', 'upload read');
    const data = randomBytes(1000);
    const up = await upload(baseUrl, token, data);
    const url = fileUrl('ranger', up.json.id);
    const ask = (range: string, extra: Record<string, string> = {}) => http(url, { headers: { ...bearer(token), range, ...extra } });
    const partial: Array<[string, number, number]> = [
      ['bytes=0-9', 0, 9], ['bytes=10-', 10, 999], ['bytes=-5', 995, 999], ['bytes=990-5000', 990, 999],
      ['bytes=-5000', 0, 999], ['bytes=999-999', 999, 999], ['bytes = 3-4', 3, 4],
    ];
    for (const [range, start, end] of partial) {
      const res = await ask(range);
      t.equal(res.status, 206, `${range}: 206`);
      t.equal(res.headers['content-range'], `bytes ${start}-${end}/1000`, `${range}: Content-Range`);
      lengthIs(t, res, end - start + 1, `${range}: Content-Length`);
      t.ok(res.body.equals(data.subarray(start, end + 1)), `${range}: the bytes`);
    }
    for (const range of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0']) {
      const res = await ask(range);
      t.equal(res.status, 416, `${range}: 416`);
      t.equal(res.json.code, 'range_not_satisfiable');
      t.equal(res.headers['content-range'], 'bytes */1000', `${range}: says the size`);
    }
    for (const range of ['bytes=0-1,5-6', 'bytes=5-1', 'items=0-1', 'bytes=abc', 'bytes=']) {
      const res = await ask(range);
      if (target().apache && range.includes(',') && res.status === 206) {
        t.match(res.headers['content-type'], /^multipart\/byteranges/, `${range}: Apache answered the ranges itself`);
        continue;
      }
      t.equal(res.status, 200, `${range}: the whole file`);
      t.equal(res.body.length, 1000);
    }
    const etag = up.json.sha256;
    t.equal((await ask('bytes=0-1', { 'if-range': `"${etag}"` })).status, 206, 'If-Range with the current ETag');
    t.equal((await ask('bytes=0-1', { 'if-range': '"stale"' })).status, 200, 'If-Range with an old ETag: the whole file');
    const head = await http(url, { method: 'HEAD', headers: { ...bearer(token), range: 'bytes=-10' } });
    t.equal(head.status, 206, 'HEAD with a range');
    t.equal(head.headers['content-range'], 'bytes 990-999/1000');
    t.equal(head.body.length, 0);
    const emptyUp = await upload(baseUrl, token, '');
    const empty = await http(fileUrl('ranger', emptyUp.json.id), { headers: { ...bearer(token), range: 'bytes=0-' } });
    t.equal(empty.status, 416, 'any range of an empty file is 416');
    const whole = await http(fileUrl('ranger', emptyUp.json.id), { headers: bearer(token) });
    t.equal(whole.status, 200, 'an empty file');
    lengthIs(t, whole, 0);
  });

  t.test('hostile file names and types cannot break headers or run script', async (t) => {
    const { baseUrl } = target();
    const stored = storedOf(target());
    const token = await tokenFor('hostile', 'upload read');
    const names = [
      'a"b\r\nSet-Cookie: pwned=1\r\n\r\n<script>.html',
      'quote"semi;colon=x.svg',
      'Grüße 日本語 😀.txt',
      '%22percent%0D%0A.txt',
      '\u0000nul\u0007bell\u007f.txt',
    ];
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    for (const name of names) {
      const label = JSON.stringify(name);
      let up = await upload(baseUrl, token, svg, { name, type: 'image/svg+xml' });
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(name)) {
        // Uploads refuse names with control characters (the hardening suite's rule); one that
        // reaches the record anyway (written by hand, an older bdfu) is still served safely.
        t.equal(up.status, 400, `${label}: refused on upload`);
        t.equal(up.json.code, 'bad_file_name');
        if (name.includes('\u0000') && !stored.holdsNul) continue;
        up = await upload(baseUrl, token, svg, { name: 'plain.svg', type: 'image/svg+xml' });
        await stored.editRecord('hostile', up.json.id, { name });
      }
      t.equal(up.status, 201, label);
      const res = await http(fileUrl('hostile', up.json.id), { headers: bearer(token) });
      t.equal(res.status, 200, `${label}: 200`);
      t.notOk(res.headers['set-cookie'], `${label}: no header was injected`);
      const disposition = String(res.headers['content-disposition']);
      t.match(disposition, /^attachment; filename="[\x20-\x21\x23-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%!#$&+.^_`|~-]+$/, `${label}: a well-formed attachment`);
      const shown = dispositionName(disposition);
      t.notMatch(shown, /[\u0000-\u001f\u007f/\\]/, `${label}: no control characters or path separators in the name`);
      t.equal(shown, name.replace(/[\u0000-\u001f\u007f/\\]/g, '_'), `${label}: otherwise the name as uploaded`);
      t.equal(res.headers['content-type'], 'image/svg+xml', `${label}: the type as uploaded`);
      t.equal(res.headers['content-security-policy'], "default-src 'none'; sandbox", `${label}: no script can run`);
      t.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    // Names with path separators cannot arrive through multipart (busboy keeps what follows the last / or \);
    // a record written by hand (a metadata file on the disk, a row in PostgreSQL) can still hold one.
    const up = await upload(baseUrl, token, 'x', { name: 'plain.txt' });
    await stored.editRecord('hostile', up.json.id, { name: '../../etc/passwd', type: 'text/html\r\nX-Evil: 1' });
    const res = await http(fileUrl('hostile', up.json.id), { headers: bearer(token) });
    t.equal(dispositionName(res.headers['content-disposition']), '.._.._etc_passwd', '../ cannot name a path');
    t.match(String(res.headers['content-disposition']), /^attachment; filename="\.\._\.\._etc_passwd"/);
    t.equal(res.headers['content-type'], 'application/octet-stream', 'a type that is not a plain media type is not echoed');
    t.notOk(res.headers['x-evil']);
  });

  t.test('per-file download tokens', async (t) => {
    const { baseUrl } = target();
    const owner = await tokenFor('dl', 'upload read');
    const data = randomBytes(3000);
    const up = await upload(baseUrl, owner, data, { name: 'shared.bin', fields: { download_token: '1' } });
    t.equal(up.status, 201);
    const token = up.json.downloadToken;
    t.match(token, /^[A-Za-z0-9_-]{43}$/, 'the answer carries a download token (256 bits, URL-safe)');
    const stored = storedOf(target());
    t.notMatch((await stored.recordText('dl', up.json.id)) ?? '', token, 'the token itself is not stored');
    t.equal((await stored.record('dl', up.json.id))?.downloadTokenHash, sha256(token), 'only its sha256');
    const viaQuery = await upload(baseUrl, owner, 'q', { query: '?download_token=1' });
    t.match(viaQuery.json.downloadToken, /^[A-Za-z0-9_-]{43}$/, '?download_token=1 works too');
    const plain = await upload(baseUrl, owner, 'no token here');

    const url = fileUrl('dl', up.json.id);
    const ok = await http(`${url}?token=${token}`);
    t.equal(ok.status, 200, 'the right token, no bearer token: 200');
    t.ok(ok.body.equals(data));
    t.equal(ok.headers.etag, `"${up.json.sha256}"`);
    t.equal(ok.headers['content-disposition'], `attachment; filename="shared.bin"; filename*=UTF-8''shared.bin`);
    t.equal((await http(`${url}?token=${token}`, { headers: { range: 'bytes=0-9' } })).status, 206, 'ranges work with a download token');
    t.equal((await http(`${url}?token=${token}`, { method: 'HEAD' })).status, 200, 'HEAD with a download token');

    const refused: Array<[string, string]> = [
      ['a wrong token', `${url}?token=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`],
      ['an empty token', `${url}?token=`],
      ['the token on a file that does not exist', `${fileUrl('dl', 'b'.repeat(32))}?token=${token}`],
      ['the token on a malformed id', `${fileUrl('dl', 'x')}?token=${token}`],
      ['the token for another user', `${fileUrl('someone', up.json.id)}?token=${token}`],
      ['the token on an invalid user name', `${baseUrl}files/.hidden/${up.json.id}?token=${token}`],
      ['the token on a file that has none', `${fileUrl('dl', plain.json.id)}?token=${token}`],
      ['another file\'s token', `${fileUrl('dl', plain.json.id)}?token=${viaQuery.json.downloadToken}`],
    ];
    for (const [what, where] of refused) {
      const res = await http(where);
      t.equal(res.status, 403, `${what}: 403, never 404`);
      t.equal(res.json?.code, 'download_token_invalid', `${what}: download_token_invalid`);
    }
    const del = await http(url, { method: 'DELETE', headers: bearer(await tokenFor('dl', 'delete')) });
    t.equal(del.status, 204);
    const gone = await http(`${url}?token=${token}`);
    t.equal(gone.status, 403, 'after deletion the token finds nothing to match: still 403');
  });

  t.test('signed links', async (t) => {
    const { baseUrl, secret } = target();
    const owner = await tokenFor('signer', 'upload read');
    const data = randomBytes(2048);
    const up = await upload(baseUrl, owner, data, { name: 'to share.bin' });
    const url = fileUrl('signer', up.json.id);
    const path = `/files/signer/${up.json.id}`;

    const signed = await cli(['sign-url', baseUrl, owner, `signer/${up.json.id}`, '--expires-in', '3600']);
    t.equal(signed.code, 0, signed.stderr);
    const link = signed.stdout.trim();
    t.match(link, new RegExp(`^${url.replace(/[.?]/g, '\\$&')}\\?expires=\\d+&signature=[A-Za-z0-9_-]{43}$`), 'bdfu sign-url prints a URL on the mount point');
    const expires = Number(new URL(link).searchParams.get('expires'));
    t.ok(Math.abs(expires - (now() + 3600)) < 60, 'expires in an hour');
    t.equal(new URL(link).searchParams.get('signature'), linkSignature(secret, path, expires), 'HMAC-SHA256 over method, path and expiry, with the HKDF-derived key (as documented)');

    const res = await http(link);
    t.equal(res.status, 200, 'anyone can download with it');
    t.ok(res.body.equals(data));
    t.equal(res.headers['x-content-type-options'], 'nosniff');
    t.equal(res.headers['content-security-policy'], "default-src 'none'; sandbox");
    t.equal((await http(link, { method: 'HEAD' })).status, 200, 'HEAD is GET');

    const api = await http(`${url}/share?expires_in=60`, { method: 'POST', headers: bearer(owner) });
    t.equal(api.status, 201, 'the share API');
    t.ok(Math.abs(Date.parse(api.json.expires) - (now() + 60) * 1000) < 60_000, 'expires is an ISO time');
    t.equal((await http(api.json.url)).status, 200);
    const body = JSON.stringify({ expiresIn: 120 });
    const withBody = await http(`${url}/share`, { method: 'POST', headers: { ...bearer(owner), 'content-type': 'application/json', 'content-length': body.length }, body });
    t.equal(withBody.status, 201, 'expiresIn in a JSON body');
    t.equal(Number(new URL(withBody.json.url).searchParams.get('expires')) - now() <= 120, true);
    for (const [what, query, reqBody] of [['zero', '?expires_in=0', undefined], ['too long', '?expires_in=99999999', undefined], ['not a number', '', '{"expiresIn":"soon"}'], ['not JSON', '', 'soon']] as const) {
      const bad = await http(`${url}/share${query}`, { method: 'POST', headers: bearer(owner), ...(reqBody ? { body: reqBody } : {}) });
      t.equal(bad.status, 400, `${what}: 400`);
      t.match(bad.json.code, /^bad_(expiry|json)$/, `${what}: ${bad.json.code}`);
    }
    const missing = await http(`${fileUrl('signer', 'c'.repeat(32))}/share`, { method: 'POST', headers: bearer(owner) });
    t.equal(missing.status, 404, 'no link for a file that does not exist');

    const u = new URL(link);
    const sig = u.searchParams.get('signature')!;
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    const otherId = (await upload(baseUrl, owner, 'other')).json.id;
    const altered: Array<[string, string]> = [
      ['a changed signature', `${url}?expires=${expires}&signature=${flipped}`],
      ['a later expiry', `${url}?expires=${expires + 1}&signature=${sig}`],
      ['another file', `${fileUrl('signer', otherId)}?expires=${expires}&signature=${sig}`],
      ['another user', `${fileUrl('signer2', up.json.id)}?expires=${expires}&signature=${sig}`],
      ['no signature', `${url}?expires=${expires}`],
      ['no expiry', `${url}?signature=${sig}`],
      ['a signature from another secret', `${url}?expires=${expires}&signature=${linkSignature('not the secret', path, expires)}`],
      ['a link to a missing file, altered', `${fileUrl('signer', 'd'.repeat(32))}?expires=${expires}&signature=${sig}`],
    ];
    for (const [what, where] of altered) {
      const res = await http(where);
      t.equal(res.status, 403, `${what}: 403`);
      t.equal(res.json.code, 'link_invalid', `${what}: link_invalid`);
      t.match(res.json.error, /changed|not made by this server/, `${what}: says it was altered`);
    }
    const past = now() - 10;
    const expired = await http(`${url}?expires=${past}&signature=${linkSignature(secret, path, past)}`);
    t.equal(expired.status, 403, 'an expired link: 403');
    t.equal(expired.json.code, 'link_expired');
    t.match(expired.json.error, /expired/, 'says it expired');
    const validMissing = `/files/signer/${'e'.repeat(32)}`;
    const notThere = await http(`${baseUrl}${validMissing.slice(1)}?expires=${now() + 60}&signature=${linkSignature(secret, validMissing, now() + 60)}`);
    t.equal(notThere.status, 404, 'a genuine link to a missing file: 404 only after the link checked out');

    const short = await http(`${url}/share?expires_in=1`, { method: 'POST', headers: bearer(owner) });
    await new Promise((r) => setTimeout(r, 2200));
    const late = await http(short.json.url);
    t.equal(late.status, 403, 'a link used after its lifetime');
    t.equal(late.json.code, 'link_expired');
    const del = await http(link, { method: 'DELETE' });
    t.equal(del.status, 401, 'a signed link does not delete');
  });

  t.test('the CLI: download (resume), ls, rm, sign-url', async (t) => {
    const { baseUrl } = target();
    const token = await tokenFor('clier', 'upload read delete');
    const work = mkdtempSync(join(tmpdir(), 'bdfu-cli-'));
    const data = randomBytes(300_000);
    writeFileSync(join(work, 'big.bin'), data);
    const up = await cli(['upload', baseUrl, token, join(work, 'big.bin')]);
    const id = up.stdout.trim();
    t.match(id, ID);

    writeFileSync(join(work, 'note.txt'), 'a short note\n');
    const noteId = (await cli(['upload', baseUrl, token, join(work, 'note.txt')])).stdout.trim();
    const toStdout = await cli(['download', baseUrl, token, `clier/${noteId}`]);
    t.equal(toStdout.code, 0, toStdout.stderr);
    t.equal(toStdout.stdout, 'a short note\n', 'without -o the file goes to stdout');
    const out = join(work, 'out.bin');
    const fresh = await cli(['download', baseUrl, token, `clier/${id}`, '-o', out, '--json']);
    t.equal(fresh.code, 0, fresh.stderr);
    t.ok(readFileSync(out).equals(data), '-o writes the file');
    t.same(JSON.parse(fresh.stdout), { user: 'clier', id, file: out, size: data.length, sha256: sha256(data), resumedFrom: 0 });

    writeFileSync(out, data.subarray(0, 123_456));
    const resumed = await cli(['download', baseUrl, token, `clier/${id}`, '-o', out, '--json']);
    t.equal(resumed.code, 0, resumed.stderr);
    t.equal(JSON.parse(resumed.stdout).resumedFrom, 123_456, 'a partial file is resumed with Range');
    t.ok(readFileSync(out).equals(data), 'and ends up whole');
    const complete = await cli(['download', baseUrl, token, `clier/${id}`, '-o', out, '--json']);
    t.equal(complete.code, 0, complete.stderr);
    t.equal(JSON.parse(complete.stdout).resumedFrom, data.length, 'a complete file is left as it is');
    const corrupt = Buffer.from(data.subarray(0, 1000));
    corrupt[0] = corrupt[0]! ^ 0xff;
    writeFileSync(out, corrupt);
    const bad = await cli(['download', baseUrl, token, `clier/${id}`, '-o', out]);
    t.equal(bad.code, 1, 'a partial file that differs is caught by the sha256 check (proof that only the rest was fetched)');
    t.match(bad.stderr, /^bdfu: download failed: .* does not match the server's sha256/);
    t.equal(bad.stderr.trim().split('\n').length, 1, 'one line');
    writeFileSync(out, Buffer.concat([data, Buffer.from('extra')]));
    const larger = await cli(['download', baseUrl, token, `clier/${id}`, '-o', out]);
    t.equal(larger.code, 1);
    t.match(larger.stderr, /larger than the file on the server/);

    const ls = await cli(['ls', baseUrl, token]);
    t.equal(ls.code, 0, ls.stderr);
    t.match(ls.stdout, new RegExp(`^${noteId}\t13\t\\S+\tnote\\.txt\n${id}\t${data.length}\t\\S+\tbig\\.bin\n$`), 'ls: id, size, time, name (of the token\'s user), newest first');
    const lsJson = await cli(['ls', baseUrl, token, 'clier', '--json']);
    t.equal(JSON.parse(lsJson.stdout).files[1].id, id, 'ls --json');
    const signJson = await cli(['sign-url', baseUrl, token, `clier/${id}`, '--expires-in', '60', '--json']);
    t.match(JSON.parse(signJson.stdout), { url: /expires=\d+&signature=/, expires: /^\d{4}-/ }, 'sign-url --json');

    const failures: Array<[string[], RegExp]> = [
      [['download', baseUrl, await tokenFor('clier'), `clier/${id}`], /^bdfu: download failed: HTTP 403: this token lacks the 'read' scope/],
      [['download', baseUrl, token, `clier/${'0'.repeat(32)}`], /^bdfu: download failed: HTTP 404: no such file/],
      [['download', baseUrl, token, 'clier-no-id'], /^bdfu: name the file as <user>\/<id>/],
      [['download', baseUrl, token, `clier/${id}`, '--json'], /^bdfu: --json needs -o FILE/],
      [['ls', baseUrl, token, 'someone-else'], /^bdfu: ls failed: HTTP 403: this token may not list files of another user/],
      [['ls', baseUrl, 'not-a-token'], /^bdfu: the token is not a JWT/],
      [['rm', baseUrl, await tokenFor('clier', 'read'), `clier/${id}`], /^bdfu: rm failed: HTTP 403/],
      [['sign-url', baseUrl, token, `clier/${id}`, '--expires-in', '0'], /--expires-in must be a whole number above 0/],
      [['sign-url', 'http://127.0.0.1:1/', token, `clier/${id}`], /^bdfu: cannot reach http:\/\/127\.0\.0\.1:1/],
    ];
    const answers = await Promise.all(failures.map(([args]) => cli(args)));
    for (const [i, [args, message]] of failures.entries()) {
      const res = answers[i]!;
      t.equal(res.code, 1, `${args[0]} ${args.slice(3).join(' ')}: exits 1`);
      t.match(res.stderr, message, `${args[0]}: ${message.source.slice(0, 40)}`);
      t.notMatch(res.stderr, /\n    at /, 'no stack trace');
    }
    const rm = await cli(['rm', baseUrl, token, `clier/${id}`, '--json']);
    t.equal(rm.code, 0, rm.stderr);
    t.same(JSON.parse(rm.stdout), { deleted: true, user: 'clier', id });
    const rmAgain = await cli(['rm', baseUrl, token, `clier/${id}`]);
    t.equal(rmAgain.code, 1);
    t.equal(rmAgain.stderr, 'bdfu: rm failed: HTTP 404: no such file\n', 'one clear line');
  });

  readmeExamplesSuite(t, target);
}
