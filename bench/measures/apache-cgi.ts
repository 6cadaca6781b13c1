import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../lib/bdfu.js';
import { APACHE_BIN, giveToWebUser, includeSnippet, reachableTempDir, scriptHome, startApache, type Mpm } from '../lib/apache.js';
import { multipart, send } from '../lib/http.js';
import type { BenchOptions } from '../lib/options.js';
import { cleanEnv } from '../lib/processes.js';
import { progress } from '../lib/progress.js';
import { row, type Row, type Target } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { Teardowns } from '../lib/teardowns.js';

const CGI_TARGET: Target = { of: 'ratio', op: '<=', limit: 1.5 };
const MPMS: ReadonlyArray<{ mpm: Mpm; label: string }> = [
  { mpm: 'event', label: 'Apache event + mod_cgid' },
  { mpm: 'prefork', label: 'Apache prefork + mod_cgi' },
];

/** The floors: CGI scripts that read the upload from stdin and answer 201, in Node (its start-up) and in sh (Apache's own CGI cost). */
const NOOP_NODE = `#!/usr/bin/env node
process.stdin.resume();
process.stdin.on('end', () => process.stdout.write('Status: 201 Created\\r\\nContent-Type: text/plain\\r\\n\\r\\n'));
`;
const NOOP_SH = "#!/bin/sh\ncat >/dev/null\nprintf 'Status: 201 Created\\r\\nContent-Type: text/plain\\r\\n\\r\\n'\n";

function floorScripts(dir: string): string {
  writeFileSync(join(dir, 'node.cgi'), NOOP_NODE, { mode: 0o755 });
  writeFileSync(join(dir, 'sh.cgi'), NOOP_SH, { mode: 0o755 });
  return `ScriptAlias /floor/ ${dir}/\n<Directory ${dir}>\n    Require all granted\n</Directory>\n`;
}

/** One 1 KiB multipart upload to `url`; its wall time in ms (it must answer 201). */
function uploader(url: string, token: string): () => Promise<number> {
  return async () => {
    const form = multipart(1024);
    const body = Buffer.concat([...form.chunks()]);
    const answer = await send(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': form.contentType, 'content-length': body.length },
      body: [body],
    });
    if (answer.status !== 201) throw new Error(`${url} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
    return answer.ms;
  };
}

/** One timed call of each path in turn, `rounds` times after one warm-up round: a busy machine slows all of them alike. */
async function interleaved(paths: Record<string, () => Promise<number>>, rounds: number): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
  for (let round = -1; round < rounds; round++) {
    for (const [name, call] of Object.entries(paths)) {
      const ms = await call();
      if (round >= 0) times[name]!.push(ms);
    }
  }
  return times;
}

/**
 * Figure 4 through a real web server: per-request time of a 1 KiB upload through Apache running
 * cgi-bin/bdfu (event + mod_cgid, prefork + mod_cgi, each with the shipped bdfu-cgi.conf), against
 * a Node CGI that only reads its stdin and answers; with Apache's reverse proxy to `bdfu serve`
 * (bdfu-proxy.conf) against `bdfu serve` asked directly, and the Node floor against an sh one.
 */
export async function apacheCgi(ws: Workspace, options: BenchOptions): Promise<Row[]> {
  if (!existsSync(APACHE_BIN)) {
    return MPMS.map(({ label }) => row({ figure: `4. CGI upload (1 KiB) through ${label}`, unit: 'ms', target: CGI_TARGET, note: 'apache2 is not installed' }));
  }
  const owner = new Teardowns();
  try {
    const token = await ws.token('bench');
    const paths: Record<string, () => Promise<number>> = {};
    const direct = ws.configWith('direct', {});
    const server = await ws.startBdfu(direct.config);
    owner.teardown(() => server.stop());
    paths.direct = uploader(`${server.url}upload`, token);

    for (const { mpm } of MPMS) {
      const work = reachableTempDir(`bdfu-bench-${mpm}-`);
      owner.teardown(() => rmSync(work, { recursive: true, force: true }));
      const floors = join(work, 'floor');
      mkdirSync(floors);
      // Apache started as root runs CGI scripts as www-data: its storage must be writable by that user.
      const cgi = ws.configWith(`cgi-${mpm}`, {});
      giveToWebUser(cgi.storageDir);
      const proxied = ws.configWith(`proxied-${mpm}`, { BASE_PATH: '/proxied/' });
      const backend = await ws.startBdfu(proxied.config);
      owner.teardown(() => backend.stop());
      const apache = await startApache(owner, {
        mpm,
        modules: ['proxy', 'proxy_http'],
        env: cleanEnv(),
        removeOnStop: true,
        config: () =>
          includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'home'), BDFU_CONFIG: cgi.config, BDFU_URL: '/files' }) +
          includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/proxied', BDFU_BACKEND: new URL(backend.url).origin }) +
          floorScripts(floors),
      });
      paths[`${mpm} sh`] = uploader(`${apache.origin}/floor/sh.cgi`, token);
      paths[`${mpm} node`] = uploader(`${apache.origin}/floor/node.cgi`, token);
      paths[`${mpm} cgi`] = uploader(`${apache.origin}/files/upload`, token);
      paths[`${mpm} proxy`] = uploader(`${apache.origin}/proxied/upload`, token);
    }

    progress(`Apache: ${options.spawns} rounds over ${Object.keys(paths).length} paths (bdfu serve, and per MPM: sh and Node floors, CGI, reverse proxy)`);
    const times = await interleaved(paths, options.spawns);
    const rows: Row[] = [];
    for (const { mpm, label } of MPMS) {
      rows.push(
        row({
          figure: `4. CGI upload (1 KiB) through ${label}`, unit: 'ms',
          bdfu: summarize(times[`${mpm} cgi`]!), baselineLabel: 'no-op Node CGI', baseline: summarize(times[`${mpm} node`]!), target: CGI_TARGET,
        }),
        row({
          figure: `4. ${label}: the no-op Node CGI (Node's start) against a no-op sh CGI`, unit: 'ms',
          bdfu: summarize(times[`${mpm} node`]!), baselineLabel: 'no-op sh CGI', baseline: summarize(times[`${mpm} sh`]!),
        }),
        row({
          figure: `4. upload (1 KiB) through Apache ${mpm} reverse proxy → bdfu serve`, unit: 'ms',
          bdfu: summarize(times[`${mpm} proxy`]!), baselineLabel: 'bdfu serve asked directly', baseline: summarize(times.direct!),
        }),
      );
    }
    return rows;
  } finally {
    await owner.run();
  }
}
