import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { NODE_VERSION, pinnedNode } from '../../scripts/sea/pinned-node.mjs';
import { run } from '../helpers/run.js';

// The Node binary inside the executable comes from the npm registry, pinned by version and sha512.
const caches: string[] = [];
t.teardown(() => caches.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const freshCache = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-pinned-'));
  caches.push(dir);
  return dir;
};

t.test('the pinned Node is the pinned version, and is cached', async (t) => {
  const cache = freshCache();
  const node = await pinnedNode(process.arch, cache);
  const ran = await run(node, ['--version'], { env: {} });
  t.equal(ran.stdout, `v${NODE_VERSION}\n`);
  t.equal(await pinnedNode(process.arch, cache), node, 'the second call finds it in the cache');
  t.same(readdirSync(cache), [`node-linux-${process.arch}-${NODE_VERSION}`], 'nothing else is left in the cache');
});

t.test('a tarball that is not the pinned one is refused and leaves nothing behind', async (t) => {
  const cache = freshCache();
  const wrong = `sha512-${createHash('sha512').update('not node').digest('base64')}`;
  await t.rejects(pinnedNode(process.arch, cache, wrong), /is not the pinned one/);
  t.same(readdirSync(cache), [], 'no binary, no staging directory');
  t.notOk(existsSync(join(cache, `node-linux-${process.arch}-${NODE_VERSION}`, 'package', 'bin', 'node')));
});

t.test('an architecture without a pinned binary is an error that names the ones there are', async (t) => {
  await t.rejects(pinnedNode('mips', freshCache()), /no pinned Node binary for mips \(have: x64, arm64\)/);
});
