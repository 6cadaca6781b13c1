import { createHash } from 'node:crypto';
import type { Workspace } from '../lib/bdfu.js';
import { GiB, multipart, randomChunks, send, MiB } from '../lib/http.js';
import { cpuMs, peakRss, withFresh, type Server } from '../lib/processes.js';
import { row, type Row } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import type { BenchOptions } from '../lib/options.js';
import { progress, sizeLabel } from '../lib/progress.js';
import { Teardowns } from '../lib/teardowns.js';
import { modDavMissing, startModDav, type ModDav } from '../servers/mod-dav.js';

interface Upload {
  mibPerSecond: number;
  peakMiB: number;
  /** The server's CPU time for the upload, per GiB. */
  cpuMsPerGiB: number;
}

/** One upload of `size` random bytes to a freshly started server; its throughput and the server's peak RSS. */
async function uploadTo(server: Server, path: string, size: number, token: string): Promise<Upload> {
  const body = multipart(size);
  const cpuBefore = cpuMs(server.child.pid!);
  const answer = await send(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': body.contentType, 'content-length': body.length },
    body: body.chunks(),
  });
  if (answer.status !== 201) throw new Error(`upload to ${server.url}${path} answered ${answer.status}: ${answer.text}`);
  const stored = (JSON.parse(answer.text) as { size: number }).size;
  if (stored !== size && stored !== body.length) throw new Error(`stored ${stored} bytes of ${size}`);
  return {
    mibPerSecond: size / MiB / (answer.ms / 1000),
    peakMiB: peakRss(server.child.pid!) / MiB,
    cpuMsPerGiB: (cpuMs(server.child.pid!) - cpuBefore) / (size / GiB),
  };
}

/** CPU ms that SHA-256 over 1 GiB of the same data costs in this process: bdfu hashes every upload as it streams. */
function sha256CpuPerGiB(size: number): number {
  const hash = createHash('sha256');
  const start = process.cpuUsage();
  for (const chunk of randomChunks(size)) hash.update(chunk);
  hash.digest();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / (size / GiB);
}

