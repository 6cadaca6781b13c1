import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { multipart } from '../helpers/http.js';
import type { KeyPair } from '../helpers/keys.js';
import type { RawRequest } from '../helpers/raw-http.js';

/** What every case may use: the server's secret and the keys it is configured with (or not). */
export interface CaseContext {
  secret: string;
  /** Configured on the server: JWT_PUBLIC_KEYS names its public half. */
  rsa: KeyPair;
  /** Not configured anywhere. */
  stranger: KeyPair;
  maxUploadSize: number;
}

export interface Expect {
  status: number;
  code: string;
}

export interface BadCase {
  name: string;
  request: (c: CaseContext) => Promise<RawRequest>;
  /** One answer for every adapter, or one per adapter where the hosting differs. */
  expect: Expect | { node: Expect; cgi: Expect };
  /**
   * Broken HTTP framing never reaches a CGI script: the web server in front deals with it
   * (the CGI side of these is in cgi-env.test.ts: stdin closed early, CONTENT_LENGTH wrong).
   */
  nodeOnly?: boolean;
}

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function hs256(claims: Record<string, unknown>, secret: string | Uint8Array, header: Record<string, unknown> = {}) {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...header }).sign(key);
}

export function withKey(claims: Record<string, unknown>, pair: KeyPair, header: Record<string, unknown> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: pair.kid, ...header }).sign(createPrivateKey(pair.privatePem));
}

const claimsFor = (user: unknown, extra: Record<string, unknown> = {}) => ({ user, exp: now() + 300, nbf: now() - 1, ...extra });

/** A well-formed one-file upload; each case breaks one thing of it. */
function upload(token: string | undefined, options: { filename?: string; data?: Buffer | string; path?: string; extraHeaders?: [string, string][] } = {}): RawRequest {
  const form = multipart([{ name: 'file', filename: options.filename ?? 'f.bin', type: 'application/octet-stream', data: options.data ?? 'hello' }]);
  const headers: [string, string][] = [['content-type', form.contentType]];
  if (token !== undefined) headers.push(['authorization', `Bearer ${token}`]);
  return { path: options.path ?? 'upload', headers: [...headers, ...(options.extraHeaders ?? [])], body: form.body };
}

const asUser = (user: unknown) => async (c: CaseContext) => upload(await hs256(claimsFor(user), c.secret));
const atPath = (path: string) => async (c: CaseContext) => upload(await hs256(claimsFor('alice'), c.secret), { path });
const namedFile = (filename: string) => async (c: CaseContext) => upload(await hs256(claimsFor('alice'), c.secret), { filename });

/** A multipart body of our own making, sent with a valid token. */
const rawForm = (contentType: string, body: Buffer | string, extra: Partial<RawRequest> = {}) => async (c: CaseContext): Promise<RawRequest> => ({
  path: 'upload',
  headers: [['content-type', contentType], ['authorization', `Bearer ${await hs256(claimsFor('alice'), c.secret)}`]],
  body,
  ...extra,
});

const BOUNDARY = 'xyzBOUNDARYxyz';
const MP = `multipart/form-data; boundary=${BOUNDARY}`;
const filePart = (data: string, disposition = 'form-data; name="file"; filename="f.bin"') =>
  `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n${data}\r\n`;
const closing = `--${BOUNDARY}--\r\n`;

const unauthorized = (code: string): Expect => ({ status: 401, code });
const badPath: Expect = { status: 400, code: 'bad_path' };
const invalidUser: Expect = { status: 400, code: 'invalid_user' };
const badFileName: Expect = { status: 400, code: 'bad_file_name' };

