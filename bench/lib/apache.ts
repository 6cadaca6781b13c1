import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cleanEnv } from './processes.js';

export const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Apache {
  url: string;
  stop(): void;
  errorLog(): string;
}

/**
 * A private Apache (mpm_event + mod_cgid) with its own config in `dir`, on a loopback port,
 * running each `scripts` entry as the CGI at /cgi-bin/<name>. Nothing under /etc/apache2 is used.
 */
export async function startApache(dir: string, scripts: Record<string, string>, env: Record<string, string>): Promise<Apache> {
  for (const sub of ['run', 'logs']) mkdirSync(join(dir, sub), { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'httpd.conf');
  const modules = ['mpm_event', 'authz_core', 'alias', 'env', 'cgid'];
  writeFileSync(conf, [
    `ServerRoot ${dir}`,
    'ServerName 127.0.0.1',
    `Listen 127.0.0.1:${port}`,
    `PidFile ${dir}/run/httpd.pid`,
    `DefaultRuntimeDir ${dir}/run`,
    `Mutex file:${dir}/run default`,
    `ErrorLog ${dir}/logs/error.log`,
    'User www-data',
    'Group www-data',
    ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    `ScriptSock ${dir}/run/cgid.sock`,
    'KeepAlive On',
    ...Object.entries(scripts).map(([name, path]) => `ScriptAlias /cgi-bin/${name} ${path}`),
    '<Location /cgi-bin/>',
    '  Require all granted',
    '  CGIPassAuth On',
    ...Object.entries(env).map(([name, value]) => `  SetEnv ${name} ${value}`),
    '</Location>',
    '',
  ].join('\n'));
  const started = spawnSync(APACHE, ['-f', conf, '-k', 'start'], { env: cleanEnv(), encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`apache2 did not start: ${started.stderr}`);
  const pidFile = join(dir, 'run/httpd.pid');
  for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    url: `http://127.0.0.1:${port}/`,
    stop() {
      spawnSync(APACHE, ['-f', conf, '-k', 'stop'], { env: cleanEnv() });
    },
    errorLog: () => readFileSync(join(dir, 'logs/error.log'), 'utf8'),
  };
}
