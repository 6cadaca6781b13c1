import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SignJWT } from 'jose';
import type { Test } from 'tap';
import { http, multipart, uploadFile } from '../helpers/http.js';
import { originalToken } from '../helpers/original-token.js';
import { bdfu } from '../helpers/run.js';
import { diskStored, eventuallyAsync, type Stored } from '../helpers/stored.js';

/** A running bdfu in one hosting mode on one backend: the suite knows it by its URL and what it stored. */
export interface Target {
  baseUrl: string;
  /** STORAGE_DIR of its settings (the disk backend keeps everything there). */
  storageDir: string;
  secret: string;
  /** What it stored; unless given, the disk backend's files in storageDir. */
  stored?: Stored;
  /**
   * Apache is in front, and changes what it may: under CGI it drops a script's Content-Length
   * (the reply then comes chunked); under CGI and as a proxy it may itself answer a multi-range
   * request to a small reply, as multipart/byteranges.
   */
  apache?: 'cgi' | 'proxy';
  /** The `bdfu` command the suite's CLI steps use; the built CLI unless the target brings its own. */
  cli?: typeof bdfu;
}

const ID = /^[0-9a-f]{32}$/;

export function filesOf(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** The target's storage view: its own, or the disk's. */
export const storedOf = (target: Target): Stored => target.stored ?? diskStored(target.storageDir);

function unsigned(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/**
 * The upload protocol of the original bdfu, end to end. One suite, run once per hosting mode
 * (Node server, CGI, Apache, the single executable).
 */
export function uploadSuite(t: Test, target: () => Target): void {
  const sign = (claims: Record<string, unknown>, secret = target().secret) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
  const now = () => Math.floor(Date.now() / 1000);

  const cli: typeof bdfu = (args, options) => (target().cli ?? bdfu)(args, options);

  t.test('the README walkthrough, byte for byte, with the bdfu CLI', async (t) => {
    const { baseUrl, secret } = target();
    const stored = storedOf(target());
    const work = mkdtempSync(join(tmpdir(), 'bdfu-walk-'));
    const token = await cli(['gen-token', 'sally', secret]);
    t.equal(token.code, 0, token.stderr);
    writeFileSync(join(work, 'token-sally.txt'), token.stdout);
    const file = join(work, 'test-file.bin');
    writeFileSync(file, randomBytes(1024));
    const up = await cli(['upload', baseUrl, readFileSync(join(work, 'token-sally.txt'), 'utf8').trim(), file]);
    t.equal(up.code, 0, up.stderr);
    t.match(up.stdout, /^[0-9a-f]{32}\n$/, 'prints the id and nothing else');
    const id = up.stdout.trim();
    t.same(await stored.bytes('sally', id), readFileSync(file), 'stored file is identical');
    t.ok((await stored.ids('sally')).includes(id));
  });

  t.test('upload answers 201 with the id and the file facts', async (t) => {
    const { baseUrl, secret } = target();
    const data = randomBytes(5000);
    const res = await uploadFile(baseUrl, await originalToken('sally', secret), data, 'hello world.txt');
    t.equal(res.status, 201, res.text);
    t.match(res.json.id, ID);
    t.equal(res.json.size, 5000);
    t.equal(res.json.name, 'hello world.txt');
    t.match(res.json.sha256, /^[0-9a-f]{64}$/);
    t.same(await storedOf(target()).bytes('sally', res.json.id), data);
  });

  t.test('GET upload is 405', async (t) => {
    const res = await http(`${target().baseUrl}upload`);
    t.equal(res.status, 405);
    t.equal(res.json.code, 'method_not_allowed');
    t.match(res.headers.allow, /POST/);
  });

  t.test('a POST that missed the upload says where uploads go', async (t) => {
    const { baseUrl } = target();
    for (const [path, status, code] of [['', 405, 'method_not_allowed'], ['upload/', 404, 'not_found'], ['files', 405, 'method_not_allowed'], ['files/', 405, 'method_not_allowed']] as const) {
      const res = await http(`${baseUrl}${path}`, { method: 'POST' });
      t.equal(res.status, status, `POST {endpoint}${path}`);
      t.equal(res.json.code, code);
      t.match(res.json.error, `uploads go to POST ${baseUrl}upload`, `POST {endpoint}${path} names the upload address`);
    }
  });

  t.test('tokens', async (t) => {
    const { baseUrl, secret } = target();
    const cases: Array<[string, () => Promise<string | undefined>, string]> = [
      ['no Authorization header', async () => undefined, 'token_missing'],
      ['not a JWT', async () => 'Bearer not-a-token', 'token_malformed'],
      ['another scheme', async () => 'Basic c2FsbHk6cHc=', 'token_malformed'],
      ['garbage base64', async () => 'Bearer !!!.???.***', 'token_malformed'],
      ['wrong secret', async () => `Bearer ${await originalToken('sally', 'not-the-secret')}`, 'token_bad_signature'],
      ['expired', async () => `Bearer ${await originalToken('sally', secret, { expiresIn: -120 })}`, 'token_expired'],
      ['expired only in the header (as the original reads it)', async () => {
        const exp = now() - 120;
        return `Bearer ${await new SignJWT({ user: 'sally', exp: now() + 600 }).setProtectedHeader({ alg: 'HS256', exp }).sign(new TextEncoder().encode(secret))}`;
      }, 'token_expired'],
      ['not yet valid', async () => `Bearer ${await originalToken('sally', secret, { nbf: now() + 3600, expiresIn: 7200 })}`, 'token_not_yet_valid'],
      ['alg none', async () => `Bearer ${unsigned({ user: 'sally', exp: now() + 60 })}`, 'token_bad_algorithm'],
      ['no user claim', async () => `Bearer ${await sign({ exp: now() + 60 })}`, 'token_invalid_claims'],
      ['user not a string', async () => `Bearer ${await sign({ user: 42, exp: now() + 60 })}`, 'token_invalid_claims'],
      ['user and sub disagree', async () => `Bearer ${await sign({ user: 'a', sub: 'b', exp: now() + 60 })}`, 'token_invalid_claims'],
    ];
    for (const [name, header, code] of cases) {
      const value = await header();
      const res = await uploadFile(baseUrl, undefined, Buffer.from('x'), 'x', value === undefined ? {} : { authorization: value });
      t.equal(res.status, 401, `${name}: 401`);
      t.equal(res.json?.code, code, `${name}: ${code}`);
      t.match(res.headers['www-authenticate'], /^Bearer/, `${name}: WWW-Authenticate`);
      t.type(res.json?.error, 'string', `${name}: says why`);
    }
    const missing = await uploadFile(baseUrl, undefined, Buffer.from('x'));
    t.match(missing.json.error, /Passing the Authorization header/, 'points at the README section');
  });

  t.test('tokens that are accepted', async (t) => {
    const { baseUrl, secret } = target();
    const original = await originalToken('sally', secret);
    const jwtPrefix = await uploadFile(baseUrl, undefined, Buffer.from('jwt'), 'a', { authorization: `JWT ${original}` });
    t.equal(jwtPrefix.status, 201, 'the original JWT prefix');
    const sub = await uploadFile(baseUrl, await sign({ sub: 'subby', exp: now() + 60 }), Buffer.from('sub'));
    t.equal(sub.status, 201, 'the standard sub claim');
    t.ok((await storedOf(target()).bytes('subby', sub.json.id))?.equals(Buffer.from('sub')), 'stored under the sub claim');
    const ours = await cli(['gen-token', '--expires-in', '120', 'sally', secret]);
    const res = await uploadFile(baseUrl, ours.stdout.trim(), Buffer.from('ours'));
    t.equal(res.status, 201, 'a token from bdfu gen-token');
  });

  t.test('user names that could leave STORAGE_DIR are refused', async (t) => {
    const { baseUrl, storageDir, secret } = target();
    const stored = storedOf(target());
    const parent = dirname(storageDir);
    const before = filesOf(parent);
    const storageBefore = filesOf(storageDir);
    const usersBefore = await stored.users();
    const names = ['', '.', '..', '../escape', 'a/b', '/etc', 'a\\b', '..\\x', 'nul\0byte', 'bell\x07', 'line\nbreak', 'x'.repeat(256), '.hidden'];
    for (const user of names) {
      const res = await uploadFile(baseUrl, await originalToken(user, secret), Buffer.from('evil'));
      t.equal(res.status, 400, `${JSON.stringify(user).slice(0, 30)}: 400`);
      t.equal(res.json?.code, 'invalid_user', `${JSON.stringify(user).slice(0, 30)}: invalid_user`);
    }
    t.same(filesOf(parent), before, 'nothing new beside the storage directory');
    t.same(filesOf(storageDir), storageBefore, 'no new directories in storage');
    t.same(await stored.users(), usersBefore, 'no new users in storage');
  });

  t.test('multipart bodies', async (t) => {
    const { baseUrl, secret } = target();
    const token = await originalToken('multi', secret);
    const post = (parts: Parameters<typeof multipart>[0]) => {
      const { body, contentType } = multipart(parts);
      return http(`${baseUrl}upload`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'content-length': body.length }, body });
    };
    const none = await post([{ name: 'other', data: 'x' }]);
    t.equal(none.status, 400);
    t.equal(none.json.code, 'file_missing');
    const textField = await post([{ name: 'file', data: 'not a file part' }]);
    t.equal(textField.json.code, 'file_missing', 'a text field named file is not a file');
    const two = await post([{ name: 'file', filename: 'a', data: 'a' }, { name: 'file', filename: 'b', data: 'b' }]);
    t.equal(two.status, 400);
    t.equal(two.json.code, 'multiple_files');
    const extra = await post([{ name: 'note', data: 'hi' }, { name: 'file', filename: 'c.txt', type: 'text/plain', data: 'ccc' }, { name: 'other', filename: 'o', data: 'o' }]);
    t.equal(extra.status, 201, 'extra fields are ignored');
    t.equal(extra.json.type, 'text/plain');
    const plain = await http(`${baseUrl}upload`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: 'raw' });
    t.equal(plain.status, 415);
    t.equal(plain.json.code, 'not_multipart');
    const { body, contentType } = multipart([{ name: 'file', filename: 'cut', data: randomBytes(4096) }]);
    const unterminated = body.subarray(0, body.length - 20);
    const early = await http(`${baseUrl}upload`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'content-length': unterminated.length }, body: unterminated });
    t.equal(early.status, 400, 'a multipart body that ends early');
    t.equal(early.json.code, 'body_incomplete');
    const stored = storedOf(target());
    t.same(await stored.ids('multi'), [extra.json.id], 'only the good upload is stored');
    t.same(await stored.inFlight('multi'), [], 'no temporary files (or held room, or open uploads) left');
  });

  t.test('an upload cut off halfway leaves nothing', async (t) => {
    const { baseUrl, secret } = target();
    const stored = storedOf(target());
    const token = await originalToken('cutoff', secret);
    const { body, contentType } = multipart([{ name: 'file', filename: 'big', data: randomBytes(2 << 20) }]);
    const url = new URL(`${baseUrl}upload`);
    const socket = connect(Number(url.port), url.hostname);
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body.subarray(0, 1 << 20));
    // Cut off only once the upload is under way (a CGI process on a loaded machine takes a while to
    // start): otherwise "nothing in flight" could be seen before the upload had begun.
    t.ok(await eventuallyAsync(async () => (await stored.inFlight('cutoff')).length > 0, 30_000), 'the upload is under way');
    socket.destroy();
    t.ok(await eventuallyAsync(async () => (await stored.inFlight('cutoff')).length === 0, 30_000), 'the temporary file (held room, open upload) is removed');
    t.same(await stored.ids('cutoff'), [], 'no file under a real id');
    t.same(await stored.entries('cutoff'), [], 'nothing at all');
    const after = await uploadFile(baseUrl, token, Buffer.from('still serving'));
    t.equal(after.status, 201, 'and the server keeps serving');
  });
}
