import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Test } from 'tap';
import { http, type Reply } from '../helpers/http.js';
import { bearer, scopedToken } from '../helpers/tokens.js';

export interface StorageTarget {
  baseUrl: string;
  secret: string;
  /** MAX_UPLOAD_SIZE of the target's settings. */
  maxBytes: number;
  /**
   * CGI: the web server decodes the path into PATH_INFO, so bdfu cannot see an encoded slash
   * (Apache itself refuses one by default: AllowEncodedSlashes Off).
   */
  cgi?: boolean;
  /** Apache 2.4.60 and later drop a CGI script's Content-Length (GETs go chunked): a HEAD then has none. */
  headWithoutLength?: boolean;
  /** Apache in front refuses an encoded slash itself (404: AllowEncodedSlashes Off), before bdfu sees it. */
  apacheFront?: boolean;
}

const FOLDER_CONTEXT = 'http://remotestorage.io/spec/folder-description';

/**
 * The remoteStorage storage API (draft-dejong-remotestorage-26) through a running bdfu, each case
 * named by the section of the draft it checks. One suite, run per hosting mode and backend.
 */
export function remoteStorageSuite(t: Test, target: () => StorageTarget): void {
  const user = (prefix: string) => `${prefix}${randomBytes(3).toString('hex')}`;
  const url = (owner: string, path: string) => `${target().baseUrl}storage/${owner}${path}`;
  const token = (owner: string, scope: string) => scopedToken(owner, target().secret, scope);
  const put = async (owner: string, path: string, body: string | Buffer, scope = '*:rw', headers: Record<string, string> = {}) =>
    http(url(owner, path), { method: 'PUT', headers: { ...bearer(await token(owner, scope)), 'content-type': 'text/plain', ...headers }, body });
  const get = async (owner: string, path: string, scope = '*:r', headers: Record<string, string> = {}) =>
    http(url(owner, path), { headers: { ...bearer(await token(owner, scope)), ...headers } });

  t.test('§5 PUT stores any bytes with their Content-Type; §4 GET gives them back with a strong ETag and no-cache', async (t) => {
    const o = user('doc');
    const created = await put(o, '/notes/today.md', '# hello', 'notes:rw', { 'content-type': 'text/markdown; charset=utf-8' });
    t.equal(created.status, 201, created.text);
    t.match(created.headers.etag, /^"[^"]+"$/, 'a strong ETag');
    const got = await get(o, '/notes/today.md', 'notes:r');
    t.equal(got.status, 200);
    t.equal(got.text, '# hello');
    t.equal(got.headers['content-type'], 'text/markdown; charset=utf-8');
    t.equal(got.headers.etag, created.headers.etag);
    t.equal(got.headers['cache-control'], 'no-cache');
    const head = await http(url(o, '/notes/today.md'), { method: 'HEAD', headers: bearer(await token(o, 'notes:r')) });
    t.equal(head.status, 200);
    if (!target().headWithoutLength) t.equal(head.headers['content-length'], '7');
    t.equal(head.body.length, 0, 'HEAD: no body');
    const binary = randomBytes(70_000);
    const chunked = await http(url(o, '/notes/blob.bin'), {
      method: 'PUT', headers: { ...bearer(await token(o, 'notes:rw')), 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      body: Readable.from([binary.subarray(0, 30_000), binary.subarray(30_000)]),
    });
    t.equal(chunked.status, 201, 'a chunked PUT is taken');
    t.same((await get(o, '/notes/blob.bin')).body, binary, 'binary bytes intact');
    const updated = await put(o, '/notes/today.md', '# changed');
    t.equal(updated.status, 200, 'an update is 200');
    t.not(updated.headers.etag, created.headers.etag, 'with a new ETag');
    const ranged = await put(o, '/notes/today.md', 'x', '*:rw', { 'content-range': 'bytes 0-0/1' });
    t.equal(ranged.status, 400, '§5: a PUT with Content-Range is 400');
    t.equal((await get(o, '/notes/missing')).status, 404, '§4: a missing document is 404');
  });

  t.test('§10 Range on GET (WebFinger says rfc7233 "GET"; RFC 9110 §14): one range 206, If-Range, 416', async (t) => {
    const o = user('rng');
    const created = await put(o, '/notes/abc.txt', '0123456789');
    const part = await get(o, '/notes/abc.txt', '*:r', { range: 'bytes=2-5' });
    t.equal(part.status, 206);
    t.equal(part.text, '2345');
    t.equal(part.headers['content-range'], 'bytes 2-5/10');
    t.equal(part.headers.etag, created.headers.etag);
    t.equal((await get(o, '/notes/abc.txt', '*:r', { range: 'bytes=-3' })).text, '789', 'a suffix range');
    const stale = await get(o, '/notes/abc.txt', '*:r', { range: 'bytes=2-5', 'if-range': '"not-this-one"' });
    t.equal(stale.status, 200, 'If-Range with another ETag: the whole document');
    t.equal(stale.text, '0123456789');
    const beyond = await get(o, '/notes/abc.txt', '*:r', { range: 'bytes=20-' });
    t.equal(beyond.status, 416);
    t.equal(beyond.json.code, 'range_not_satisfiable');
    t.equal(beyond.headers['content-range'], 'bytes */10');
  });

  t.test('§4 folders: JSON-LD listings with ETags, folder ETags change with anything below, empty folders not listed', async (t) => {
    const o = user('dir');
    await put(o, '/notes/a.txt', 'aaa');
    await put(o, '/notes/sub/b.txt', 'bb');
    const listing = await get(o, '/notes/');
    t.equal(listing.status, 200);
    t.match(listing.headers['content-type'], /^application\/ld\+json/);
    t.equal(listing.headers['cache-control'], 'no-cache');
    t.equal(listing.json['@context'], FOLDER_CONTEXT);
    const a = listing.json.items['a.txt'];
    t.match(a, { 'Content-Type': 'text/plain', 'Content-Length': 3 });
    t.match(a.ETag, /\S/);
    t.ok(!Number.isNaN(Date.parse(a['Last-Modified'])), 'Last-Modified is a date');
    t.same(Object.keys(listing.json.items['sub/']), ['ETag'], 'a sub-folder: its ETag only');
    const before = listing.headers.etag;
    await put(o, '/notes/sub/c.txt', 'c');
    const after = await get(o, '/notes/');
    t.not(after.headers.etag, before, 'a write below changes the folder ETag');
    t.not(after.json.items['sub/'].ETag, listing.json.items['sub/'].ETag, "and the sub-folder's");
    const cached = await get(o, '/notes/', '*:r', { 'if-none-match': String(after.headers.etag) });
    t.equal(cached.status, 304, 'If-None-Match with the current folder ETag: 304');
    for (const name of ['/notes/sub/b.txt', '/notes/sub/c.txt']) {
      t.equal((await http(url(o, name), { method: 'DELETE', headers: bearer(await token(o, '*:rw')) })).status, 200);
    }
    t.same(Object.keys((await get(o, '/notes/')).json.items), ['a.txt'], 'an emptied folder is no longer listed');
    const root = await get(o, '/');
    t.same(Object.keys(root.json.items), ['notes/'], 'the root lists the modules');
    const none = await get(o, '/nothing/');
    t.equal(none.status, 200);
    t.same(none.json.items, {}, 'a folder that does not exist: an empty listing');
  });

  t.test('§5 If-Match / If-None-Match decide writes (412), GET with If-None-Match is 304; racing writers: exactly one wins', async (t) => {
    const o = user('cond');
    const first = await put(o, '/app/doc.json', '{"v":1}', '*:rw', { 'if-none-match': '*' });
    t.equal(first.status, 201, 'If-None-Match: * creates');
    const again = await put(o, '/app/doc.json', '{"v":2}', '*:rw', { 'if-none-match': '*' });
    t.equal(again.status, 412, 'If-None-Match: * on an existing document: 412');
    const etag = String(first.headers.etag);
    t.equal((await put(o, '/app/doc.json', '{"v":2}', '*:rw', { 'if-match': '"not-it"' })).status, 412, 'If-Match with another ETag: 412');
    t.equal((await put(o, '/app/doc.json', '{"v":2}', '*:rw', { 'if-match': `"nope", ${etag}` })).status, 200, 'If-Match with a list holding the ETag: 200');
    t.equal((await get(o, '/app/doc.json', '*:r', { 'if-none-match': etag })).status, 200, 'an old ETag: the new bytes');
    const current = String((await get(o, '/app/doc.json')).headers.etag);
    t.equal((await get(o, '/app/doc.json', '*:r', { 'if-none-match': current })).status, 304, 'the current ETag: 304');
    t.equal((await http(url(o, '/app/doc.json'), { method: 'DELETE', headers: { ...bearer(await token(o, '*:rw')), 'if-match': '"old"' } })).status, 412, 'a DELETE with the wrong If-Match: 412');
    const racers = await Promise.all(Array.from({ length: 6 }, (_, i) => put(o, '/app/doc.json', `{"racer":${i}}`, '*:rw', { 'if-match': current })));
    const statuses = racers.map((r) => r.status).sort();
    t.same(statuses, [200, 412, 412, 412, 412, 412], 'six writers on one ETag: exactly one wins');
    const winner = racers.findIndex((r) => r.status === 200);
    t.equal((await get(o, '/app/doc.json')).text, `{"racer":${winner}}`, "the document holds the winner's bytes");
  });

  t.test('§4 a document and a folder never share a name along the path: 409', async (t) => {
    const o = user('clash');
    await put(o, '/m/a', 'document a');
    t.equal((await put(o, '/m/a/b', 'below a document')).status, 409, 'a folder where a document is');
    await put(o, '/m/x/y', 'in folder x');
    t.equal((await put(o, '/m/x', 'a document where a folder is')).status, 409);
    t.equal((await get(o, '/m/a')).text, 'document a', 'nothing changed');
  });

  t.test('§9 scopes per module; §10 the token in the Authorization header or access_token; /public/ documents need none', async (t) => {
    const o = user('scope');
    await put(o, '/notes/n.txt', 'note');
    await put(o, '/public/notes/p.txt', 'for everyone');
    const plain = (path: string, headers: Record<string, string> = {}) => http(url(o, path), { headers });
    t.equal((await plain('/notes/n.txt')).status, 401, 'no token: 401');
    t.equal((await plain('/public/notes/p.txt')).text, 'for everyone', 'a public document without a token');
    t.equal((await plain('/public/notes/')).status, 401, 'a public folder is not listable without a token');
    t.equal((await get(o, '/notes/n.txt', 'notes:r')).status, 200, 'notes:r reads notes');
    t.equal((await put(o, '/notes/n.txt', 'x', 'notes:r')).status, 403, 'notes:r does not write');
    t.equal((await get(o, '/notes/n.txt', 'photos:rw')).status, 403, 'another module: 403');
    t.equal((await get(o, '/public/notes/', 'notes:r')).status, 200, 'notes:r lists /public/notes/');
    t.equal((await put(o, '/public/notes/q.txt', 'x', 'notes:r')).status, 403, 'and does not write there');
    t.equal((await get(o, '/', 'notes:rw')).status, 403, 'the root needs *:r');
    t.equal((await get(o, '/', '*:r')).status, 200);
    t.equal((await get(o, '/notes/n.txt', 'upload read delete')).status, 403, "bdfu's own scopes are not storage scopes");
    const stranger = await scopedToken(user('other'), target().secret, '*:rw');
    t.equal((await plain('/notes/n.txt', bearer(stranger))).status, 403, "another user's token: 403");
    const viaQuery = await http(`${url(o, '/notes/n.txt')}?access_token=${await token(o, 'notes:r')}`);
    t.equal(viaQuery.text, 'note', 'access_token in the query');
  });

  t.test('§8 CORS for any origin on every answer; preflights need no token', async (t) => {
    const o = user('cors');
    const preflight = await http(url(o, '/notes/n.txt'), {
      method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type, if-match' },
    });
    t.equal(preflight.status, 204);
    t.equal(preflight.headers['access-control-allow-origin'], '*');
    t.match(preflight.headers['access-control-allow-methods'], /PUT/);
    t.match(preflight.headers['access-control-allow-headers'], /If-Match/);
    const put1 = await put(o, '/notes/n.txt', 'x', '*:rw', { origin: 'https://app.example' });
    t.equal(put1.headers['access-control-allow-origin'], '*');
    t.match(put1.headers['access-control-expose-headers'], /ETag/);
    const refused = await http(url(o, '/notes/n.txt'), { headers: { origin: 'https://app.example' } });
    t.equal(refused.status, 401);
    t.equal(refused.headers['access-control-allow-origin'], '*', 'errors too, so the app can read them');
  });

  t.test("history: {endpoint}versions/ lists a document's versions and restores one as a new write", async (t) => {
    const o = user('hist');
    const versionsUrl = (owner: string, path: string) => `${target().baseUrl}versions/${owner}${path}`;
    const versions = async (path: string, scope = 'notes:r') => http(versionsUrl(o, path), { headers: bearer(await token(o, scope)) });
    const restore = async (path: string, version: unknown, scope = 'notes:rw') =>
      http(versionsUrl(o, path), { method: 'POST', headers: { ...bearer(await token(o, scope)), 'content-type': 'application/json' }, body: JSON.stringify({ version }) });
    const etags: string[] = [];
    for (const text of ['one', 'two!', 'three']) etags.push(String((await put(o, '/notes/h.txt', text)).headers.etag).replace(/"/g, ''));

    const listed = await versions('/notes/h.txt');
    t.equal(listed.status, 200, listed.text);
    t.match(listed.headers['content-type'], /^application\/json/);
    t.same({ user: listed.json.user, path: listed.json.path }, { user: o, path: '/notes/h.txt' });
    t.same(listed.json.versions.map((v: { etag: string }) => v.etag), [...etags].reverse(), 'three versions, newest first');
    t.same(listed.json.versions.map((v: { size: number }) => v.size), [5, 4, 3]);
    t.match(listed.json.versions[0], { version: String, contentType: 'text/plain', time: String });
    t.ok(listed.json.versions.every((v: { deleted?: boolean }) => v.deleted === undefined), 'no deletion among them');

    const first = listed.json.versions[2].version;
    const restored = await restore('/notes/h.txt', first);
    t.equal(restored.status, 200, restored.text);
    t.match(restored.json, { path: '/notes/h.txt', restored: first, size: 3 });
    const now = await get(o, '/notes/h.txt');
    t.equal(now.text, 'one', 'the first bytes are the document again');
    t.equal(String(now.headers.etag), `"${restored.json.etag}"`, 'with the ETag the restore answered');
    t.notOk(etags.includes(restored.json.etag), 'a new ETag, so apps see the change');
    const after = (await versions('/notes/h.txt')).json.versions;
    t.equal(after.length, 4, 'the restore is a version of its own');
    t.equal(after[0].app, 'bdfu web page');

    t.equal((await http(url(o, '/notes/h.txt'), { method: 'DELETE', headers: bearer(await token(o, '*:rw')) })).status, 200);
    const deletion = (await versions('/notes/h.txt')).json.versions[0];
    t.equal(deletion.deleted, true, 'a deletion is listed as a version');
    const refused = await restore('/notes/h.txt', deletion.version);
    t.equal(refused.status, 409);
    t.equal(refused.json.code, 'version_is_deletion');
    t.equal((await get(o, '/notes/h.txt')).status, 404, 'nothing was written');
    const unknown = await restore('/notes/h.txt', 'no-such-version');
    t.equal(unknown.status, 404);
    t.equal(unknown.json.code, 'not_found');
    t.equal((await restore('/notes/h.txt', first)).status, 200, 'a deleted document comes back');
    t.equal((await get(o, '/notes/h.txt')).text, 'one');

    const never = await versions('/notes/never.txt');
    t.equal(never.status, 404);
    t.equal(never.json.code, 'not_found');
    const folder = await versions('/notes/');
    t.equal(folder.status, 400);
    t.equal(folder.json.code, 'bad_path');
    const noVersion = await restore('/notes/h.txt', 42);
    t.equal(noVersion.status, 400, 'a body without a version id: 400');
  });

  t.test('history: the owner\'s token with the module\'s scope, r to list, rw to restore; /public/ is no exception', async (t) => {
    const o = user('hacl');
    await put(o, '/notes/n.txt', 'v1');
    await put(o, '/public/notes/p.txt', 'public');
    const versionsUrl = `${target().baseUrl}versions/${o}/notes/n.txt`;
    const first = (await http(versionsUrl, { headers: bearer(await token(o, 'notes:r')) })).json.versions[0].version;
    const restore = (headers: Record<string, string>) =>
      http(versionsUrl, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ version: first }) });
    const refusals: Array<[string, Promise<Reply>, number, string]> = [
      ['no token', http(versionsUrl), 401, 'token_missing'],
      ['a token for another module', http(versionsUrl, { headers: bearer(await token(o, 'photos:rw')) }), 403, 'insufficient_scope'],
      ["another user's token", http(versionsUrl, { headers: bearer(await scopedToken(user('other'), target().secret, '*:rw')) }), 403, 'forbidden'],
      ["bdfu's own scopes, admin too", http(versionsUrl, { headers: bearer(await token(o, 'upload read delete admin')) }), 403, 'insufficient_scope'],
      ['restore without a token', restore({}), 401, 'token_missing'],
      ['restore with notes:r', restore(bearer(await token(o, 'notes:r'))), 403, 'insufficient_scope'],
      ["restore with another user's token", restore(bearer(await scopedToken(user('other'), target().secret, '*:rw'))), 403, 'forbidden'],
      ['a public document\'s versions without a token', http(`${target().baseUrl}versions/${o}/public/notes/p.txt`), 401, 'token_missing'],
    ];
    for (const [what, reply, status, code] of refusals) {
      const res = await reply;
      t.equal(res.status, status, what);
      t.equal(res.json?.code, code, `${what}: ${code}`);
    }
    const viaQuery = await http(`${versionsUrl}?access_token=${await token(o, 'notes:r')}`);
    t.equal(viaQuery.status, 200, 'access_token in the query');
    t.equal((await restore(bearer(await token(o, 'notes:rw')))).status, 200, 'notes:rw restores');
  });

  t.test('limits as for uploads (413), bad paths (400), DELETE (200, then 404)', async (t) => {
    const o = user('lim');
    const big = await put(o, '/big/file', Buffer.alloc(target().maxBytes + 1));
    t.equal(big.status, 413, big.text);
    t.equal((await get(o, '/big/file')).status, 404, 'nothing half-written');
    const encodedSlash = await http(`${target().baseUrl}storage/${o}/a%2Fb/c`, { headers: bearer(await token(o, '*:r')) });
    if (target().apacheFront) t.equal(encodedSlash.status, 404, 'an encoded slash: refused by Apache');
    else if (!target().cgi) t.equal(encodedSlash.status, 400, 'an encoded slash: 400');
    await put(o, '/tmp/x', 'x');
    const removed = await http(url(o, '/tmp/x'), { method: 'DELETE', headers: bearer(await token(o, '*:rw')) });
    t.equal(removed.status, 200);
    t.match(removed.headers.etag, /^"/);
    t.equal((await get(o, '/tmp/x')).status, 404);
    t.equal((await http(url(o, '/tmp/x'), { method: 'DELETE', headers: bearer(await token(o, '*:rw')) })).status, 404);
  });
}
