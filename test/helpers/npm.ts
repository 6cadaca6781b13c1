import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SpawnOptions } from 'node:child_process';
import { childEnv } from './child-env.js';
import { run, type Ran } from './run.js';

/** npm's own script: the one installed with this Node, else the npm that started the tests. */
export const NPM_CLI = [join(dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js'), process.env.npm_execpath ?? '']
  .find((path) => path.endsWith('npm-cli.js') && existsSync(path));

/** `npm ARGS` with this Node. */
export function npm(args: string[], options: SpawnOptions = {}): Promise<Ran> {
  if (!NPM_CLI) throw new Error(`npm's npm-cli.js not found beside ${process.execPath}`);
  return run(process.execPath, [NPM_CLI, ...args], { env: childEnv(), ...options });
}
