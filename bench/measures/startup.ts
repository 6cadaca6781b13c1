import { existsSync } from 'node:fs';
import type { BenchOptions } from '../lib/options.js';
import { BIN, cleanEnv, NODE, SINGLE_EXECUTABLE } from '../lib/processes.js';
import { progress } from '../lib/progress.js';
import { row, type Row } from '../lib/report.js';
import { spawnRows, spawnTimes, type Spawned } from '../lib/spawns.js';

/** Figure 5: `bdfu --version` (package.json's bin, as npm installs it; and the single executable's) against `node -e 0`. */
export async function startup(options: BenchOptions): Promise<Row[]> {
  const env = cleanEnv();
  const commands: Record<string, Spawned> = {
    node: { command: [NODE, '-e', '0'], env },
    bdfu: { command: [NODE, BIN, '--version'], env },
  };
  const single = existsSync(SINGLE_EXECUTABLE);
  if (single) commands.single = { command: [SINGLE_EXECUTABLE, '--version'], env };
  progress(`start-up: ${options.spawns} runs of ${Object.keys(commands).join(', ')}`);
  const times = await spawnTimes(commands, options.spawns);
  const target = { of: 'ratio', op: '<=', limit: 1.2 } as const;
  const rows = spawnRows('5. start-up, bdfu --version', times.bdfu!, 'node -e 0', times.node!, target);
  if (single) {
    rows.push(...spawnRows('5. start-up, single executable --version', times.single!, 'node -e 0', times.node!, target));
  } else {
    rows.push(row({
      figure: '5. start-up, single executable --version', unit: 'ms', target: { of: 'ratio', op: '<=', limit: 1.2 },
      note: 'dist/bdfu-linux-x64 not built: npm run build:bin',
    }));
  }
  return rows;
}
