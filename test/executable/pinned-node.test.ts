import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { NODE_VERSION, pinnedNode } from '../../scripts/sea/pinned-node.mjs';
import { run } from '../helpers/run.js';

// The Node binary inside the executable comes from the npm registry, pinned by version and sha512.

t.test('the pinned Node is the pinned version, and is cached', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'bdfu-pinned-'));
  const node = await pinnedNode(process.arch, cache);
  const ran = await run(node, ['--version'], { env: {} });
  t.equal(ran.stdout, `v${NODE_VERSION}\n`);
  t.equal(await pinnedNode(process.arch, cache), node, 'the second call finds it in the cache');
  t.same(readdirSync(cache), [`node-linux-${process.arch}-${NODE_VERSION}`], 'nothing else is left in the cache');
});

t.test('a tarball that is not the pinned one is refused and leaves nothing behind', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'bdfu-pinned-'));
  const wrong = `sha512-${createHash('sha512').update('not node').digest('base64')}`;
  await t.rejects(pinnedNode(process.arch, cache, wrong), /is not the pinned one/);
  t.same(readdirSync(cache), [], 'no binary, no staging directory');
  t.notOk(existsSync(join(cache, `node-linux-${process.arch}-${NODE_VERSION}`, 'package', 'bin', 'node')));
});

t.test('an architecture without a pinned binary is an error that names the ones there are', async (t) => {
  await t.rejects(pinnedNode('mips', mkdtempSync(join(tmpdir(), 'bdfu-pinned-'))), /no pinned Node binary for mips \(have: x64, arm64\)/);
});
