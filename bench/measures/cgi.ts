import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../lib/bdfu.js';
import { multipart } from '../lib/http.js';
import type { BenchOptions } from '../lib/options.js';
import { CGI_SCRIPT, cleanEnv, NODE, ROOT, SINGLE_EXECUTABLE } from '../lib/processes.js';
import { progress } from '../lib/progress.js';
import { row, type Row } from '../lib/report.js';
import { spawnRows, spawnTimes, type Spawned } from '../lib/spawns.js';

/** servers/cgi-floor.js bundled into one CommonJS file with what it imports, as cgi-bin/bdfu's code is bundled. */
async function bundleFloor(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(ROOT, 'dist/bench/cgi-floor.cjs');
  await build({
    entryPoints: [join(ROOT, 'dist/bench/servers/cgi-floor.js')], outfile,
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error',
  });
  return outfile;
}

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
  const floorDir = join(ws.dir, 'cgi-floor');
  mkdirSync(floorDir, { recursive: true });
  const commands: Record<string, Spawned> = {
    node: { command: [NODE, '-e', '0'], env: cleanEnv() },
    cgi: { command: [CGI_SCRIPT], env: cgiEnv, stdin: () => body, check: uploaded },
    floor: { command: [NODE, await bundleFloor(), floorDir], env: { ...cgiEnv, FLOOR_SECRET: ws.secret }, stdin: () => body, check: uploaded },
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
  const floor = spawnRows('4. the ceiling: a minimal durable CGI upload (jose, busboy, SHA-256, record, fsyncs, rename; bundled)', times.floor!, 'node -e 0', times.node!);
  rows.push(floor[1]!, spawnRows('4. CGI upload (1 KiB), cgi-bin/bdfu against the minimal durable CGI upload', times.cgi!, 'minimal CGI upload', times.floor!)[1]!);
  if (single) {
    rows.push(...spawnRows('4. CGI upload (1 KiB), single executable spawned with env + stdin', times.single!, 'its --version', times.singleNoop!, target));
  } else {
    rows.push(row({ figure: '4. CGI upload (1 KiB), single executable', unit: 'ms', target, note: 'dist/bdfu-linux-x64 not built: npm run build:bin' }));
  }
  return rows;
}

/** Figure 4: what a CGI upload costs over starting the runtime (through Apache: measures/apache-cgi.ts). */
export async function cgi(ws: Workspace, options: BenchOptions): Promise<Row[]> {
  const token = await ws.token('bench');
  return direct(ws, options, token);
}
