import t from 'tap';
import { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../src/assembly/app.js';
import { diskBackend } from '../../src/assembly/backend.js';
import { loadConfig } from '../../src/config/load.js';
import type { CoreRequest, CoreResponse } from '../../src/core/types.js';
import { sweepExpired } from '../../src/sharing/retention.js';
import { partsOf, rememberParts } from '../../src/storage/concatenated-parts.js';
import { makeFixture } from '../helpers/fixture.js';
import { multipart } from '../helpers/http.js';
import { scopedToken } from '../helpers/tokens.js';

const T0 = Date.parse('2031-05-01T12:00:00Z');
const HOUR = 3_600_000;

async function text(response: CoreResponse): Promise<string> {
  const body = response.body;
  if (body === undefined) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString();
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

t.test('retention and link expiry follow the injected clock: never served at or after their time, swept exactly when due', async (t) => {
  const fixture = makeFixture('retention', { RETENTION_DAYS_MAX: 30, RETENTION_DAYS_DEFAULT: 3 });
  const { settings } = loadConfig({ file: fixture.config, env: {} });
  const backend = diskBackend(settings);
  let clock = T0;
  const app = createApp(settings, { backend, now: () => clock });
  const token = await scopedToken('ret', fixture.secret, 'upload read delete');
  const call = async (method: string, path: string, options: { query?: string; body?: Buffer | string; headers?: Record<string, string> } = {}) => {
    const req: CoreRequest = {
      method, path, query: new URLSearchParams(options.query ?? ''), remoteAddress: '127.0.0.1', baseUrl: 'http://bdfu.test/',
      headers: { authorization: `Bearer ${token}`, ...options.headers }, body: Readable.from(options.body === undefined ? [] : [Buffer.from(options.body)]),
    };
    const response = await app(req);
    const body = await text(response);
    let json: any;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    return { status: response.status, body, json };
  };
  const put = async (name: string, query = '') => {
    const { body, contentType } = multipart([{ name: 'file', filename: name, type: 'text/plain', data: `bytes of ${name}` }]);
    const reply = await call('POST', '/upload', { query, body, headers: { 'content-type': contentType, 'content-length': String(body.length) } });
    t.equal(reply.status, 201, reply.body);
    return reply.json as { id: string; expires?: string };
  };

  const hour = await put('hour.txt', 'expires_in=1h');
  const twoHours = await put('two.txt', 'expires_in=2h');
  const fallback = await put('default.txt');
  t.equal(hour.expires, new Date(T0 + HOUR).toISOString());
  t.equal(fallback.expires, new Date(T0 + 3 * 24 * HOUR).toISOString(), 'RETENTION_DAYS_DEFAULT when no expires_in');
  const link = await call('POST', `/files/ret/${twoHours.id}/links`, { body: JSON.stringify({ expiresIn: '90m' }) });
  t.equal(link.status, 201);
  const linkPath = new URL(link.json.url).pathname;

  clock = T0 + HOUR - 1;
  t.equal((await call('GET', `/files/ret/${hour.id}`)).body, 'bytes of hour.txt', 'served a millisecond before its time');
  t.same(await sweepExpired(backend.records, backend.files, backend.audit, () => clock), [], 'nothing is due yet');

  clock = T0 + HOUR;
  t.equal((await call('GET', `/files/ret/${hour.id}`)).status, 404, 'not served at its time, though not swept yet');
  const listed = await call('GET', '/files/ret');
  t.same(listed.json.files.map((f: { name: string }) => f.name).sort(), ['default.txt', 'two.txt'], 'nor listed');
  t.ok(existsSync(join(fixture.storageDir, 'ret', hour.id)), 'still on disk until the sweep');
  t.equal((await call('GET', linkPath)).status, 200, 'the 90-minute link still serves');

  await rememberParts(backend.records, 'ret', hour.id, ['part-a', 'part-b']);
  const swept = await sweepExpired(backend.records, backend.files, backend.audit, () => clock);
  t.same(swept.map((s) => s.file), [hour.id], 'the sweep deletes exactly what is due');
  t.equal(await partsOf(backend.records, 'ret', hour.id), undefined, "a tus final upload's parts list goes with it");
  t.notOk(existsSync(join(fixture.storageDir, 'ret', hour.id)));
  t.ok(existsSync(join(fixture.storageDir, 'ret', twoHours.id)));
  t.ok(existsSync(join(fixture.storageDir, 'ret', fallback.id)));
  const audit = await backend.audit.query({});
  t.match(audit.filter((e) => e.action === 'expire'), [{ owner: 'ret', id: hour.id, name: 'hour.txt', outcome: 'ok' }], 'audited');

  clock = T0 + 90 * 60_000;
  const expiredLink = await call('GET', linkPath);
  t.equal(expiredLink.status, 410);
  t.equal(expiredLink.json.code, 'link_expired');
  const expiredPage = await call('GET', linkPath, { headers: { accept: 'text/html' } });
  t.equal(expiredPage.status, 410);
  t.match(expiredPage.body, /has expired/);

  clock = T0 + 2 * HOUR;
  t.same((await sweepExpired(backend.records, backend.files, backend.audit, () => clock)).map((s) => s.file), [twoHours.id]);
  clock = T0 + 3 * 24 * HOUR;
  t.same((await sweepExpired(backend.records, backend.files, backend.audit, () => clock)).map((s) => s.file), [fallback.id]);
  t.same((await call('GET', '/files/ret')).json.files, []);
});

t.test('RETENTION_DAYS_DEFAULT must fit RETENTION_DAYS_MAX (checked at start-up)', async (t) => {
  const fixture = makeFixture('retention-bad', { RETENTION_DAYS_MAX: 5, RETENTION_DAYS_DEFAULT: 9 });
  t.throws(() => loadConfig({ file: fixture.config, env: {} }), { name: 'ConfigError', message: /RETENTION_DAYS_DEFAULT \(9\)/ });
});
