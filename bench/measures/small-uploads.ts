import { Agent } from 'node:http';
import type { Workspace } from '../lib/bdfu.js';
import { multipart, send } from '../lib/http.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { row, type Row } from '../lib/report.js';
import { summarize } from '../lib/stats.js';

const WARM_UP_MS = 1000;

/** Uploads/s that `clients` keep-alive clients get through in `seconds`, after a warm-up. */
async function rate(url: string, headers: Record<string, string | number>, body: Buffer, clients: number, seconds: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const from = Date.now() + WARM_UP_MS;
  const until = from + seconds * 1000;
  let counted = 0;
  const client = async () => {
    while (Date.now() < until) {
      const answer = await send(url, { method: 'POST', headers, body: [body], agent });
      if (answer.status !== 201) throw new Error(`${url} answered ${answer.status}: ${answer.text}`);
      const now = Date.now();
      if (now >= from && now <= until) counted++;
    }
  };
  try {
    await Promise.all(Array.from({ length: clients }, client));
  } finally {
    agent.destroy();
  }
  return counted / seconds;
}

/** Figure 3: 1 KiB uploads per second, bdfu against the baseline, alternating runs. */
export async function smallUploads(ws: Workspace, options: BenchOptions): Promise<Row[]> {
  const token = await ws.token('bench');
  const form = multipart(1024);
  const body = Buffer.concat([...form.chunks()]);
  const headers = { authorization: `Bearer ${token}`, 'content-type': form.contentType, 'content-length': body.length };
  const bdfu = await ws.startBdfu();
  const baseline = await ws.startBaseline();
  const rates = { bdfu: [] as number[], baseline: [] as number[] };
  try {
    for (let run = 1; run <= options.runs; run++) {
      progress(`small uploads ${run}/${options.runs}: baseline`);
      rates.baseline.push(await rate(`${baseline.url}upload`, headers, body, options.clients, options.seconds));
      progress(`small uploads ${run}/${options.runs}: bdfu`);
      rates.bdfu.push(await rate(`${bdfu.url}upload`, headers, body, options.clients, options.seconds));
      ws.clean();
    }
  } finally {
    await Promise.all([bdfu.stop(), baseline.stop()]);
  }
  return [row({
    figure: `3. 1 KiB uploads, ${options.clients} keep-alive clients`,
    unit: 'uploads/s',
    bdfu: summarize(rates.bdfu),
    baselineLabel: 'pipe to file',
    baseline: summarize(rates.baseline),
    target: { of: 'ratio', op: '>=', limit: 0.5 },
  })];
}
