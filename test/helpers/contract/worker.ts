import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * How a child process opens the same storage as the test: a COMPILED module (under dist/, so
 * `npm run build` first) and its export, called (or, with `construct`, constructed) with `args`.
 * The result is a Records or a Documents; its `close()`, if any, is called at the end.
 */
export interface WorkerTarget {
  module: string;
  export: string;
  args: unknown[];
  construct?: boolean;
}

const WORKER = new URL('./storage-worker.mjs', import.meta.url).pathname;

/**
 * Starts one worker per task, lets them all go at once when every one is ready, and resolves
 * to their outcomes (in the order given).
 */
export async function raceWorkers(target: WorkerTarget, tasks: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  if (!existsSync(target.module)) throw new Error(`${target.module} is missing: run \`npm run build\` before the cross-process tests`);
  const dir = await mkdtemp(join(tmpdir(), 'bdfu-worker-'));
  const go = join(dir, 'go');
  try {
    let ready = 0;
    let release!: () => void;
    const allReady = new Promise<void>((resolve) => (release = resolve));
    const runs = tasks.map((task) => new Promise<Record<string, unknown>>((resolve, reject) => {
      const child = spawn(process.execPath, [WORKER, JSON.stringify({ ...task, target, go })], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let counted = false;
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        if (!counted && out.startsWith('ready\n')) {
          counted = true;
          if (++ready === tasks.length) release();
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (err += chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0) {
          if (!counted && ++ready === tasks.length) release();
          reject(new Error(`storage worker exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
          return;
        }
        resolve(JSON.parse(out.split('\n')[1]!) as Record<string, unknown>);
      });
    }));
    await allReady;
    await writeFile(go, '');
    return await Promise.all(runs);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
