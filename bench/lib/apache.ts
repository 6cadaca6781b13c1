// The one Apache helper: the tests (through test/helpers/apache.ts) and the bench start their
// private Apache instances with it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { accepts, freeLoopbackPort } from './free-port.js';
import { ROOT } from './root.js';
import type { Owner } from './teardowns.js';

const MODULES = '/usr/lib/apache2/modules';
export const APACHE_BIN = '/usr/sbin/apache2';
/** The shipped configuration snippets. */
export const APACHE_DIR = join(ROOT, 'apache');

/** PATH for Apache and the CGI scripts it starts: this Node first, then the system's directories. */
const CHILD_PATH = [dirname(process.execPath), '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');

/** This process's environment without the user's bdfu settings (BDFU_*), with CHILD_PATH. */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('BDFU_')));
  return { ...env, PATH: CHILD_PATH };
}

export type Mpm = 'event' | 'prefork';

/** The user Apache runs CGI scripts as: it drops to www-data only when started as root. */
export const webUser = (() => {
  if (process.getuid?.() !== 0) return { name: undefined, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const entry = readFileSync('/etc/passwd', 'utf8').split('\n').find((line) => line.startsWith('www-data:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (!uid || !gid) throw new Error('running as root, but there is no www-data user for Apache to drop to');
  return { name: 'www-data', uid: Number(uid), gid: Number(gid) };
})();

/** Makes a directory tree Apache's user may write (a no-op when Apache runs as us). */
export function giveToWebUser(path: string): void {
  if (process.getuid?.() !== 0) return;
  chownSync(path, webUser.uid, webUser.gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) giveToWebUser(join(path, name));
}

/** A directory that Apache's user can reach (mkdtemp makes them 0700). */
export function reachableTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** Whether Apache's user can run the CGI script of the checkout at `root` (one under a 0700 /root cannot). */
function webUserCanRun(root: string): boolean {
  if (process.getuid?.() !== 0) return true;
  const paths: Array<[string, string]> = [['cgi-bin/bdfu', 'X_OK'], ['dist/cli/main.js', 'R_OK'], ['node_modules/busboy/package.json', 'R_OK']];
  const check = paths.map(([path, mode]) => `fs.accessSync(${JSON.stringify(join(root, path))}, fs.constants.${mode});`).join('');
  const ran = spawnSync(process.execPath, ['-e', `const fs = require('node:fs'); ${check}`], { uid: webUser.uid, gid: webUser.gid, env: { PATH: CHILD_PATH } });
  return ran.status === 0;
}

/** A package and, recursively, what it depends on, copied from one node_modules to another. */
function copyPackage(name: string, from: string, to: string, done: Set<string>): void {
  if (done.has(name)) return;
  done.add(name);
  cpSync(join(from, name), join(to, name), { recursive: true });
  const { dependencies = {} } = JSON.parse(readFileSync(join(from, name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(dependencies)) {
    if (existsSync(join(from, dependency))) copyPackage(dependency, from, to, done);
  }
}

let webRootMemo: string | undefined;

/**
 * The bdfu checkout as Apache's user can run it: this one when it can reach it, else a copy of
 * what bdfu runs on (package.json, cgi-bin, dist and the production node_modules) in a
 * directory it can reach.
 */
export function webRoot(): string {
  if (webRootMemo) return webRootMemo;
  if (webUserCanRun(ROOT)) return (webRootMemo = ROOT);
  const copy = reachableTempDir('bdfu-checkout-');
  for (const part of ['package.json', 'cgi-bin', 'dist']) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
  const { dependencies = {} } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const done = new Set<string>();
  for (const name of Object.keys(dependencies)) copyPackage(name, join(ROOT, 'node_modules'), join(copy, 'node_modules'), done);
  if (!webUserCanRun(copy)) throw new Error(`${webUser.name} can run neither ${ROOT} nor its copy in ${copy}`);
  return (webRootMemo = copy);
}

export interface ApacheOptions {
  mpm: Mpm;
  /** Configuration after the base (listen, pid, logs, MPM, modules): mounts, Includes, Defines. */
  config: (dir: string) => string;
  /** Extra modules by file stem, e.g. 'proxy', 'proxy_http'. */
  modules?: string[];
  /** DocumentRoot; by default an empty htdocs/ in the instance's directory. */
  documentRoot?: string;
  /** Apache's environment; by default this process's without BDFU_* settings, PATH as above. */
  env?: NodeJS.ProcessEnv;
  /** Remove the instance's directory (configuration, logs) once stopped; by default it is kept for a look at the logs. */
  removeOnStop?: boolean;
}

export interface Apache {
  /** http://127.0.0.1:PORT (no trailing slash) */
  origin: string;
  port: number;
  dir: string;
  configFile: string;
  errorLog(): string;
  stop(): Promise<void>;
}

function baseConfig(dir: string, port: number, options: ApacheOptions): string {
  const cgi = options.mpm === 'event' ? ['cgid'] : ['cgi'];
  const modules = [`mpm_${options.mpm}`, 'authz_core', 'alias', 'mime', 'env', 'dir', 'rewrite', 'headers', ...cgi, ...(options.modules ?? [])];
  return [
    `ServerRoot ${dir}`,
    'ServerName 127.0.0.1',
    `Listen 127.0.0.1:${port}`,
    `PidFile ${dir}/run/httpd.pid`,
    `DefaultRuntimeDir ${dir}/run`,
    `Mutex file:${dir}/run default`,
    `ErrorLog ${dir}/logs/error.log`,
    'LogLevel warn',
    `LogFormat "%h %l %u %t \\"%r\\" %>s %b %D" timed`,
    `CustomLog ${dir}/logs/access.log timed`,
    'User www-data',
    'Group www-data',
    ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    options.mpm === 'event' ? `ScriptSock ${dir}/run/cgid.sock` : '',
    // Enough workers for the tests' concurrency, few enough for a small machine.
    options.mpm === 'event'
      ? 'StartServers 1\nServerLimit 2\nThreadsPerChild 16\nMaxRequestWorkers 32\nMinSpareThreads 4\nMaxSpareThreads 32'
      : 'StartServers 2\nMinSpareServers 2\nMaxSpareServers 8\nMaxRequestWorkers 16',
    'TypesConfig /etc/mime.types',
    `DocumentRoot ${options.documentRoot ?? `${dir}/htdocs`}`,
    '<Directory />\n    AllowOverride None\n    Require all denied\n</Directory>',
    '',
  ].join('\n');
}

async function startOnce(owner: Owner, options: ApacheOptions): Promise<Apache | 'port taken'> {
  const dir = reachableTempDir('bdfu-apache-');
  for (const sub of ['run', 'logs', 'htdocs']) mkdirSync(join(dir, sub));
  // Apache binds the port itself, so a start is retried when it was taken meanwhile.
  const port = await freeLoopbackPort();
  const configFile = join(dir, 'httpd.conf');
  writeFileSync(configFile, baseConfig(dir, port, options) + options.config(dir) + '\n');
  const errorLogFile = join(dir, 'logs/error.log');
  const errorLog = () => (existsSync(errorLogFile) ? readFileSync(errorLogFile, 'utf8') : '');

  const syntax = spawnSync(APACHE_BIN, ['-f', configFile, '-t'], { encoding: 'utf8' });
  if (syntax.status !== 0) throw new Error(`Apache refuses the configuration ${configFile}:\n${syntax.stderr}`);

  let output = '';
  // Its own process group: on stop, prefork signals its whole group, which must not include us.
  const child: ChildProcess = spawn(APACHE_BIN, ['-f', configFile, '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: options.env ?? childEnv() });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = once(child, 'exit');
  // If this test process dies without its teardown, take Apache down with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    if (options.removeOnStop) rmSync(dir, { recursive: true, force: true });
  };

  // Listening, and ours: Apache writes its pid file once it has bound the port.
  const pidFile = join(dir, 'run/httpd.pid');
  const deadline = Date.now() + 20_000;
  while (!(existsSync(pidFile) && child.exitCode === null && (await accepts(port)))) {
    if (child.exitCode !== null) {
      process.off('exit', killOnExit);
      if (/Address already in use/.test(output + errorLog())) {
        if (options.removeOnStop) rmSync(dir, { recursive: true, force: true });
        return 'port taken';
      }
      throw new Error(`Apache exited with ${child.exitCode}:\n${output}\n${errorLog()}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Apache did not start listening on ${port}:\n${output}\n${errorLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  owner.teardown(stop);
  return { origin: `http://127.0.0.1:${port}`, port, dir, configFile, errorLog, stop };
}

/**
 * A throw-away Apache with its own configuration file in a temporary directory, on a free
 * loopback port, with its own pid and log files; nothing under /etc/apache2 is read. It is
 * stopped in the owner's teardown (a tap test's, or the bench's Teardowns), whether the work
 * passed or not, and killed if this process exits first.
 */
export async function startApache(owner: Owner, options: ApacheOptions): Promise<Apache> {
  if (!existsSync(APACHE_BIN)) throw new Error(`${APACHE_BIN} is not installed: apt-get install apache2 (.ci/run installs what .ci/apt-packages lists)`);
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = await startOnce(owner, options);
    if (started !== 'port taken') return started;
  }
  throw new Error('Apache found no free port in 5 attempts');
}

/** cgi-bin/bdfu of the checkout, as Apache's user can run it. */
export const cgiScript = (): string => join(webRoot(), 'cgi-bin/bdfu');

/** BDFU_HOME for a ScriptAlias install: its own cgi-bin/bdfu (a link), so each mount has its own <Directory>. */
export function scriptHome(parent: string, name: string, script = cgiScript()): string {
  const home = join(parent, name);
  mkdirSync(join(home, 'cgi-bin'), { recursive: true });
  symlinkSync(script, join(home, 'cgi-bin/bdfu'));
  return home;
}

/** Includes one of the shipped snippets unedited, after the Define lines its header asks for. */
export function includeSnippet(snippet: string, defines: Record<string, string>): string {
  const lines = Object.entries(defines).map(([name, value]) => `Define ${name} ${value}`);
  return [...lines, `Include ${join(APACHE_DIR, snippet)}`, ''].join('\n');
}
