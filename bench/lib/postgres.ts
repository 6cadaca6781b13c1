import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Owner } from './teardowns.js';
import { freeLoopbackPortSync } from './free-port.js';

/** The binaries of the newest PostgreSQL Debian installed (initdb and pg_ctl are not on PATH). */
function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin/pg_ctl'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed: apt-get install postgresql (.ci/run installs what .ci/apt-packages lists)');
  return join(base, newest, 'bin');
}

const asRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` system user. */
function runAsOwner(command: string, args: string[]): SpawnSyncReturns<string> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return spawnSync(file, argv, { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' }, timeout: 120_000 });
}

export interface Postgres {
  /** postgres://bdfu@127.0.0.1:PORT/bdfu (trust authentication: a loopback test cluster only). */
  url: string;
  port: number;
  dir: string;
  /** Stops the server; `immediate` is a crash (no shutdown checkpoint), as a power cut would be. */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Starts it again on the same port and data (after stop()). */
  start(): void;
  log(): string;
  /** Creates another empty database (a fresh storage for one test); returns its URL. */
  createDatabase(name: string): string;
  /** Stops the server and removes the cluster (also done in the owner's teardown). */
  destroy(): void;
}

/**
 * A private PostgreSQL cluster for one test run: its own data directory in a temporary
 * directory, on a free loopback port, with a database `bdfu` owned by the superuser `bdfu`.
 * Nothing under /etc/postgresql is read. It is stopped and removed in the owner's teardown
 * (when `owner` is given: a tap test, or the bench's Teardowns) and when this process exits.
 */
export function startPostgres(owner?: Owner): Postgres {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-pg-'));
  if (asRoot) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), 0);
  const data = join(dir, 'data');
  const logFile = join(dir, 'log');
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  const init = runAsOwner(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'bdfu', '--no-sync', '-E', 'UTF8']);
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed in ${data}:\n${init.error ?? ""}${init.stderr}${init.stdout}`);
  }

  let port = 0;
  let running = false;
  const pgCtl = (...args: string[]) => runAsOwner(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const startOn = (p: number) =>
    pgCtl('-o', `-k ${dir} -h 127.0.0.1 -p ${p} -c fsync=on -c max_connections=200`, '-l', logFile, '-w', '-t', '60', 'start');

  const stop = (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    const stopped = pgCtl('-m', mode, '-w', '-t', '60', 'stop');
    if (stopped.status !== 0 && existsSync(join(data, 'postmaster.pid'))) throw new Error(`pg_ctl stop failed:\n${stopped.stderr}\n${log()}`);
    running = false;
  };
  const start = () => {
    if (running) return;
    const started = startOn(port);
    if (started.status !== 0) throw new Error(`PostgreSQL did not start again on ${port}:\n${started.stderr}\n${log()}`);
    running = true;
  };
  /** If this process dies without its teardown, take the server down with it (synchronously). */
  const killOnExit = () => {
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // Not running.
    }
  };
  const destroy = () => {
    process.off('exit', killOnExit);
    try {
      stop('immediate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  try {
    for (let attempt = 0; !running; attempt++) {
      port = freeLoopbackPortSync();
      const started = startOn(port);
      if (started.status === 0) running = true;
      else if (attempt >= 4 || !/could not bind|Address already in use/.test(log())) {
        throw new Error(`PostgreSQL did not start on ${port}:\n${started.stderr}\n${log()}`);
      }
    }
    process.once('exit', killOnExit);
    const created = runAsOwner(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'bdfu', '-d', 'postgres', '-qc', 'CREATE DATABASE bdfu']);
    if (created.status !== 0) throw new Error(`CREATE DATABASE failed:\n${created.stderr}`);
  } catch (error) {
    destroy();
    throw error;
  }
  owner?.teardown(destroy);
  const createDatabase = (name: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
    const created = runAsOwner(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'bdfu', '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`]);
    if (created.status !== 0) throw new Error(`CREATE DATABASE ${name} failed:\n${created.stderr}`);
    return `postgres://bdfu@127.0.0.1:${port}/${name}`;
  };
  return { url: `postgres://bdfu@127.0.0.1:${port}/bdfu`, port, dir, stop, start, log, createDatabase, destroy };
}
