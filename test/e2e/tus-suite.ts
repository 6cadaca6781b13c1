import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { heldPatch } from '../helpers/held-patch.js';
import { http } from '../helpers/http.js';
import { bearer, scopedToken } from '../helpers/tokens.js';
import { run } from '../helpers/run.js';
import { ROOT } from '../helpers/paths.js';
import { startFlakyProxy } from '../helpers/flaky-proxy.js';
import { bdfu as repoCli } from '../helpers/run.js';
import { storedOf, type Target } from './upload-suite.js';

/** The MAX_UPLOAD_SIZE the tus test servers run with (Tus-Max-Size must say it). */
export const TUS_MAX_UPLOAD_SIZE = 64 * 1024 * 1024;
/** QUOTA_BYTES of the tus test servers: each user may keep this much. */
export const TUS_QUOTA_BYTES = 40 * 1024 * 1024;

const ID = /^[0-9a-f]{32}$/;
const MiB = 1024 * 1024;
const TUS = { 'tus-resumable': '1.0.0' };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const b64 = (text: string) => Buffer.from(text).toString('base64');
const CLIENT = join(ROOT, 'test/helpers/tus-node-client.mjs');

interface ClientRun {
  outcome: 'done' | 'aborted' | 'failed';
  url?: string;
  bytes?: number;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  error?: string;
}

/** tus-js-client in a process of its own. */
async function tusClient(options: Record<string, unknown>): Promise<ClientRun> {
  const ran = await run(process.execPath, [CLIENT, JSON.stringify(options)]);
  try {
    return JSON.parse(ran.stdout.trim().split('\n').pop()!) as ClientRun;
  } catch {
    throw new Error(`tus client printed no result (exit ${ran.code}): ${ran.stdout}${ran.stderr}`);
  }
}

function work(data: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-tus-'));
  const file = join(dir, 'data.bin');
  writeFileSync(file, data);
  return file;
}

const idOf = (url: string) => url.split('/').pop()!;

/** A PATCH whose body is sent in two halves, the second only when `release` is called. */
/**
 * tus 1.0 (resumable uploads) end to end: a real client (tus-js-client), the protocol's rules
 * one by one, two writers at once. One suite, run once per hosting mode.
 */
