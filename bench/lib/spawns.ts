import { timeProcess } from './processes.js';

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

/** Wall times in ms of `n` runs of each command, taken in turns after one warm-up run each. */
export async function spawnTimes<K extends string>(commands: Record<K, Spawned>, n: number): Promise<Record<K, number[]>> {
  const names = Object.keys(commands) as K[];
  const times = Object.fromEntries(names.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = -1; i < n; i++) {
    for (const name of names) {
      const spec = commands[name];
      const run = await timeProcess(spec.command, spec.env, spec.stdin?.());
      try {
        (spec.check ?? mustSucceed)(run.stdout, run.stderr, run.code);
      } catch (error) {
        throw new Error(`${spec.command.join(' ')}: ${(error as Error).message}`);
      }
      if (i >= 0) times[name].push(run.ms);
    }
  }
  return times;
}
