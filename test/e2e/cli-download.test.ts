import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { CLI } from '../helpers/paths.js';
import { bdfu, run } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { scopedToken } from '../helpers/tokens.js';
import { upload } from './files-suite.js';

t.test('bdfu download draws a progress bar on a terminal, and only there', async (t) => {
  const fixture = makeFixture('download-tty');
  const server = await startBdfu([fixture.config]);
  t.teardown(() => server.stop());
  const token = await scopedToken('tty', fixture.secret, 'upload read');
  const data = randomBytes(3 << 20);
  const id = (await upload(server.url, token, data)).json.id;
  const work = mkdtempSync(join(tmpdir(), 'bdfu-tty-'));

  // `script` gives the command a pseudo-terminal, as a person's shell would.
  const onTty = await run('script', ['-qec', `${process.execPath} ${CLI} download ${server.url} ${token} tty/${id} -o ${join(work, 'a.bin')}`, '/dev/null']);
  t.equal(onTty.code, 0, onTty.stdout);
  t.match(onTty.stdout, /tty\/[0-9a-f]{32} \[#{30}\] 100% 3\.0 MiB/, 'a finished bar for 3 MiB');
  t.ok(readFileSync(join(work, 'a.bin')).equals(data));

  const piped = await bdfu(['download', server.url, token, `tty/${id}`, '-o', join(work, 'b.bin')]);
  t.equal(piped.code, 0);
  t.equal(piped.stderr, '', 'no bar when stderr is not a terminal');
  t.equal(piped.stdout, '', 'and nothing else either');
  writeFileSync(join(work, 'c.bin'), data.subarray(0, 1 << 20));
  const resumed = await run('script', ['-qec', `${process.execPath} ${CLI} download ${server.url} ${token} tty/${id} -o ${join(work, 'c.bin')}`, '/dev/null']);
  t.match(resumed.stdout, /\[#{30}\] 100% 2\.0 MiB/, 'a resumed download counts what is left');
  t.ok(readFileSync(join(work, 'c.bin')).equals(data));
});

/** A one-route HTTP server on loopback; answers with `handle`, remembers the request headers. */
async function tinyServer(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen, close: () => new Promise((r) => server.close(r)) };
}

t.test('bdfu download follows a CDN redirect without sending the token there', async (t) => {
  const cdn = await tinyServer((_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('bytes from the CDN'));
  const bdfuLike = await tinyServer((_req, res) => res.writeHead(303, { location: `${cdn.url}u/file?Signature=x`, 'cache-control': 'no-store' }).end());
  t.teardown(async () => {
    await cdn.close();
    await bdfuLike.close();
  });
  const out = join(mkdtempSync(join(tmpdir(), 'bdfu-cdn-cli-')), 'out.bin');
  const res = await bdfu(['download', bdfuLike.url, 'the.bearer.token', `u/${'a'.repeat(32)}`, '-o', out]);
  t.equal(res.code, 0, res.stderr);
  t.equal(readFileSync(out, 'utf8'), 'bytes from the CDN');
  t.equal(bdfuLike.seen[0]?.authorization, 'Bearer the.bearer.token', 'bdfu gets the token');
  t.equal(cdn.seen.length, 1, 'the CDN is asked once');
  t.notOk(cdn.seen[0]?.authorization, 'the CDN never sees the token');
});
