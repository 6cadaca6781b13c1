import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { bundle } from '../../scripts/sea/bundle.mjs';
import { buildExecutable } from '../../scripts/sea/executable.mjs';
import { ROOT } from '../helpers/paths.js';

// Without V8's code cache (which is not deterministic) the build is reproducible: two builds in
// different directories give the same bytes.
const cacheDir = join(ROOT, 'node_modules', '.cache', 'bdfu-sea');
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

t.test('two builds without code cache are byte for byte the same', async (t) => {
  const sums: string[] = [];
  for (const name of ['first', 'second']) {
    const dir = mkdtempSync(join(tmpdir(), `bdfu-repro-${name}-`));
    await bundle(join(dir, 'bdfu.cjs'));
    const out = join(dir, 'bdfu');
    await buildExecutable({ arch: process.arch, main: join(dir, 'bdfu.cjs'), out, codeCache: false, cacheDir });
    sums.push(sha256(out));
    rmSync(dir, { recursive: true, force: true });
  }
  t.equal(sums[0], sums[1]);
});
