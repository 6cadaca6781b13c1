import t from 'tap';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { CHILD_PATH } from '../helpers/child-env.js';

const MiB = 1 << 20;

/**
 * In a bare Node process, the pattern of a streaming upload: 64 KiB buffers, each dropped right
 * away, 600 of them paced over timers; reports the most ArrayBuffer memory held at any point.
 */
async function mostHeld(withScavenger: boolean): Promise<number> {
  const scavenger = pathToFileURL(join(ROOT, 'dist/cli/scavenger.js')).href;
  const script = `
    ${withScavenger ? `(await import(${JSON.stringify(scavenger)})).startScavenger();` : ''}
    let most = 0;
    for (let i = 0; i < 600; i++) {
      Buffer.alloc(64 * 1024, i);
      most = Math.max(most, process.memoryUsage().arrayBuffers);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    process.stdout.write(String(most));
  `;
  const ran = await run(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: CHILD_PATH } });
  if (ran.code !== 0) throw new Error(ran.stderr);
  return Number(ran.stdout);
}

t.test('dead buffers are freed by a scavenge once more than 8 MiB are held', async (t) => {
  const without = await mostHeld(false);
  t.ok(without > 24 * MiB, `without it, dead buffers pile up (${(without / MiB).toFixed(1)} MiB held at most)`);
  const withIt = await mostHeld(true);
  t.ok(withIt < 16 * MiB, `with it, they are freed as they pass 8 MiB (${(withIt / MiB).toFixed(1)} MiB held at most)`);
});
