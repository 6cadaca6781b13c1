import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CLI } from './paths.js';
import { childEnv } from './child-env.js';

export interface Served {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

/**
 * Starts `bdfu serve ARGS --port 0` (or a command of your own that prints the same
 * "serving URL" line) and waits for it to say where it listens.
 */
export async function startBdfu(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; command?: string[]; uninstrumented?: boolean } = {},
): Promise<Served> {
  let command = options.command ?? [process.execPath, CLI];
  // tap adds its coverage hooks to every child it sees spawned; measurements want the bare process.
  if (options.uninstrumented) command = ['env', '-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', ...command];
  const child = spawn(command[0]!, [...command.slice(1), 'serve', ...args, '--port', '0'], {
    env: options.env ?? childEnv(),
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: a loaded two-core machine running coverage-instrumented children is slow. A server
    // that still does not say where it listens is killed, or it would keep the test file alive.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bdfu serve did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`));
    }, START_TIMEOUT_MS);
    const check = () => {
      const match = /serving (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bdfu serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}
