import { spawn, type SpawnOptions } from 'node:child_process';
import { CLI } from './paths.js';
import { childEnv } from './child-env.js';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, with optional stdin. */
export function run(command: string, args: string[], options: SpawnOptions & { input?: string | Buffer } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(options.input ?? '');
  });
}

/** `bdfu ARGS` through the built CLI. */
export function bdfu(args: string[], options: SpawnOptions & { input?: string | Buffer } = {}): Promise<Ran> {
  return run(process.execPath, [CLI, ...args], { ...options, env: options.env ?? childEnv() });
}
