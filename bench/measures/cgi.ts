import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../lib/bdfu.js';
import { APACHE, startApache } from '../lib/apache.js';
import { multipart, send } from '../lib/http.js';
import type { BenchOptions } from '../lib/options.js';
import { CGI_SCRIPT, cleanEnv, NODE, SINGLE_EXECUTABLE } from '../lib/processes.js';
import { progress } from '../lib/progress.js';
import { row, type Row } from '../lib/report.js';
import { spawnRows, spawnTimes, type Spawned } from '../lib/spawns.js';
import { summarize } from '../lib/stats.js';

/** Wall times of uploads through cgi-bin/bdfu run as a web server runs it, against the runtime doing nothing. */
async function direct(ws: Workspace, options: BenchOptions, token: string): Promise<Row[]> {
  const form = multipart(1024);
  const body = Buffer.concat([...form.chunks()]);
  const cgiEnv = cleanEnv({
    GATEWAY_INTERFACE: 'CGI/1.1', SERVER_PROTOCOL: 'HTTP/1.1', SERVER_SOFTWARE: 'bench', SERVER_NAME: '127.0.0.1',
    SERVER_PORT: '80', REQUEST_METHOD: 'POST', SCRIPT_NAME: '/cgi-bin/bdfu', PATH_INFO: '/upload', QUERY_STRING: '',
    REMOTE_ADDR: '127.0.0.1', CONTENT_TYPE: form.contentType, CONTENT_LENGTH: String(body.length),
    HTTP_AUTHORIZATION: `Bearer ${token}`, HTTP_HOST: '127.0.0.1', BDFU_SETTINGS: ws.config,
  });
  const uploaded = (stdout: string) => {
    if (!stdout.startsWith('Status: 201')) throw new Error(`the CGI upload failed:\n${stdout}`);
  };
  const commands: Record<string, Spawned> = {
    node: { command: [NODE, '-e', '0'], env: cleanEnv() },
    cgi: { command: [CGI_SCRIPT], env: cgiEnv, stdin: () => body, check: uploaded },
  };
  const single = existsSync(SINGLE_EXECUTABLE);
  if (single) {
    commands.singleNoop = { command: [SINGLE_EXECUTABLE, '--version'], env: cleanEnv() };
    commands.single = { command: [SINGLE_EXECUTABLE], env: cgiEnv, stdin: () => body, check: uploaded };
  }
  progress(`CGI: ${options.spawns} spawns each of ${Object.keys(commands).join(', ')}`);
  const times = await spawnTimes(commands, options.spawns);
  const target = { of: 'ratio', op: '<=', limit: 1.5 } as const;
  const rows = spawnRows('4. CGI upload (1 KiB), cgi-bin/bdfu spawned with env + stdin', times.cgi!, 'node -e 0', times.node!, target);
  if (single) {
    rows.push(...spawnRows('4. CGI upload (1 KiB), single executable spawned with env + stdin', times.single!, 'its --version', times.singleNoop!, target));
  } else {
    rows.push(row({ figure: '4. CGI upload (1 KiB), single executable', unit: 'ms', target, note: 'dist/bdfu-linux-x64 not built: npm run build:bin' }));
  }
  return rows;
}

const NOOP_CGI = `#!/usr/bin/env node
process.stdin.resume();
process.stdin.on('end', () => process.stdout.write('Status: 201 Created\\r\\nContent-Type: text/plain\\r\\n\\r\\n'));
`;

/** The same upload through a real Apache (mod_cgid), against a Node CGI that only reads its stdin and answers. */
async function apache(ws: Workspace, options: BenchOptions, token: string): Promise<Row> {
  const figure = '4. CGI upload (1 KiB) through Apache mod_cgid';
  const target = { of: 'ratio', op: '<=', limit: 1.5 } as const;
  if (!existsSync(APACHE)) return row({ figure, unit: 'ms', target, note: 'apache2 is not installed' });
  const noop = join(ws.dir, 'noop.cgi');
  writeFileSync(noop, NOOP_CGI);
  chmodSync(noop, 0o755);
  // Apache started as root runs CGIs as www-data: the storage must be writable by it.
  ws.clean();
  chmodSync(ws.storageDir, 0o777);
  let server;
  try {
    server = await startApache(join(ws.dir, 'apache'), { bdfu: CGI_SCRIPT, noop }, { BDFU_SETTINGS: ws.config });
  } catch (error) {
    return row({ figure, unit: 'ms', target, note: (error as Error).message.split('\n')[0]! });
  }
  const times = { bdfu: [] as number[], noop: [] as number[] };
  try {
    progress(`CGI through Apache: ${options.spawns} uploads each to cgi-bin/bdfu and a no-op Node CGI`);
    for (let i = -1; i < options.spawns; i++) {
      for (const name of ['noop', 'bdfu'] as const) {
        const form = multipart(1024);
        const body = Buffer.concat([...form.chunks()]);
        const answer = await send(`${server.url}cgi-bin/${name}${name === 'bdfu' ? '/upload' : ''}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': form.contentType, 'content-length': body.length },
          body: [body],
        });
        if (answer.status !== 201) throw new Error(`Apache CGI ${name} answered ${answer.status}: ${answer.text}\n${server.errorLog().slice(-2000)}`);
        if (i >= 0) times[name].push(answer.ms);
      }
    }
  } finally {
    server.stop();
    ws.clean();
  }
  return row({
    figure, unit: 'ms', bdfu: summarize(times.bdfu), baselineLabel: 'no-op Node CGI', baseline: summarize(times.noop), target,
  });
}

/** Figure 4: what a CGI upload costs over starting the runtime. */
export async function cgi(ws: Workspace, options: BenchOptions): Promise<Row[]> {
  const token = await ws.token('bench');
  return [...(await direct(ws, options, token)), await apache(ws, options, token)];
}
