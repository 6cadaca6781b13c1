import { randomBytes } from 'node:crypto';
import type { Workspace } from '../lib/bdfu.js';
import { multipart } from '../lib/http.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { rate, type Shot } from '../lib/rate.js';
import { settleDisk } from '../lib/settle-disk.js';
import { row, type Row } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { Teardowns } from '../lib/teardowns.js';
import { modDavMissing, startModDav } from '../servers/mod-dav.js';

/**
 * Figure 3: 1 KiB uploads per second with `clients` keep-alive clients, bdfu against the
 * pipe-to-file server and against the peer, Apache mod_dav taking PUTs of the same 1 KiB; runs
 * in turns, each run starting with the next server, the disk written out (sync) before each.
 */
export async function smallUploads(ws: Workspace, options: BenchOptions): Promise<Row[]> {
  const token = await ws.token('bench');
  const data = randomBytes(1024);
  const form = multipart(1024);
  const body = Buffer.concat([...form.chunks()]);
  const headers = { authorization: `Bearer ${token}`, 'content-type': form.contentType, 'content-length': body.length };
  const owner = new Teardowns();
  const rates = { bdfu: [] as number[], baseline: [] as number[], durable: [] as number[], dav: [] as number[] };
  const davMissing = modDavMissing();
  let clearDav = () => undefined as void;
  try {
    const bdfu = await ws.startBdfu();
    owner.teardown(() => bdfu.stop());
    const baseline = await ws.startBaseline();
    owner.teardown(() => baseline.stop());
    const shots: Partial<Record<keyof typeof rates, Shot>> = {
      baseline: { url: () => `${baseline.url}upload`, method: 'POST', headers, body },
      durable: { url: () => `${baseline.url}durable`, method: 'POST', headers, body },
      bdfu: { url: () => `${bdfu.url}upload`, method: 'POST', headers, body },
    };
    if (!davMissing) {
      const dav = await startModDav(owner);
      clearDav = dav.clear;
      // Every PUT makes a new file, as every bdfu upload does (a PUT over an existing one answers 204).
      let n = 0;
      shots.dav = {
        url: () => `${dav.url}upload-${++n}.bin`,
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-length': data.length },
        body: data,
      };
    }
    const servers = ['baseline', 'durable', 'bdfu', 'dav'] as const;
    for (let run = 1; run <= options.runs; run++) {
      // Each run starts with another server: one that makes thousands of files slows the file
      // creation of the next (freed and new inodes), so no server should always come after the same one.
      const shift = (run - 1) % servers.length;
      for (const name of [...servers.slice(shift), ...servers.slice(0, shift)]) {
        const shot = shots[name];
        if (!shot) continue;
        progress(`small uploads ${run}/${options.runs}: ${{ dav: 'Apache mod_dav', durable: 'durable pipe', bdfu: 'bdfu', baseline: 'baseline' }[name]}`);
        settleDisk();
        rates[name].push(await rate(shot, options.clients, options.seconds));
      }
      ws.clean();
      clearDav();
    }
  } finally {
    await owner.run();
  }
  const figure = `3. 1 KiB uploads, ${options.clients} keep-alive clients`;
  return [
    row({
      figure, unit: 'uploads/s', bdfu: summarize(rates.bdfu), baselineLabel: 'pipe to file', baseline: summarize(rates.baseline),
      target: { of: 'ratio', op: '>=', limit: 0.5 },
    }),
    row({
      figure: `${figure}, the ceiling: a durable pipe (SHA-256, record, fsyncs, rename) against the pipe`, unit: 'uploads/s',
      bdfu: summarize(rates.durable), baselineLabel: 'pipe to file', baseline: summarize(rates.baseline),
    }),
    row({
      figure: `${figure}, against the durable pipe`, unit: 'uploads/s',
      bdfu: summarize(rates.bdfu), baselineLabel: 'durable pipe', baseline: summarize(rates.durable),
    }),
    davMissing
      ? row({ figure: `${figure}, against Apache mod_dav`, unit: 'uploads/s', target: { of: 'ratio', op: '>=', limit: 1 }, note: davMissing })
      : row({
        figure: `${figure}, against Apache mod_dav`, unit: 'uploads/s', bdfu: summarize(rates.bdfu), baselineLabel: 'Apache mod_dav PUT',
        baseline: summarize(rates.dav), target: { of: 'ratio', op: '>=', limit: 1 },
      }),
    ...(davMissing ? [] : [row({
      figure: `${figure}, the durable pipe against Apache mod_dav`, unit: 'uploads/s',
      bdfu: summarize(rates.durable), baselineLabel: 'Apache mod_dav PUT', baseline: summarize(rates.dav),
    })]),
  ];
}
