// The CLI and the CGI entry as one CommonJS file, the only kind of main script a Node 20 SEA runs.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ENTRY = fileURLToPath(new URL('../../src/cli/sea-main.ts', import.meta.url));

/**
 * esbuild wraps every bundled module in a lazy initialiser and turns `await import(...)` into a
 * call of it, so a module's top-level code still runs only when the dynamic import is reached.
 */
export function bundleOptions(outfile, extra = {}) {
  return {
    entryPoints: [ENTRY],
    // Paths in the bundle's comments are relative to this, not to wherever the build was started.
    absWorkingDir: ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    legalComments: 'inline',
    ...extra,
  };
}

export async function bundle(outfile, extra = {}) {
  // The web page's files become src/ui/assets.generated.ts (as `npm run build` makes it).
  await import('../embed-ui.mjs');
  return build(bundleOptions(outfile, extra));
}