export function tusSuite(t: Test, target: () => Target): void {
  const tusUrl = () => `${target().baseUrl}tus/`;
  const token = (user: string, scope = 'upload read delete') => scopedToken(user, target().secret, scope);
  const create = async (user: string, headers: Record<string, string> = {}) => {
    const all: Record<string, string> = { ...TUS, ...bearer(await token(user)), 'upload-length': '10', ...headers };
    for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
    return http(tusUrl(), { method: 'POST', headers: all });
  };
  const patch = async (url: string, user: string, offset: number, data: Buffer, headers: Record<string, string> = {}) =>
    http(url, {
      method: 'PATCH',
      headers: { ...TUS, ...bearer(await token(user)), 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', 'content-length': String(data.length), ...headers },
      body: data,
    });
  const head = async (url: string, user: string) => http(url, { method: 'HEAD', headers: { ...TUS, ...bearer(await token(user)) } });
  const stored = (user: string, id: string) => storedOf(target()).bytes(user, id);

  t.test('OPTIONS says the version, the extensions, the limit and the checksums, without a token', async (t) => {
    for (const url of [tusUrl(), `${tusUrl()}${'0'.repeat(32)}`]) {
      const res = await http(url, { method: 'OPTIONS' });
      t.equal(res.status, 204, url);
      t.equal(res.headers['tus-resumable'], '1.0.0');
      t.equal(res.headers['tus-version'], '1.0.0');
      t.same(String(res.headers['tus-extension']).split(','),
        ['creation', 'creation-with-upload', 'creation-defer-length', 'termination', 'expiration', 'checksum', 'concatenation']);
      t.equal(res.headers['tus-max-size'], String(TUS_MAX_UPLOAD_SIZE));
      t.same(String(res.headers['tus-checksum-algorithm']).split(','), ['sha1', 'md5', 'sha256']);
    }
  });

  t.test('tus-js-client in one PATCH: the file lands as a multipart upload would', async (t) => {
    const data = randomBytes(5 * MiB + 123);
    const result = await tusClient({ endpoint: tusUrl(), token: await token('tina'), file: work(data), metadata: { filename: 'résumé.bin', filetype: 'text/plain' } });
    t.equal(result.outcome, 'done', result.error ?? '');
    t.equal(result.status, 200, 'the last PATCH answers 200 with the record');
    const id = idOf(result.url!);
    t.match(id, ID);
    const record = JSON.parse(result.body!);
    t.equal(record.id, id, 'the file keeps the upload id');
    t.equal(record.name, 'résumé.bin');
    t.equal(record.type, 'text/plain');
    t.equal(record.size, data.length);
    t.equal(record.sha256, sha256(data));
    t.equal(result.headers!['upload-file-location'], `${target().baseUrl}files/tina/${id}`);
    t.same(await stored('tina', id), data, 'stored bytes are identical');
    const download = await http(result.headers!['upload-file-location']!, { headers: bearer(await token('tina')) });
    t.equal(download.status, 200);
    t.equal(sha256(download.body), sha256(data), 'and download identical');
    const after = await head(result.url!, 'tina');
    t.equal(after.status, 200);
    t.equal(after.headers['upload-offset'], String(data.length));
    t.equal(after.headers['upload-length'], String(data.length));
    t.equal(after.headers['upload-file-location'], result.headers!['upload-file-location'], 'HEAD after says where the file is');
    t.notOk(after.headers['upload-concat'], 'a file that was not concatenated says nothing of parts');
    const audit = await storedOf(target()).audit();
    t.ok(audit.some((e) => e.action === 'upload' && e.outcome === 'ok' && e.id === id && e.bytes === data.length && e.user === 'tina' && e.name === 'résumé.bin'),
      'audited as an upload');
  });

  t.test('tus-js-client in 2 MiB chunks', async (t) => {
    const data = randomBytes(7 * MiB + 5);
    const result = await tusClient({ endpoint: tusUrl(), token: await token('chunky'), file: work(data), chunkSize: 2 * MiB });
    t.equal(result.outcome, 'done', result.error ?? '');
    t.equal(JSON.parse(result.body!).sha256, sha256(data));
    t.same(await stored('chunky', idOf(result.url!)), data);
  });

  for (const chunkSize of [0, 2 * MiB]) {
    t.test(`cut off at ~40 %, resumed by a new process with the stored URL (no new POST)${chunkSize ? ', 2 MiB chunks' : ', one PATCH'}`, async (t) => {
      const data = randomBytes(9 * MiB);
      const file = work(data);
      const urlFile = `${file}.url`;
      // The network fails 40 % into the upload; this client then gives up (as if it were closed).
      const flaky = await startFlakyProxy(target().baseUrl, { cutAfter: Math.floor(data.length * 0.4) - chunkSize, drops: 1, skip: chunkSize ? 1 : 0 });
      t.teardown(() => flaky.close());
      const first = await tusClient({ endpoint: `${flaky.url}tus/`, token: await token('resumer'), file, chunkSize, urlFile, noRetry: true });
      t.equal(first.outcome, 'failed', 'the first process stops at the cut');
      const url = readFileSync(urlFile, 'utf8');
      t.equal(flaky.cuts, 1);
      let offset = -1;
      for (let i = 0; i < 100; i++) {
        const h = await head(url, 'resumer');
        offset = Number(h.headers['upload-offset']);
        if (h.status === 200 && offset > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      t.ok(offset > 0 && offset <= data.length * 0.4, `what reached storage stays (${offset} bytes)`);
      // The second process has no endpoint: it can only HEAD and PATCH the stored URL.
      const second = await tusClient({ uploadUrl: url, token: await token('resumer'), file, chunkSize });
      t.equal(second.outcome, 'done', second.error ?? '');
      t.equal(second.url, url, 'the same upload');
      t.equal(flaky.seen.POST, 1, 'one creation in all');
      t.equal(second.status, 200, 'the last PATCH answers with the record');
      const record = JSON.parse(second.body!);
      t.equal(record.id, idOf(url), 'the file has the upload id');
      t.equal(record.sha256, sha256(data), 'sha256 intact');
      t.same(await stored('resumer', record.id), data);
    });
  }

  t.test('protocol rules, with status and headers', async (t) => {
    const sally = await token('sally');
    const post = (headers: Record<string, string>) => http(tusUrl(), { method: 'POST', headers });

    let res = await post({ ...bearer(sally), 'upload-length': '10' });
    t.equal(res.status, 412, 'no Tus-Resumable: 412');
    t.equal(res.headers['tus-version'], '1.0.0');
    t.equal(res.headers['tus-resumable'], '1.0.0');
    t.equal(res.json.code, 'tus_version_unsupported');
    res = await post({ ...bearer(sally), 'tus-resumable': '0.2.2', 'upload-length': '10' });
    t.equal(res.status, 412, 'another version: 412');

    res = await post({ ...TUS, 'upload-length': '10' });
    t.equal(res.status, 401, 'no token: 401');
    t.equal(res.json.code, 'token_missing');
    t.equal(res.headers['tus-resumable'], '1.0.0', 'refusals say Tus-Resumable too');
    res = await post({ ...TUS, ...bearer(await token('sally', 'read')), 'upload-length': '10' });
    t.equal(res.status, 403, 'no upload scope: 403');
    t.equal(res.json.code, 'insufficient_scope');

    res = await post({ ...TUS, ...bearer(sally) });
    t.equal(res.status, 400, 'neither length nor defer: 400');
    t.equal(res.json.code, 'upload_length_missing');
    res = await post({ ...TUS, ...bearer(sally), 'upload-defer-length': '2' });
    t.equal(res.status, 400, 'Upload-Defer-Length other than 1: 400');
    res = await post({ ...TUS, ...bearer(sally), 'upload-length': String(TUS_MAX_UPLOAD_SIZE + 1) });
    t.equal(res.status, 413, 'over MAX_UPLOAD_SIZE: 413');
    t.equal(res.json.code, 'too_large');
    const small = await scopedToken('sally', target().secret, 'upload');
    const limited = await (async () => {
      const { SignJWT } = await import('jose');
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ user: 'sally', exp: now + 300, max_size: 100 }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(target().secret));
    })();
    res = await post({ ...TUS, ...bearer(limited), 'upload-length': '101' });
    t.equal(res.status, 413, "over the token's max_size: 413");
    t.equal(res.json.allowed, 100);
    res = await post({ ...TUS, ...bearer(small), 'upload-length': '10', 'upload-metadata': 'filename not*base64!' });
    t.equal(res.status, 400, 'bad base64 metadata: 400');
    t.equal(res.json.code, 'bad_metadata');
    res = await post({ ...TUS, ...bearer(small), 'upload-length': '10', 'upload-metadata': `filename ${b64('../etc/passwd')}` });
    t.equal(res.status, 400, 'a file name with a path: 400');
    t.equal(res.json.code, 'bad_file_name');

    res = await post({ ...TUS, ...bearer(sally), 'upload-length': '10', 'upload-metadata': `filename ${b64('hello.txt')},filetype ${b64('text/plain')},flag` });
    t.equal(res.status, 201, 'creation: 201');
    t.equal(res.headers['tus-resumable'], '1.0.0');
    const url = String(res.headers.location);
    t.match(url, new RegExp(`^${target().baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}tus/[0-9a-f]{32}$`), 'Location: the absolute upload URL');
    t.ok(Date.parse(String(res.headers['upload-expires'])) > Date.now(), 'Upload-Expires in the future');

    res = await head(url, 'sally');
    t.equal(res.status, 200);
    t.equal(res.headers['upload-offset'], '0');
    t.equal(res.headers['upload-length'], '10');
    t.equal(res.headers['cache-control'], 'no-store');
    t.equal(res.headers['tus-resumable'], '1.0.0');
    t.equal(res.headers['upload-metadata'], `filename ${b64('hello.txt')},filetype ${b64('text/plain')},flag`);

    const unknown = await head(`${tusUrl()}${'a'.repeat(32)}`, 'sally');
    t.equal(unknown.status, 404, 'unknown upload: 404');
    const other = await head(url, 'mallory');
    t.equal(other.status, 404, "another user's upload: 404, as if there were none");
    t.equal(other.json?.code ?? unknown.json?.code, unknown.json?.code);
    t.notOk(other.headers['upload-offset'], 'and no offset');
    const otherPatch = await patch(url, 'mallory', 0, Buffer.from('xx'));
    t.equal(otherPatch.status, 404, "another user's PATCH: 404");
    const admin = await http(url, { method: 'HEAD', headers: { ...TUS, ...bearer(await token('root', 'admin')) } });
    t.equal(admin.status, 200, 'an admin sees it');

    res = await patch(url, 'sally', 0, Buffer.from('hello'), { 'content-type': 'application/octet-stream' });
    t.equal(res.status, 415, 'wrong content type: 415');
    res = await patch(url, 'sally', 3, Buffer.from('hello'));
    t.equal(res.status, 409, 'offset mismatch: 409');
    res = await patch(url, 'sally', 0, Buffer.from('hello'), { 'upload-checksum': `sha1 ${createHash('sha1').update('HELLO').digest('base64')}` });
    t.equal(res.status, 460, 'checksum mismatch: 460');
    t.equal(res.json.code, 'checksum_mismatch');
    t.equal((await head(url, 'sally')).headers['upload-offset'], '0', 'the chunk was discarded, the offset unchanged');
    res = await patch(url, 'sally', 0, Buffer.from('hello'), { 'upload-checksum': `crc32 AAAAAA==` });
    t.equal(res.status, 400, 'unsupported checksum algorithm: 400');
    res = await patch(url, 'sally', 0, Buffer.from('hello'), { 'upload-checksum': `md5 ${createHash('md5').update('hello').digest('base64')}` });
    t.equal(res.status, 204, 'a matching checksum: 204');
    t.equal(res.headers['upload-offset'], '5');
    t.ok(res.headers['upload-expires'], 'Upload-Expires on every PATCH');
    t.equal(res.headers['tus-resumable'], '1.0.0');

    // X-HTTP-Method-Override: a POST that is a PATCH.
    res = await http(url, {
      method: 'POST',
      headers: { ...TUS, ...bearer(sally), 'x-http-method-override': 'PATCH', 'upload-offset': '5', 'content-type': 'application/offset+octet-stream',
        'upload-checksum': `sha256 ${createHash('sha256').update(' tus!').digest('base64')}` },
      body: ' tus!',
    });
    t.equal(res.status, 200, 'the last PATCH (by method override): 200 with the record');
    t.equal(res.json.size, 10);
    t.equal(res.json.name, 'hello.txt');
    t.equal(res.json.type, 'text/plain');
    t.equal(res.json.sha256, sha256(Buffer.from('hello tus!')));
    t.equal(res.headers['upload-file-location'], `${target().baseUrl}files/sally/${idOf(url)}`);
    t.same(await stored('sally', idOf(url)), Buffer.from('hello tus!'));
    res = await patch(url, 'sally', 10, Buffer.from('more'));
    t.not(res.status, 204, 'nothing more can be appended to a finished upload');
    res = await head(url, 'sally');
    t.equal(res.headers['upload-offset'], '10');
    t.equal(res.headers['upload-file-location'], `${target().baseUrl}files/sally/${idOf(url)}`);
  });

  t.test('deferred length: set by a later PATCH', async (t) => {
    // (undefined drops the header)
    const res = await create('deferred', { 'upload-length': undefined as unknown as string, 'upload-defer-length': '1' });
    t.equal(res.status, 201);
    const url = String(res.headers.location);
    let h = await head(url, 'deferred');
    t.equal(h.headers['upload-defer-length'], '1');
    t.notOk(h.headers['upload-length']);
    let p = await patch(url, 'deferred', 0, Buffer.from('abc'));
    t.equal(p.status, 204);
    p = await patch(url, 'deferred', 3, Buffer.from('def'), { 'upload-length': '6' });
    t.equal(p.status, 200, 'the length arrives with the last bytes');
    t.equal(p.json.size, 6);
    h = await head(url, 'deferred');
    t.equal(h.headers['upload-length'], '6');
    t.notOk(h.headers['upload-defer-length']);
  });

  t.test('creation with upload: the POST carries the bytes', async (t) => {
    const data = Buffer.from('all in the creation');
    const res = await http(tusUrl(), {
      method: 'POST',
      headers: { ...TUS, ...bearer(await token('oneshot')), 'upload-length': String(data.length), 'content-type': 'application/offset+octet-stream', 'content-length': String(data.length) },
      body: data,
    });
    t.equal(res.status, 201);
    t.equal(res.json.sha256, sha256(data));
    t.match(String(res.headers.location), /tus\/[0-9a-f]{32}$/);
    t.equal(res.headers['upload-offset'], String(data.length));
    t.same(await stored('oneshot', res.json.id), data);
    const after = await head(String(res.headers.location), 'oneshot');
    t.equal(after.status, 200, 'HEAD on the upload afterwards');
    t.equal(after.headers['upload-offset'], String(data.length), 'says every byte arrived');
    t.equal(after.headers['upload-length'], String(data.length));
    const again = await patch(String(res.headers.location), 'oneshot', data.length, Buffer.alloc(0));
    t.equal(again.status, 200, 'an empty PATCH at the end (a client whose answer was lost) is told it is finished');
    t.equal(again.json.id, res.json.id);
    const checked = Buffer.from('checksummed, in the creation');
    const withChecksum = await http(tusUrl(), {
      method: 'POST',
      headers: {
        ...TUS, ...bearer(await token('oneshot')), 'upload-length': String(checked.length), 'content-type': 'application/offset+octet-stream',
        'content-length': String(checked.length), 'upload-checksum': `sha256 ${createHash('sha256').update(checked).digest('base64')}`,
      },
      body: checked,
    });
    t.equal(withChecksum.status, 201, 'with Upload-Checksum too');
    t.equal(withChecksum.json.sha256, sha256(checked));
    const tooLong = await http(tusUrl(), {
      method: 'POST',
      headers: { ...TUS, ...bearer(await token('oneshot')), 'upload-length': '3', 'content-type': 'application/offset+octet-stream', 'content-length': '4' },
      body: Buffer.from('four'),
    });
    t.equal(tooLong.status, 413, 'a body longer than Upload-Length is refused');
  });

  t.test('concatenation: three partial uploads sent in parallel, then one final', async (t) => {
    const parts = [randomBytes(300_000), randomBytes(1), randomBytes(123_457)];
    const urls = await Promise.all(parts.map(async (part) => {
      const res = await create('parallel', { 'upload-length': String(part.length), 'upload-concat': 'partial' });
      t.equal(res.status, 201);
      return String(res.headers.location);
    }));
    const heads = await head(urls[0]!, 'parallel');
    t.equal(heads.headers['upload-concat'], 'partial');
    const sent = await Promise.all(urls.map((url, i) => patch(url, 'parallel', 0, parts[i]!)));
    t.same(sent.map((r) => r.status), [204, 204, 204], 'a finished partial is not a file by itself');
    const relative = urls.map((url) => new URL(url).pathname);
    const final = await http(tusUrl(), {
      method: 'POST',
      headers: { ...TUS, ...bearer(await token('parallel')), 'upload-concat': `final;${urls[0]} ${relative[1]} ${urls[2]}`, 'upload-metadata': `filename ${b64('joined.bin')}` },
    });
    t.equal(final.status, 201, final.text);
    const whole = Buffer.concat(parts);
    t.equal(final.json.size, whole.length);
    t.equal(final.json.sha256, sha256(whole));
    t.equal(final.json.name, 'joined.bin');
    t.same(await stored('parallel', final.json.id), whole);
    const finalHead = await head(String(final.headers.location), 'parallel');
    t.equal(finalHead.status, 200);
    t.equal(finalHead.headers['upload-offset'], String(whole.length));
    t.equal(finalHead.headers['upload-length'], String(whole.length));
    t.equal(finalHead.headers['upload-concat'], `final;${urls.join(' ')}`, 'HEAD on the final upload names its partial uploads');
    const finalPatch = await patch(String(final.headers.location), 'parallel', whole.length, Buffer.from('x'));
    t.equal(finalPatch.status, 403, 'PATCH on a final upload: 403');
    t.equal((await head(urls[0]!, 'parallel')).status, 404, 'the partials are gone');
  });

  t.test('termination frees the quota and the staged bytes', async (t) => {
    const big = await create('quota', { 'upload-length': String(TUS_QUOTA_BYTES - 1000) });
    t.equal(big.status, 201, 'the length is held against the quota');
    const id = idOf(String(big.headers.location));
    t.equal((await patch(String(big.headers.location), 'quota', 0, randomBytes(1000))).status, 204);
    const refused = await create('quota', { 'upload-length': '2000' });
    t.equal(refused.status, 507, 'a second upload does not fit');
    t.equal(refused.json.code, 'quota_exceeded');
    const del = await http(String(big.headers.location), { method: 'DELETE', headers: { ...TUS, ...bearer(await token('quota')) } });
    t.equal(del.status, 204);
    t.equal(del.headers['tus-resumable'], '1.0.0');
    t.equal((await head(String(big.headers.location), 'quota')).status, 404, 'gone after termination');
    t.same(await storedOf(target()).sessionLeftovers('quota', id), [], 'no staged bytes left');
    t.equal((await create('quota', { 'upload-length': '2000' })).status, 201, 'the quota is free again');
  });

  t.test('an expired upload is 410', async (t) => {
    const res = await create('expiring');
    const url = String(res.headers.location);
    t.ok(await storedOf(target()).expireSession('expiring', idOf(url)), 'the session state is stored (and now expired)');
    t.equal((await head(url, 'expiring')).status, 410, 'HEAD: 410');
    const p = await patch(url, 'expiring', 0, Buffer.from('x'));
    t.equal(p.status, 410, 'PATCH: 410');
    t.equal(p.json.code, 'upload_expired');
  });

  t.test('two PATCHes at once on one upload: one wins, the bytes never interleave', async (t) => {
    const size = 4 * MiB;
    const res = await create('racer', { 'upload-length': String(size) });
    const url = String(res.headers.location);
    const a = randomBytes(size);
    const b = randomBytes(size);
    const slow = heldPatch(url, await token('racer'), 0, a);
    await slow.first;
    // The first writer holds the upload while its body trickles in; wait until it holds the lock, or its bytes show.
    const view = storedOf(target());
    const writing = async () => (await view.sessionWriting('racer', idOf(url))) || Number((await head(url, 'racer')).headers['upload-offset']) > 0;
    let held = await writing();
    for (let i = 0; i < 100 && !held; i++, held = await writing()) await new Promise((r) => setTimeout(r, 50));
    t.ok(held, 'the first writer holds the upload');
    const second = await patch(url, 'racer', 0, b);
    t.ok(second.status === 423 || second.status === 409, `the second writer is refused (${second.status})`);
    t.equal(second.headers['tus-resumable'], '1.0.0');
    slow.release();
    const first = await slow.reply;
    t.equal(first.status, 200, 'the first writer finishes the upload');
    t.same(await stored('racer', idOf(url)), a, "the file is the first writer's bytes, whole");
  });

  t.test('bdfu upload: tus above the threshold, survives a dropped connection, --resume in a new process', async (t) => {
    const cache = mkdtempSync(join(tmpdir(), 'bdfu-cache-'));
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    const data = randomBytes(6 * MiB);
    const file = work(data);
    const tok = await token('cli');
    const bdfu = target().cli ?? repoCli;

    // A network that fails once, 40 % into the first PATCH: the CLI retries by itself.
    const flaky = await startFlakyProxy(target().baseUrl, { cutAfter: Math.floor(data.length * 0.4), drops: 1 });
    t.teardown(() => flaky.close());
    const up = await bdfu(['upload', flaky.url, tok, file, '--tus-threshold', '1048576', '--json'], { env });
    t.equal(up.code, 0, up.stderr);
    const record = JSON.parse(up.stdout);
    t.equal(record.sha256, sha256(data));
    t.equal(flaky.cuts, 1, 'the connection was cut once');
    t.equal(flaky.seen.POST, 1, 'and the upload resumed, not restarted');
    t.same(await stored('cli', record.id), data);
    t.same(readdirSync(join(cache, 'bdfu', 'uploads')), [], 'the state file goes when the upload is done');

    // Below the threshold: multipart, as before.
    const smallFile = work(randomBytes(1000));
    const small = await bdfu(['upload', target().baseUrl, tok, smallFile, '--tus-threshold', '1048576'], { env });
    t.equal(small.code, 0, small.stderr);

    // No retries: the first process gives up at the cut; a new one continues with --resume.
    const again = await startFlakyProxy(target().baseUrl, { cutAfter: 512 * 1024, drops: 1 });
    t.teardown(() => again.close());
    const other = work(randomBytes(3 * MiB + 7));
    const failed = await bdfu(['upload', again.url, tok, other, '--tus-threshold', '0', '--chunk-size', String(MiB), '--retries', '0'], { env });
    t.not(failed.code, 0, 'the first process fails');
    t.match(failed.stderr, /--resume/);
    const states = readdirSync(join(cache, 'bdfu', 'uploads'));
    t.equal(states.length, 1, 'and leaves the upload URL in the state file');
    const url = JSON.parse(readFileSync(join(cache, 'bdfu', 'uploads', states[0]!), 'utf8')).url;
    const resumed = await bdfu(['upload', again.url, tok, other, '--tus-threshold', '0', '--chunk-size', String(MiB), '--resume', '--json'], { env });
    t.equal(resumed.code, 0, resumed.stderr);
    t.equal(JSON.parse(resumed.stdout).id, idOf(url), 'the same upload, continued');
    t.equal(again.seen.POST, 1, 'no second creation');
    t.same(await stored('cli', idOf(url)), readFileSync(other));
  });
}
