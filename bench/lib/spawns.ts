import { row, type Row, type Target } from './report.js';
import { summarize } from './stats.js';
import { endedChildrenCpuMs, timeProcess } from './processes.js';

export interface Spawned {
  command: string[];
  env: Record<string, string>;
  stdin?: () => Buffer;
  /** Throws when the run did not do what it should (so a failing command is never timed as fast). */
  check?: (stdout: string, stderr: string, code: number | null) => void;
}

const mustSucceed = (_out: string, stderr: string, code: number | null) => {
  if (code !== 0) throw new Error(`exited with ${code}: ${stderr}`);
};

export interface SpawnTimes {
  /** Wall time of each run, ms. */
  wall: number[];
  /** CPU time (user + system) per run, ms, averaged over all runs: the kernel counts it in 10 ms ticks. */
  cpu: number;
}

/**
 * Times `n` runs of each command, taken in turns after one warm-up run each. Run nothing else
 * as a child meanwhile: the CPU time is that of all children that ended.
 */
export async function spawnTimes<K extends string>(commands: Record<K, Spawned>, n: number): Promise<Record<K, SpawnTimes>> {
  const names = Object.keys(commands) as K[];
  const times = Object.fromEntries(names.map((k) => [k, { wall: [] as number[], cpu: 0 }])) as Record<K, SpawnTimes>;
  for (let i = -1; i < n; i++) {
    for (const name of names) {
      const spec = commands[name];
      const cpuBefore = endedChildrenCpuMs();
      const run = await timeProcess(spec.command, spec.env, spec.stdin?.());
      if (i >= 0) times[name].cpu += (endedChildrenCpuMs() - cpuBefore) / n;
      try {
        (spec.check ?? mustSucceed)(run.stdout, run.stderr, run.code);
      } catch (error) {
        throw new Error(`${spec.command.join(' ')}: ${(error as Error).message}`);
      }
      if (i >= 0) times[name].wall.push(run.ms);
    }
  }
  return times;
}

/** Two rows for a spawned figure against its baseline: wall time (median of runs) and CPU time (average). */
export function spawnRows(figure: string, bdfu: SpawnTimes, baselineLabel: string, baseline: SpawnTimes, target?: Target): Row[] {
  return [
    row({ figure, unit: 'ms', bdfu: summarize(bdfu.wall), baselineLabel, baseline: summarize(baseline.wall), target }),
    row({ figure: `${figure}: CPU time`, unit: 'ms', bdfu: summarize([bdfu.cpu]), baselineLabel, baseline: summarize([baseline.cpu]), target }),
  ];
}
