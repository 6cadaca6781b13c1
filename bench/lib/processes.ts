import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './root.js';

export { ROOT };
export const NODE = process.execPath;
export const CLI = join(ROOT, 'dist/cli/main.js');
/** What `bdfu` runs when installed from npm: package.json's "bin". */
export const BIN = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { bdfu: string } }).bin.bdfu);
export const CGI_SCRIPT = join(ROOT, 'cgi-bin/bdfu');
export const BASELINE_SERVER = join(ROOT, 'dist/bench/servers/baseline.js');
export const TUS_PEER_SERVER = join(ROOT, 'dist/bench/servers/tus-peer.js');
export const SINGLE_EXECUTABLE = join(ROOT, 'dist/bdfu-linux-x64');

/**
 * The whole environment of every process the benchmark starts (what `env -i` plus these would
 * give): NODE_OPTIONS, NODE_EXTRA_CA_CERTS and the like were seen to add 80 ms to each start.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${dirname(NODE)}:/usr/local/bin:/usr/bin:/bin`, LANG: 'C.UTF-8', ...extra };
}

export function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no VmHWM for process ${pid}`);
  return Number(kb) * 1024;
}

/** CPU time (user + system, all threads) a process has used so far, in ms, from each thread's schedstat (nanoseconds). */
export function cpuMs(pid: number): number {
  // Each thread's time on a CPU in nanoseconds (schedstat), not /proc/<pid>/stat's 10 ms ticks: a
  // toy-sized transfer (the smoke test's 1 MiB download) can take less than one tick, and a ratio
  // of 0 ticks is no number. A server's threads (libuv's pool, V8's) live as long as it does.
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return ns / 1e6;
}

/**
 * CPU time (user + system) of this process's children that have ended, in ms. Under load a
 * spawn's wall time mostly measures waiting for a core; its CPU time does not.
 */
export function endedChildrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

export interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server process and waits for its "serving <url>" line. */
export async function startServer(command: string[], env: Record<string, string>): Promise<Server> {
  const child = spawn(command[0]!, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command.join(' ')} did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /serving (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command.join(' ')} exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts a server, runs `use` on it, and stops it whatever happened: a fresh process per figure (its VmHWM is its own). */
export async function withFresh<T>(start: () => Promise<Server>, use: (server: Server) => Promise<T>): Promise<T> {
  const server = await start();
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

export interface Finished {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; `ms` is the wall time from spawn to exit. */
export async function timeProcess(command: string[], env: Record<string, string>, stdin?: Buffer): Promise<Finished> {
  const start = process.hrtime.bigint();
  const child = spawn(command[0]!, command.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.on('error', () => undefined);
  child.stdin.end(stdin);
  const [code] = (await once(child, 'close')) as [number | null];
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