/** One PUT of `size` random bytes to Apache mod_dav; its throughput. */
async function putTo(dav: ModDav, size: number, run: number): Promise<number> {
  const url = `${dav.url}large-${run}.bin`;
  const answer = await send(url, {
    method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': size }, body: randomChunks(size),
  });
  if (answer.status !== 201) throw new Error(`PUT ${url} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
  return size / MiB / (answer.ms / 1000);
}

/** Figures 1 and 2: large upload throughput against the baseline, and bdfu's peak memory at two sizes. */
export async function largeUpload(ws: Workspace, options: BenchOptions): Promise<Row[]> {
  const { size } = options;
  const half = Math.floor(size / 2);
  const token = await ws.token('bench');
  const bdfu: Upload[] = [];
  const baseline: Upload[] = [];
  const durable: Upload[] = [];
  const bdfuHalf: Upload[] = [];
  const idle: number[] = [];
  const hashing: number[] = [];
  const dav: number[] = [];
  const davMissing = modDavMissing();
  const owner = new Teardowns();
  try {
    const davServer = options.only.has('upload') && !davMissing ? await startModDav(owner) : undefined;
    for (let run = 1; run <= options.runs; run++) {
      progress(`large upload ${run}/${options.runs}: baseline`);
      baseline.push(await withFresh(() => ws.startBaseline(), (s) => uploadTo(s, 'upload', size, token)));
      ws.clean();
      if (options.only.has('upload')) {
        progress(`large upload ${run}/${options.runs}: durable pipe`);
        durable.push(await withFresh(() => ws.startBaseline(), (s) => uploadTo(s, 'durable', size, token)));
        ws.clean();
      }
      progress(`large upload ${run}/${options.runs}: bdfu`);
      bdfu.push(await withFresh(() => ws.startBdfu(), async (s) => {
        idle.push(peakRss(s.child.pid!) / MiB);
        return uploadTo(s, 'upload', size, token);
      }));
      ws.clean();
      if (davServer) {
        progress(`large upload ${run}/${options.runs}: Apache mod_dav PUT`);
        dav.push(await putTo(davServer, size, run));
        davServer.clear();
      }
      hashing.push(sha256CpuPerGiB(Math.min(size, 256 * MiB)));
      if (options.only.has('memory')) {
        progress(`large upload ${run}/${options.runs}: bdfu, ${sizeLabel(half)}`);
        bdfuHalf.push(await withFresh(() => ws.startBdfu(), (s) => uploadTo(s, 'upload', half, token)));
        ws.clean();
      }
    }
  } finally {
    await owner.run();
  }
  const rows: Row[] = [];
  if (options.only.has('upload')) {
    rows.push(row({
      figure: `1. upload ${sizeLabel(size)}, throughput`,
      unit: 'MiB/s',
      bdfu: summarize(bdfu.map((u) => u.mibPerSecond)),
      baselineLabel: 'pipe to file',
      baseline: summarize(baseline.map((u) => u.mibPerSecond)),
      target: { of: 'ratio', op: '>=', limit: 0.9 },
    }));
    rows.push(row({
      figure: `1. upload ${sizeLabel(size)}, the ceiling: a durable pipe (SHA-256, record, fsyncs, rename) against the pipe`,
      unit: 'MiB/s',
      bdfu: summarize(durable.map((u) => u.mibPerSecond)),
      baselineLabel: 'pipe to file',
      baseline: summarize(baseline.map((u) => u.mibPerSecond)),
    }));
    rows.push(row({
      figure: `1. upload ${sizeLabel(size)}, against the durable pipe`,
      unit: 'MiB/s',
      bdfu: summarize(bdfu.map((u) => u.mibPerSecond)),
      baselineLabel: 'durable pipe',
      baseline: summarize(durable.map((u) => u.mibPerSecond)),
    }));
    rows.push(dav.length > 0
      ? row({
        figure: `1. upload ${sizeLabel(size)}, against Apache mod_dav`, unit: 'MiB/s',
        bdfu: summarize(bdfu.map((u) => u.mibPerSecond)), baselineLabel: 'Apache mod_dav PUT', baseline: summarize(dav),
      })
      : row({ figure: `1. upload ${sizeLabel(size)}, against Apache mod_dav`, unit: 'MiB/s', note: davMissing ?? 'not measured' }));
    rows.push(row({
      figure: '1. server CPU time per GiB uploaded (user + system)',
      unit: 'ms',
      bdfu: summarize(bdfu.map((u) => u.cpuMsPerGiB)),
      baselineLabel: 'pipe to file',
      baseline: summarize(baseline.map((u) => u.cpuMsPerGiB)),
    }));
    rows.push(row({
      figure: '1. durable pipe: server CPU time per GiB uploaded (user + system)',
      unit: 'ms',
      bdfu: summarize(durable.map((u) => u.cpuMsPerGiB)),
      baselineLabel: 'pipe to file',
      baseline: summarize(baseline.map((u) => u.cpuMsPerGiB)),
    }));
    rows.push(row({ figure: '1. of which SHA-256 (same data, hashed in the runner)', unit: 'ms/GiB', bdfu: summarize(hashing) }));
  }
  if (options.only.has('memory')) {
    rows.push(row({
      figure: `2. peak RSS, upload ${sizeLabel(size)}`,
      unit: 'MiB',
      bdfu: summarize(bdfu.map((u) => u.peakMiB)),
      baselineLabel: 'pipe to file',
      baseline: summarize(baseline.map((u) => u.peakMiB)),
      target: { of: 'value', op: '<=', limit: 80 },
    }));
    rows.push(row({
      figure: `2. peak RSS, ${sizeLabel(size)} vs ${sizeLabel(half)} (flat)`,
      unit: 'MiB',
      bdfu: summarize(bdfu.map((u) => u.peakMiB)),
      baselineLabel: `bdfu, ${sizeLabel(half)}`,
      baseline: summarize(bdfuHalf.map((u) => u.peakMiB)),
      target: { of: 'ratio', op: '<=', limit: 1.1 },
    }));
    rows.push(row({ figure: '2. peak RSS, bdfu serve idle after start', unit: 'MiB', bdfu: summarize(idle) }));
  }
  return rows;
}
