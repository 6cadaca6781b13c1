import { spawn } from 'node:child_process';
import { firstLine, type HookAnswer, type HookSource } from './source.js';
import type { HookEventName } from './types.js';

const OUTPUT_MAX = 64 * 1024;

/**
 * The command's environment: not bdfu's (which may hold JWT_SECRET_KEY, and under CGI the
 * request's Authorization header), only what a program needs to run, and the event's name and file.
 */
function hookEnvironment(name: HookEventName, wire: Record<string, unknown>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH || '/usr/local/bin:/usr/bin:/bin', BDFU_HOOK_EVENT: name };
  for (const key of ['LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const) if (process.env[key]) env[key] = process.env[key];
  if (typeof wire.path === 'string') env.BDFU_HOOK_PATH = wire.path;
  return env;
}

/** HOOK_COMMAND: the event as JSON on stdin; exit 0 accepts, any other status rejects with the first line printed. */
export function commandSource(command: string, events: ReadonlySet<string>, timeoutMs: number): HookSource {
  return {
    via: 'command',
    retries: false,
    handles: (name) => events.has(name),
    call: (name, _event, wire, atMostMs = timeoutMs) =>
      new Promise<HookAnswer>((resolve, reject) => {
        const limitMs = Math.min(timeoutMs, atMostMs);
        // Its own process group, so a timeout kills what it started too (a `sleep` would hold its output open).
        const child = spawn(command, [], { env: hookEnvironment(name, wire), stdio: ['pipe', 'pipe', 'inherit'], detached: true });
        let output = '';
        let done = false;
        const finish = (settle: () => void) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          settle();
        };
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
          child.stdout.destroy();
          finish(() => reject(new Error(`HOOK_COMMAND ${command} took longer than ${limitMs / 1000} s (${name}) and was killed`)));
        }, limitMs);
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          if (output.length < OUTPUT_MAX) output += chunk;
        });
        // A command that does not read its input (or exits early) must not fail bdfu.
        child.stdin.on('error', () => undefined);
        child.stdin.end(JSON.stringify(wire) + '\n');
        child.on('error', (error) => finish(() => reject(new Error(`HOOK_COMMAND ${command} could not be run: ${error.message}`))));
        child.on('close', (code, signal) =>
          finish(() => {
            if (code === 0) resolve({ ok: true });
            else if (code === null) reject(new Error(`HOOK_COMMAND ${command} was killed by ${signal} (${name})`));
            else resolve({ ok: false, reason: firstLine(output) || `the hook command exited with status ${code}` });
          }));
      }),
  };
}
