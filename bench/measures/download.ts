import { join } from 'node:path';
import type { Workspace } from '../lib/bdfu.js';
import { GiB, multipart, send, MiB } from '../lib/http.js';
import type { BenchOptions } from '../lib/options.js';
import { progress, sizeLabel } from '../lib/progress.js';
import { row, type Row } from '../lib/report.js';
import { cpuMs } from '../lib/processes.js';
import { summarize } from '../lib/stats.js';

/** Figure 6: downloading one large file from bdfu against a baseline server streaming the same file. */
export async function download(ws: Workspace, options: BenchOptions): Promise<Row[]> {
  const figure = `6. download ${sizeLabel(options.size)}, throughput`;
  const target = { of: 'ratio', op: '>=', limit: 0.9 } as const;
  let readToken: string;
  try {
    readToken = await ws.token('bench', 'read');
  } catch {
    return [row({ figure, unit: 'MiB/s', target, note: 'this bdfu has no gen-token --scope, so no download endpoint' })];
  }
  const bdfu = await ws.startBdfu();
  const baseline = await ws.startBaseline();
  try {
    const form = multipart(options.size);
    const uploaded = await send(`${bdfu.url}upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await ws.token('bench')}`, 'content-type': form.contentType, 'content-length': form.length },
      body: form.chunks(),
    });
    if (uploaded.status !== 201) throw new Error(`upload for the download answered ${uploaded.status}: ${uploaded.text}`);
    const { id } = JSON.parse(uploaded.text) as { id: string };
    const urls = {
      bdfu: `${bdfu.url}files/bench/${id}`,
      baseline: `${baseline.url}file?path=${encodeURIComponent(join(ws.storageDir, 'bench', id))}`,
    };
    const rates = { bdfu: [] as number[], baseline: [] as number[] };
    const cpu = { bdfu: [] as number[], baseline: [] as number[] };
    const pids = { bdfu: bdfu.child.pid!, baseline: baseline.child.pid! };
    for (let run = 1; run <= options.runs; run++) {
      for (const name of ['baseline', 'bdfu'] as const) {
        progress(`download ${run}/${options.runs}: ${name}`);
        const cpuBefore = cpuMs(pids[name]);
        const answer = await send(urls[name], { method: 'GET', headers: { authorization: `Bearer ${readToken}` }, keepText: false });
        if (answer.status === 404 && name === 'bdfu') {
          return [row({ figure, unit: 'MiB/s', target, note: 'GET files/<user>/<id> is not on this branch yet' })];
        }
        if (answer.status !== 200 || answer.bytes !== options.size) {
          throw new Error(`download from ${name} answered ${answer.status} with ${answer.bytes} bytes`);
        }
        rates[name].push(options.size / MiB / (answer.ms / 1000));
        cpu[name].push((cpuMs(pids[name]) - cpuBefore) / (options.size / GiB));
      }
    }
    return [row({
      figure, unit: 'MiB/s', bdfu: summarize(rates.bdfu), baselineLabel: 'stream the file', baseline: summarize(rates.baseline), target,
    }), row({
      figure: '6. server CPU time per GiB downloaded (user + system)', unit: 'ms',
      bdfu: summarize(cpu.bdfu), baselineLabel: 'stream the file', baseline: summarize(cpu.baseline),
    })];
  } finally {
    await Promise.all([bdfu.stop(), baseline.stop()]);
    ws.clean();
  }
}
