import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { http } from '../helpers/http.js';
import { bdfu } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { scopedToken } from '../helpers/tokens.js';
import { remoteStorageSuite } from './remote-storage-suite.js';

const fixture = makeFixture('rs-serve', { MAX_UPLOAD_SIZE: 1 << 20 });
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());

remoteStorageSuite(t, () => ({ baseUrl: server.url, secret: fixture.secret, maxBytes: 1 << 20 }));

t.test('bdfu gen-token --scope mints remoteStorage scopes; unknown ones are one clear line', async (t) => {
  const minted = await bdfu(['gen-token', '--scope', 'notes:rw *:r', 'gina', fixture.secret]);
  t.equal(minted.code, 0, minted.stderr);
  const token = minted.stdout.trim();
  const put = await http(`${server.url}storage/gina/notes/g.txt`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: 'by gen-token' });
  t.equal(put.status, 201, put.text);
  t.equal((await http(`${server.url}storage/gina/`, { headers: { authorization: `Bearer ${token}` } })).status, 200, '*:r lists the root');
  const logs = await bdfu(['logs', fixture.config, '--action', 'storage-write', '--json']);
  const written = logs.stdout.trim().split('\n').map((line) => JSON.parse(line));
  t.ok(written.some((e) => e.user === 'gina' && e.name === '/notes/g.txt' && e.bytes === 12 && e.outcome === 'ok'), 'the write is audited: who, which document, how many bytes');
  const bad = await bdfu(['gen-token', '--scope', 'notes:rwx', 'gina', fixture.secret]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^bdfu: unknown scope notes:rwx \(scopes: upload read delete admin, or remoteStorage's <module>:r, <module>:rw, \*:r, \*:rw\)\n$/);
});

t.test('restores are audited as storage-restore, refused history reads as storage-history', async (t) => {
  const logs = async (action: string) =>
    (await bdfu(['logs', fixture.config, '--action', action, '--json'])).stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const restores = await logs('storage-restore');
  t.ok(restores.some((e) => e.name === '/notes/h.txt' && e.outcome === 'ok' && e.bytes === 3), 'a restore: who, which document, how many bytes');
  t.ok(restores.some((e) => e.outcome === 'refused' && e.code === 'version_is_deletion'), 'a refused one, with its code');
  t.ok((await logs('storage-history')).some((e) => e.outcome === 'refused' && e.code === 'token_missing'), 'a history read without a token');
});

t.test('the quota holds for documents (507), old versions included', async (t) => {
  const limited = makeFixture('rs-quota', { QUOTA_BYTES: 300_000 });
  const quotaServer = await startBdfu([limited.config]);
  t.teardown(() => quotaServer.stop());
  const token = await scopedToken('quinn', limited.secret, '*:rw');
  const put = (path: string, size: number) =>
    http(`${quotaServer.url}storage/quinn${path}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: Buffer.alloc(size, 1) });
  t.equal((await put('/q/a', 100_000)).status, 201);
  t.equal((await put('/q/a', 100_000)).status, 200, 'a new version of the same document');
  const over = await put('/q/b', 150_000);
  t.equal(over.status, 507, 'the kept version counts: 100 000 + 100 000 + 150 000 is over 300 000');
  t.equal(over.json.code, 'quota_exceeded');
});
