// History (the python-remotestorage seed's commit per write): every PUT and DELETE keeps the
// previous version; `bdfu history` lists them and `bdfu restore` brings one back as a new write.
import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { http } from '../helpers/http.js';
import { bdfu } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { bearer, scopedToken } from '../helpers/tokens.js';

const fixture = makeFixture('rs-history');
const server = await startBdfu([fixture.config]);
t.teardown(() => server.stop());
const doc = `${server.url}storage/hana/notes/diary.txt`;

t.test('20 writes, history, restore the 3rd, a deletion kept too; errors are one line', async (t) => {
  const auth = bearer(await scopedToken('hana', fixture.secret, 'notes:rw'));
  const etags: string[] = [];
  for (let i = 1; i <= 20; i++) {
    const put = await http(doc, { method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: `entry ${i}` });
    t.equal(put.status, i === 1 ? 201 : 200);
    etags.push(String(put.headers.etag).replace(/"/g, ''));
  }
  const listed = await bdfu(['history', 'hana', '/notes/diary.txt', fixture.config, '--json']);
  t.equal(listed.code, 0, listed.stderr);
  const { versions } = JSON.parse(listed.stdout);
  t.equal(versions.length, 20, 'every write is a version');
  t.same(versions.map((v: { etag: string }) => v.etag), [...etags].reverse(), 'newest first, each with its ETag');
  t.ok(versions.every((v: { size: number }) => v.size === `entry ${20}`.length || v.size === 'entry 1'.length));
  const lines = await bdfu(['history', 'hana', '/notes/diary.txt', fixture.config]);
  t.equal(lines.stdout.trim().split('\n').length, 20, 'one line a version');

  const third = versions[17];
  const restored = await bdfu(['restore', 'hana', '/notes/diary.txt', third.version, fixture.config, '--json']);
  t.equal(restored.code, 0, restored.stderr);
  const now = await http(doc, { headers: auth });
  t.equal(now.text, 'entry 3', 'the 3rd write is the document again');
  t.not(String(now.headers.etag).replace(/"/g, ''), etags[2], 'with a new ETag, so clients see it change');
  t.equal(JSON.parse(restored.stdout).etag, String(now.headers.etag).replace(/"/g, ''));
  t.equal(JSON.parse((await bdfu(['history', 'hana', '/notes/diary.txt', fixture.config, '--json'])).stdout).versions.length, 21, 'the restore is a write of its own');

  t.equal((await http(doc, { method: 'DELETE', headers: auth })).status, 200);
  const afterDelete = JSON.parse((await bdfu(['history', 'hana', '/notes/diary.txt', fixture.config, '--json'])).stdout).versions;
  t.equal(afterDelete[0].deleted, true, 'the deletion is a version too');
  const refused = await bdfu(['restore', 'hana', '/notes/diary.txt', afterDelete[0].version, fixture.config]);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /^bdfu: version .* is the deletion of \/notes\/diary.txt: restore one before it\n$/);
  t.equal((await bdfu(['restore', 'hana', '/notes/diary.txt', afterDelete[1].version, fixture.config])).code, 0, 'a deleted document comes back');
  t.equal((await http(doc, { headers: auth })).text, 'entry 3');

  const failures: Array<[string[], RegExp]> = [
    [['history', 'hana', '/notes/never.txt', fixture.config], /^bdfu: hana has no document \/notes\/never.txt, and never had\n$/],
    [['history', 'hana', 'notes/no-slash', fixture.config], /^bdfu: the document path "notes\/no-slash" does not start with \/\n$/],
    [['history', '../x', '/a', fixture.config], /^bdfu: the user name "\.\.\/x"/],
    [['restore', 'hana', '/notes/diary.txt', 'nope', fixture.config], /^bdfu: \/notes\/diary.txt of hana has no version nope \(bdfu history lists them\)\n$/],
  ];
  for (const [args, message] of failures) {
    const res = await bdfu(args);
    t.equal(res.code, 1, args.join(' '));
    t.match(res.stderr, message);
  }
});

t.test('DOCUMENT_VERSIONS_KEEP prunes old versions after each write', async (t) => {
  const pruned = makeFixture('rs-history-keep', { DOCUMENT_VERSIONS_KEEP: 3 });
  const keeping = await startBdfu([pruned.config]);
  t.teardown(() => keeping.stop());
  const auth = bearer(await scopedToken('kim', pruned.secret, '*:rw'));
  for (let i = 1; i <= 8; i++) {
    await http(`${keeping.url}storage/kim/a/doc`, { method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: `v${i}` });
  }
  await http(`${keeping.url}storage/kim/a/other`, { method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: 'one' });
  const { versions } = JSON.parse((await bdfu(['history', 'kim', '/a/doc', pruned.config, '--json'])).stdout);
  t.equal(versions.length, 4, 'the current version and the 3 before it');
  t.same(versions.map((v: { size: number }) => v.size), [2, 2, 2, 2]);
  const oldest = versions[3].version;
  t.equal((await bdfu(['restore', 'kim', '/a/doc', oldest, pruned.config])).code, 0);
  t.equal((await http(`${keeping.url}storage/kim/a/doc`, { headers: auth })).text, 'v5', 'the oldest kept is v5');
});
