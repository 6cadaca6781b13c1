import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Plugin } from 'esbuild';
import { bundle } from '../../scripts/sea/bundle.mjs';
import { ROOT } from './paths.js';

/**
 * The single executable's bundle, built as build:bin builds it, except that every module records
 * its path in `globalThis.__bdfuEvaluated` when its top-level code has run.
 */
const tracing: Plugin = {
  name: 'trace-evaluation',
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|mjs|cjs)$/ }, (args) => {
      const name = relative(ROOT, args.path);
      const source = readFileSync(args.path, 'utf8');
      const loader = args.path.endsWith('.ts') ? 'ts' : 'js';
      return { contents: `${source}\n;globalThis.__bdfuEvaluated?.push(${JSON.stringify(name)});\n`, loader };
    });
  },
};

export async function buildTracedBundle(dir: string): Promise<{ bundle: string; preload: string }> {
  const file = join(dir, 'bdfu-traced.cjs');
  await bundle(file, { plugins: [tracing] });
  const preload = join(dir, 'trace-preload.cjs');
  writeFileSync(
    preload,
    `globalThis.__bdfuEvaluated = [];
process.on('exit', () => require('node:fs').writeFileSync(process.env.BDFU_TRACE_FILE, JSON.stringify(globalThis.__bdfuEvaluated)));\n`,
  );
  return { bundle: file, preload };
}
