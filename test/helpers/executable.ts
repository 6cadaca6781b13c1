import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { startCgiHost, type CgiHost } from './cgi-host.js';
import type { Fixture } from './fixture.js';
import { ROOT } from './paths.js';
import { run, type bdfu } from './run.js';

export const DIST = join(ROOT, 'dist');
/** The single executable for this machine, as `npm run build:bin` makes it. */
export const EXECUTABLE = join(DIST, `bdfu-linux-${process.arch}`);

const INPUTS = ['src', 'scripts', 'package.json', 'package-lock.json'];
const LOCK = join(DIST, '.build-bin.lock');
const STALE_LOCK_MS = 10 * 60_000;

function newestInput(path: string): number {
  const info = statSync(join(ROOT, path));
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(join(ROOT, path)).map((name) => newestInput(join(path, name))));
}

function fresh(): boolean {
  return existsSync(EXECUTABLE) && statSync(EXECUTABLE).mtimeMs >= Math.max(...INPUTS.map(newestInput));
}

function buildBin(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/build-bin.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build:bin failed:\n${output}`))));
  });
}

/**
 * Builds the executables once when they are missing or older than the sources (test files run in
 * parallel: one builds, the others wait for its lock), and returns this machine's.
 */
export async function ensureExecutable(): Promise<string> {
  mkdirSync(DIST, { recursive: true });
  for (;;) {
    if (fresh()) return EXECUTABLE;
    try {
      mkdirSync(LOCK);
    } catch {
      const lock = statSync(LOCK, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      if (!fresh()) await buildBin();
      return EXECUTABLE;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

/** `bdfu ARGS` through the single executable, for the suites' CLI steps. */
export function executableCli(executable: string): typeof bdfu {
  return (args, options = {}) => run(executable, args, options);
}

/**
 * The executable as a shared host would have it: copied into `dir`/cgi-bin under `name`, with its
 * settings file (if any) beside it. Returns the copy's path.
 */
export function installCgi(executable: string, dir: string, name: string, settings?: { file: string; as: string }): string {
  const cgiBin = join(dir, 'cgi-bin');
  mkdirSync(cgiBin, { recursive: true, mode: 0o755 });
  const script = join(cgiBin, name);
  copyFileSync(executable, script);
  chmodSync(script, 0o755);
  if (settings) copyFileSync(settings.file, join(cgiBin, settings.as));
  return script;
}

/**
 * The executable dropped into `fixture.dir`/cgi-bin as bdfu.cgi with bdfu.cfg beside it (no
 * BDFU_SETTINGS), under a CGI host: every request a new process of it. Gone at the test's end.
 */
export async function executableCgiHost(t: Test, executable: string, fixture: Fixture): Promise<CgiHost> {
  const script = installCgi(executable, fixture.dir, 'bdfu.cgi', { file: fixture.config, as: 'bdfu.cfg' });
  const host = await startCgiHost({ command: [script], scriptName: '/cgi-bin/bdfu.cgi' });
  t.teardown(async () => {
    await host.close();
    rmSync(fixture.dir, { recursive: true, force: true });
  });
  return host;
}
