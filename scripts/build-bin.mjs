#!/usr/bin/env node
// npm run build:bin: dist/bdfu-linux-<arch> (single executables) and dist/SHA256SUMS.
//   node scripts/build-bin.mjs [--arch x64,arm64] [--no-code-cache]
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle } from './sea/bundle.mjs';
import { buildExecutable, codeCacheFor } from './sea/executable.mjs';
import { ARCHES, NODE_VERSION } from './sea/pinned-node.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const CACHE = join(ROOT, 'node_modules', '.cache', 'bdfu-sea');

const { values } = parseArgs({
  options: { arch: { type: 'string', default: ARCHES.join(',') }, 'no-code-cache': { type: 'boolean', default: false } },
});
const arches = values.arch.split(',').filter(Boolean);

/** `sha256sum -c SHA256SUMS` in dist/ checks every executable there. */
function writeSums() {
  const names = readdirSync(DIST).filter((name) => /^bdfu-linux-[a-z0-9]+$/.test(name)).sort();
  const lines = names.map((name) => `${createHash('sha256').update(readFileSync(join(DIST, name))).digest('hex')}  ${name}\n`);
  writeFileSync(join(DIST, 'SHA256SUMS'), lines.join(''));
}

const workDir = mkdtempSync(join(tmpdir(), 'bdfu-sea-'));
try {
  mkdirSync(DIST, { recursive: true });
  const main = join(workDir, 'bdfu.cjs');
  await bundle(main);
  for (const arch of arches) {
    const codeCache = codeCacheFor(arch, !values['no-code-cache']);
    const built = await buildExecutable({ arch, main, out: join(DIST, `bdfu-linux-${arch}`), codeCache, cacheDir: CACHE });
    const size = (statSync(built.out).size / 2 ** 20).toFixed(1);
    process.stdout.write(
      `dist/bdfu-linux-${arch}: ${size} MiB, node v${NODE_VERSION}, code cache ${codeCache ? 'on' : 'off'}` +
        `${built.stripped ? '' : `, not stripped (no strip for ${arch} here)`}\n`,
    );
  }
  writeSums();
  process.stdout.write('dist/SHA256SUMS\n');
} catch (error) {
  process.stderr.write(`build:bin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
