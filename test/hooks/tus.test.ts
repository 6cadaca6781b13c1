import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { http } from '../helpers/http.js';
import { startBdfu } from '../helpers/serve.js';
import { scopedToken } from '../helpers/tokens.js';
import { EICAR, eventually, hookFixture } from './helpers.js';

// A resumable (tus) upload that finishes is an upload like a multipart one: the same beforeCommit
// check before the file exists, the same afterUpload after.
const fixture = hookFixture('hook-tus', 'eicar-scan.sh');
const server = await startBdfu([fixture.config], { env: { PATH: process.env.PATH } });
t.teardown(() => server.stop());
const token = await scopedToken('tia', fixture.secret, 'upload read');
const tus = (extra: Record<string, string>) => ({ authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...extra });
const octets = { 'content-type': 'application/offset+octet-stream' };
const metadata = (name: string) => `filename ${Buffer.from(name).toString('base64')}`;
/** What is left in the user's directory, locks aside: files, records, sessions, staged bytes. */
const leftIn = (user: string) => {
  const dir = join(fixture.storageDir, user);
  return existsSync(dir) ? readdirSync(dir).filter((name) => !name.endsWith('.lock')).sort() : [];
};

t.test('an infected file sent with creation-with-upload: 422 rejected_by_hook, nothing kept', async (t) => {
  const data = Buffer.from(`text\n${EICAR}\n`);
  const res = await http(`${server.url}tus/`, {
    method: 'POST', headers: tus({ ...octets, 'upload-length': String(data.length), 'upload-metadata': metadata('eicar.com') }), body: data,
  });
  t.equal(res.status, 422, res.text);
  t.equal(res.json.code, 'rejected_by_hook');
  t.equal(res.json.reason, 'infected: Eicar-Test-Signature');
  t.same(leftIn('tia'), [], 'no file, no session, no staged bytes');
  const scanned = fixture.events().find((e) => e.event === 'beforeCommit');
  t.match(scanned, { user: 'tia', name: 'eicar.com', size: data.length, sha256: /^[0-9a-f]{64}$/ });
  t.ok(scanned.path.startsWith(join(fixture.storageDir, 'tia') + '/'), 'the scanner read the staged bytes on the disk');
});

t.test('a clean file in two PATCHes: checked once at the end, then afterUpload with its record', async (t) => {
  const created = await http(`${server.url}tus/`, { method: 'POST', headers: tus({ 'upload-length': '10', 'upload-metadata': metadata('clean.txt') }) });
  t.equal(created.status, 201, created.text);
  const url = new URL(String(created.headers.location), server.url).href;
  const first = await http(url, { method: 'PATCH', headers: tus({ ...octets, 'upload-offset': '0' }), body: Buffer.from('hello') });
  t.equal(first.status, 204);
  const before = fixture.events().filter((e) => e.event === 'beforeCommit').length;
  const last = await http(url, { method: 'PATCH', headers: tus({ ...octets, 'upload-offset': '5' }), body: Buffer.from('world') });
  t.equal(last.status, 200, last.text);
  t.equal(fixture.events().filter((e) => e.event === 'beforeCommit').length, before + 1, 'asked once, when the last byte arrived');
  const uploaded = await eventually(() => fixture.events().find((e) => e.event === 'afterUpload'), 'the afterUpload event');
  t.match(uploaded, { user: 'tia', record: { id: last.json.id, name: 'clean.txt', size: 10 } });
});

t.test('a concatenation of partial uploads is checked as one file', async (t) => {
  const parts: string[] = [];
  for (const text of ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-', 'ANTIVIRUS-TEST-FILE!$H+H*']) {
    const data = Buffer.from(text);
    const res = await http(`${server.url}tus/`, {
      method: 'POST', headers: tus({ ...octets, 'upload-length': String(data.length), 'upload-concat': 'partial' }), body: data,
    });
    t.equal(res.status, 201, res.text);
    parts.push(new URL(String(res.headers.location), server.url).pathname);
  }
  const final = await http(`${server.url}tus/`, { method: 'POST', headers: tus({ 'upload-concat': `final;${parts.join(' ')}`, 'upload-metadata': metadata('joined.txt') }) });
  t.equal(final.status, 422, 'each half is harmless; the whole is not');
  t.equal(final.json.code, 'rejected_by_hook');
  t.same(leftIn('tia').filter((name) => /^[0-9a-f]{32}$/.test(name)).length, 1, 'only the clean file of the test before');
});