export const BAD_INPUT: BadCase[] = [
  // Tokens
  { name: 'no Authorization header', request: async () => upload(undefined), expect: unauthorized('token_missing') },
  { name: 'alg none', request: async () => upload(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsFor('alice'))}.`), expect: unauthorized('token_bad_algorithm') },
  { name: 'alg none with a signature part', request: async () => upload(`${b64({ alg: 'none' })}.${b64(claimsFor('alice'))}.${b64('x')}`), expect: unauthorized('token_bad_algorithm') },
  { name: 'algorithm confusion: HS256 signed with the RSA public key PEM as the secret',
    request: async (c) => upload(await hs256(claimsFor('alice'), c.rsa.publicPem)), expect: unauthorized('token_bad_signature') },
  { name: 'algorithm confusion: HS256 with the public key PEM and the RSA key id',
    request: async (c) => upload(await hs256(claimsFor('alice'), c.rsa.publicPem, { kid: c.rsa.kid })), expect: unauthorized('token_bad_algorithm') },
  { name: 'algorithm confusion: HS256 with the public key DER as the secret',
    request: async (c) => upload(await hs256(claimsFor('alice'), new Uint8Array(Buffer.from(c.rsa.publicPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')))),
    expect: unauthorized('token_bad_signature') },
  { name: 'HS256 signed with a wrong secret', request: async () => upload(await hs256(claimsFor('alice'), 'not-the-secret-at-all-0123456789')), expect: unauthorized('token_bad_signature') },
  { name: 'RS256 signed with a key the server does not have', request: async (c) => upload(await withKey(claimsFor('alice'), c.stranger, { kid: c.rsa.kid })), expect: unauthorized('token_bad_signature') },
  { name: 'RS256 naming an unknown key id', request: async (c) => upload(await withKey(claimsFor('alice'), c.stranger)), expect: unauthorized('token_unknown_key') },
  { name: 'expired token', request: async (c) => upload(await hs256({ user: 'alice', exp: now() - 60, nbf: now() - 120 }, c.secret)), expect: unauthorized('token_expired') },
  { name: 'nbf in the future beyond the clock skew', request: async (c) => upload(await hs256({ user: 'alice', exp: now() + 600, nbf: now() + 120 }, c.secret)), expect: unauthorized('token_not_yet_valid') },
  { name: 'no user claim', request: async (c) => upload(await hs256({ exp: now() + 60 }, c.secret)), expect: unauthorized('token_invalid_claims') },
  { name: 'user claim a number', request: asUser(42), expect: unauthorized('token_invalid_claims') },
  // Security review (issue 12), item 8: a token must expire, and not too far ahead.
  { name: 'token without exp (would never expire)', request: async (c) => upload(await hs256({ user: 'alice', nbf: now() - 1 }, c.secret)), expect: unauthorized('token_invalid_claims') },
  { name: 'token whose exp is beyond TOKEN_MAX_LIFETIME_SECONDS', request: async (c) => upload(await hs256(claimsFor('alice', { exp: now() + 10 * 365 * 86400 }), c.secret)),
    expect: unauthorized('token_lifetime_too_long') },
  // Item 7: a Host that is not host[:port] would make links point elsewhere.
  { name: 'Host header with a path, query and userinfo (evil.example/x?#@)', request: async (c) => upload(await hs256(claimsFor('alice'), c.secret), { extraHeaders: [['host', 'evil.example/x?#@']] }),
    expect: { status: 400, code: 'bad_host' } },
  { name: 'Host header with a space', request: async () => upload(undefined, { extraHeaders: [['host', 'evil.example x']] }), expect: { status: 400, code: 'bad_host' } },
  { name: 'user claim an object', request: asUser({ name: 'alice' }), expect: unauthorized('token_invalid_claims') },
  { name: 'user and sub disagree', request: async (c) => upload(await hs256(claimsFor('alice', { sub: 'bob' }), c.secret)), expect: unauthorized('token_invalid_claims') },
  { name: 'negative max_size claim', request: async (c) => upload(await hs256(claimsFor('alice', { max_size: -1 }), c.secret)), expect: unauthorized('token_invalid_claims') },
  { name: 'huge token (12 KiB)', request: async (c) => upload(await hs256(claimsFor('alice', { pad: 'x'.repeat(12_000) }), c.secret)), expect: unauthorized('token_malformed') },
  { name: 'garbage base64', request: async () => upload('!!!.@@@.###'), expect: unauthorized('token_malformed') },
  { name: 'three parts that are not base64url JSON', request: async () => upload('aGVsbG8.d29ybGQ.Zm9v'), expect: unauthorized('token_malformed') },
  { name: 'duplicate Authorization headers', request: async (c) => upload(await hs256(claimsFor('alice'), c.secret), { extraHeaders: [['authorization', `Bearer ${await hs256(claimsFor('bob'), c.secret)}`]] }),
    expect: unauthorized('token_malformed') },
  { name: 'Basic instead of Bearer', request: async () => upload(undefined, { extraHeaders: [['authorization', 'Basic YWxpY2U6c2VjcmV0']] }), expect: unauthorized('token_malformed') },

  // Paths: in the user claim
  { name: 'user ..', request: asUser('..'), expect: invalidUser },
  { name: 'user ../escape', request: asUser('../escape'), expect: invalidUser },
  { name: 'user in/../..', request: asUser('in/../..'), expect: invalidUser },
  { name: 'user ends in /..', request: asUser('alice/..'), expect: invalidUser },
  { name: 'user an absolute path', request: asUser('/etc'), expect: invalidUser },
  { name: 'user with a backslash', request: asUser('..\\..\\evil'), expect: invalidUser },
  { name: 'user with NUL', request: asUser('alice\u0000.json'), expect: invalidUser },
  { name: 'user starting with a dot', request: asUser('.hidden'), expect: invalidUser },
  { name: 'user empty', request: asUser(''), expect: invalidUser },
  { name: 'user of 300 characters', request: asUser('a'.repeat(300)), expect: invalidUser },
  { name: 'user fullwidth dots (NFKC ..)', request: asUser('\uff0e\uff0e'), expect: invalidUser },
  { name: 'user with a fullwidth solidus (NFKC /)', request: asUser('a\uff0fb'), expect: invalidUser },
  { name: 'user not NFC (e + combining accent)', request: asUser('re\u0301sume\u0301'), expect: invalidUser },
  { name: 'user with a lone surrogate', request: asUser('a\ud800b'), expect: invalidUser },
  { name: 'user with a bidi override (U+202E)', request: asUser('ali\u202ece'), expect: invalidUser },

  // Paths: in the URL
  { name: 'URL /../upload', request: atPath('../upload'), expect: badPath },
  { name: 'URL /upload/..', request: atPath('upload/..'), expect: badPath },
  { name: 'URL /x/../upload', request: atPath('x/../upload'), expect: badPath },
  { name: 'URL /./upload', request: atPath('./upload'), expect: badPath },
  { name: 'URL /%2e%2e/upload', request: atPath('%2e%2e/upload'), expect: badPath },
  { name: 'URL /%2E%2E%2fupload', request: atPath('%2E%2E%2fupload'), expect: badPath },
  { name: 'URL /upload%2f..%2f..', request: atPath('upload%2f..%2f..'), expect: badPath },
  { name: 'URL with a backslash', request: atPath('..\\upload'), expect: badPath },
  { name: 'URL with %5c', request: atPath('%5c..%5cupload'), expect: badPath },
  // A web server cannot put NUL into PATH_INFO: the CGI script sees %00 as literal text, a path that does not exist.
  { name: 'URL with %00', request: atPath('upload%00'), expect: { node: badPath, cgi: { status: 404, code: 'not_found' } } },
  // A web server refuses bad percent-encoding itself, or passes it on undecoded: then it is a path that does not exist.
  { name: 'URL with a C1 control (%C2%9B)', request: atPath('upload%C2%9B'), expect: badPath },
  { name: 'URL with a bidi override (%E2%80%AE)', request: atPath('files/alice/%E2%80%AE'), expect: badPath },
  { name: 'URL with bad percent-encoding', request: atPath('upload%zz'), expect: { node: badPath, cgi: { status: 404, code: 'not_found' } } },
  { name: 'URL //etc/passwd', request: atPath('/etc/passwd'), expect: { status: 404, code: 'not_found' } },
  { name: 'URL of 8000 characters', request: atPath('a'.repeat(8000)), expect: { status: 404, code: 'not_found' } },

  // Multipart
  { name: 'not multipart', request: async (c) => ({ ...(await rawForm('application/octet-stream', 'hello')(c)) }), expect: { status: 415, code: 'not_multipart' } },
  { name: 'multipart without a boundary', request: rawForm('multipart/form-data', filePart('hello') + closing), expect: { status: 400, code: 'bad_multipart' } },
  { name: 'wrong boundary', request: rawForm('multipart/form-data; boundary=other', filePart('hello') + closing), expect: { status: 400, code: 'body_incomplete' } },
  { name: 'unterminated body', request: rawForm(MP, filePart('hello').slice(0, -2)), expect: { status: 400, code: 'body_incomplete' } },
  { name: 'body shorter than Content-Length', request: rawForm(MP, filePart('hello world') + closing, { cutBodyAt: 60 }), expect: { status: 400, code: 'body_incomplete' }, nodeOnly: true },
  { name: 'body longer than Content-Length (cut inside the form)',
    request: async (c) => {
      const base = await rawForm(MP, filePart('0123456789'.repeat(10)) + closing)(c);
      return { ...base, headers: [...base.headers!, ['content-length', '120']] };
    },
    expect: { status: 400, code: 'body_incomplete' }, nodeOnly: true },
  { name: 'thousands of parts', request: rawForm(MP, Array.from({ length: 5000 }, (_, i) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f${i}"; filename="x"\r\n\r\nx\r\n`).join('') + filePart('hello') + closing),
    expect: { status: 413, code: 'too_many_parts' } },
  { name: 'thousands of fields', request: rawForm(MP, Array.from({ length: 5000 }, (_, i) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`).join('') + filePart('hello') + closing),
    expect: { status: 413, code: 'too_many_fields' } },
  { name: 'a form field over the size limit', request: rawForm(MP, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\n${'n'.repeat(70_000)}\r\n` + filePart('hello') + closing),
    expect: { status: 413, code: 'field_too_large' } },
  { name: 'a 10 MB part header', request: rawForm(MP, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nX-Pad: ${'p'.repeat(10 * 1024 * 1024)}\r\n\r\nhello\r\n` + closing),
    expect: { status: 413, code: 'too_large' } },
  { name: 'a 10 KB part header', request: rawForm(MP, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nX-Pad: ${'p'.repeat(20 * 1024)}\r\n\r\nhello\r\n` + closing),
    expect: { status: 400, code: 'body_incomplete' } },
  { name: 'file name with CR/LF', request: rawForm(MP, filePart('hello', `form-data; name="file"; filename*=UTF-8''evil%0D%0AX-Injected%3A%20yes`) + closing), expect: badFileName },
  { name: 'file name ../../etc/passwd', request: namedFile('../../etc/passwd'), expect: badFileName },
  { name: 'file name with a backslash path', request: namedFile('..\\..\\boot.ini'), expect: badFileName },
  { name: 'file name with NUL', request: rawForm(MP, filePart('hello', `form-data; name="file"; filename*=UTF-8''a%00b`) + closing), expect: badFileName },
  { name: 'file name of 1000 bytes', request: namedFile('n'.repeat(1000)), expect: badFileName },
  // Item 6: terminal escapes (C1 CSI) and bidi overrides would reach `bdfu logs` and `bdfu ls`.
  { name: 'file name with a C1 control (U+009B, CSI)', request: rawForm(MP, filePart('hello', `form-data; name="file"; filename*=UTF-8''a%C2%9B31mred`) + closing), expect: badFileName },
  { name: 'file name with a bidi override (U+202E)', request: rawForm(MP, filePart('hello', `form-data; name="file"; filename*=UTF-8''invoice%E2%80%AEfdp.exe`) + closing), expect: badFileName },
  { name: 'file name with a bidi isolate (U+2066)', request: rawForm(MP, filePart('hello', `form-data; name="file"; filename*=UTF-8''a%E2%81%A6b`) + closing), expect: badFileName },
  { name: 'two files', request: rawForm(MP, filePart('one') + filePart('two') + closing), expect: { status: 400, code: 'multiple_files' } },
  { name: 'no file field', request: rawForm(MP, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n` + closing), expect: { status: 400, code: 'file_missing' } },
  { name: 'Content-Length over MAX_UPLOAD_SIZE', request: async (c) => upload(await hs256(claimsFor('alice'), c.secret), { data: Buffer.alloc(c.maxUploadSize + 1, 1) }),
    expect: { status: 413, code: 'too_large' } },
  { name: 'chunked body over MAX_UPLOAD_SIZE', request: async (c) => ({ ...upload(await hs256(claimsFor('alice'), c.secret), { data: Buffer.alloc(c.maxUploadSize + 1, 1) }), chunked: true }),
    expect: { status: 413, code: 'too_large' } },
  { name: 'upload over the token max_size claim', request: async (c) => upload(await hs256(claimsFor('alice', { max_size: 100 }), c.secret), { data: Buffer.alloc(200, 1) }),
    expect: { status: 413, code: 'too_large' } },
  { name: 'GET on the upload endpoint', request: async (c) => ({ method: 'GET', path: 'upload', headers: [['authorization', `Bearer ${await hs256(claimsFor('alice'), c.secret)}`]] }),
    expect: { status: 405, code: 'method_not_allowed' } },
];
