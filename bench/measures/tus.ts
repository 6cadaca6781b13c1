import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../lib/bdfu.js';
import { startCgiHost } from '../lib/cgi-apache.js';
import { sha256OfRandomChunks } from '../lib/digest.js';
import { MiB } from '../lib/http.js';
import type { BenchOptions } from '../lib/options.js';
import { cleanEnv, NODE, startServer, TUS_PEER_SERVER, withFresh, type Server } from '../lib/processes.js';
import { progress, sizeLabel } from '../lib/progress.js';
import { rate } from '../lib/rate.js';
import { row, type Row, type Target } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { Teardowns } from '../lib/teardowns.js';
import { tusCreationWithUpload } from '../lib/tus-client.js';
import { bdfuMultipart, bdfuTus, peerTus, type Expected, type Transfer } from './tus-uploads.js';

const CHUNK = 8 * MiB;
const PEER = '@tus/server + @tus/file-store';

/** 8 MiB PATCHes; below 32 MiB (a toy run) a quarter of the size, so that there are still several. */
function chunkSizeFor(size: number): number {
  if (size >= 4 * CHUNK) return CHUNK;
  return Math.max(64 << 10, Math.ceil(size / 4 / (64 << 10)) * (64 << 10));
}

const chunkLabel = (bytes: number) => (bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes >> 10} KiB`);

/**
 * Issue 14's figures for resumable (tus) uploads: bdfu's tus in one PATCH against its multipart
 * upload of the same bytes, in chunks against one PATCH (serve and CGI through Apache), its peak
 * RSS at the size and twice it, and the peer, @tus/server with @tus/file-store, taking the same
 * uploads (large, and 1 KiB ones from `clients` concurrent clients) from the same client.
 */
export async function tus(ws: Workspace, options: BenchOptions): Promise<Row[]> {
  const { size } = options;
  const chunk = chunkSizeFor(size);
  const token = await ws.token('bench');
  progress(`tus: the SHA-256 of the ${sizeLabel(size)} and ${sizeLabel(2 * size)} bodies, to check what lands`);
  const expected: Expected = { size, sha256: sha256OfRandomChunks(size) };
  const expectedDouble: Expected = { size: 2 * size, sha256: sha256OfRandomChunks(2 * size) };
  const peerDir = join(ws.dir, 'tus-peer');
  const clearPeer = () => {
    rmSync(peerDir, { recursive: true, force: true });
    mkdirSync(peerDir, { recursive: true });
  };
  clearPeer();
  const startPeer = () => startServer([NODE, TUS_PEER_SERVER, peerDir], cleanEnv());
  const bdfu = () => ws.startBdfu();
  const t = {
    multipart: [] as Transfer[], one: [] as Transfer[], chunked: [] as Transfer[], cgi: [] as Transfer[], double: [] as Transfer[],
    peerOne: [] as Transfer[], peerChunked: [] as Transfer[],
  };
  const small = { bdfu: [] as number[], peer: [] as number[] };
  const owner = new Teardowns();
  let cgiMissing: string | undefined;
  try {
    const cgiHost = await startCgiHost(ws, owner, 'tus-cgi');
    if (typeof cgiHost === 'string') cgiMissing = cgiHost;
    const step = async (run: number, what: string, list: Transfer[], measure: () => Promise<Transfer>) => {
      progress(`tus ${run}/${options.runs}: ${what}`);
      list.push(await measure());
      ws.clean();
      clearPeer();
    };
    for (let run = 1; run <= options.runs; run++) {
      await step(run, `bdfu multipart upload, ${sizeLabel(size)}`, t.multipart, () => withFresh(bdfu, (s) => bdfuMultipart(s, ws.storageDir, token, expected)));
      await step(run, 'bdfu tus, one PATCH', t.one, () => withFresh(bdfu, (s) => bdfuTus(s, s.url, ws.storageDir, token, expected, size)));
      await step(run, `bdfu tus, ${chunkLabel(chunk)} PATCHes`, t.chunked, () => withFresh(bdfu, (s) => bdfuTus(s, s.url, ws.storageDir, token, expected, chunk)));
      await step(run, `${PEER}, one PATCH`, t.peerOne, () => withFresh(startPeer, (s) => peerTus(s, peerDir, expected, size)));
      await step(run, `${PEER}, ${chunkLabel(chunk)} PATCHes`, t.peerChunked, () => withFresh(startPeer, (s) => peerTus(s, peerDir, expected, chunk)));
      await step(run, `bdfu tus, one PATCH of ${sizeLabel(2 * size)}`, t.double, () => withFresh(bdfu, (s) => bdfuTus(s, s.url, ws.storageDir, token, expectedDouble, 2 * size)));
      if (typeof cgiHost !== 'string') {
        await step(run, `cgi-bin/bdfu through Apache, tus, ${chunkLabel(chunk)} PATCHes`, t.cgi,
          () => bdfuTus(undefined, cgiHost.endpoint, cgiHost.storageDir, token, expected, chunk));
        cgiHost.clear();
      }
    }
    await smallTus(ws, options, token, startPeer, small);
    clearPeer();
  } finally {
    await owner.run();
  }
  return rows(options, chunk, t, small, cgiMissing);
}

/** 1 KiB tus uploads/s, each one POST with creation-with-upload, `clients` keep-alive clients: bdfu serve and the peer in turns. */
async function smallTus(ws: Workspace, options: BenchOptions, token: string, startPeer: () => Promise<Server>, rates: { bdfu: number[]; peer: number[] }): Promise<void> {
  const data = randomBytes(1024);
  const owner = new Teardowns();
  try {
    const bdfu = await ws.startBdfu();
    owner.teardown(() => bdfu.stop());
    const peer = await startPeer();
    owner.teardown(() => peer.stop());
    const shots = {
      bdfu: { url: () => `${bdfu.url}tus/`, ...tusCreationWithUpload(data, { authorization: `Bearer ${token}` }) },
      peer: { url: () => peer.url, ...tusCreationWithUpload(data) },
    };
    for (let run = 1; run <= options.runs; run++) {
      for (const name of ['bdfu', 'peer'] as const) {
        progress(`tus small uploads ${run}/${options.runs}: ${name === 'peer' ? PEER : 'bdfu serve'}`);
        rates[name].push(await rate(shots[name], options.clients, options.seconds));
      }
      ws.clean();
    }
  } finally {
    await owner.run();
  }
}

type Transfers = Record<'multipart' | 'one' | 'chunked' | 'cgi' | 'double' | 'peerOne' | 'peerChunked', Transfer[]>;

function rows(options: BenchOptions, chunk: number, t: Transfers, small: { bdfu: number[]; peer: number[] }, cgiMissing: string | undefined): Row[] {
  const size = sizeLabel(options.size);
  const speed = (list: Transfer[]) => summarize(list.map((x) => x.mibPerSecond));
  const peak = (list: Transfer[]) => summarize(list.map((x) => x.peakMiB));
  const cpu = (list: Transfer[]) => summarize(list.map((x) => x.cpuMsPerGiB));
  const atLeast = (limit: number): Target => ({ of: 'ratio', op: '>=', limit });
  const chunks = `${chunkLabel(chunk)} PATCHes`;
  const cgiFigure = `7. tus upload ${size}, ${chunks}, cgi-bin/bdfu through Apache event + mod_cgid`;
  return [
    row({ figure: `7. tus upload ${size}, one PATCH`, unit: 'MiB/s', bdfu: speed(t.one), baselineLabel: 'bdfu multipart upload', baseline: speed(t.multipart), target: atLeast(0.95) }),
    row({ figure: `7. tus upload ${size}, ${chunks}`, unit: 'MiB/s', bdfu: speed(t.chunked), baselineLabel: 'bdfu tus, one PATCH', baseline: speed(t.one), target: atLeast(0.8) }),
    cgiMissing
      ? row({ figure: cgiFigure, unit: 'MiB/s', note: cgiMissing })
      : row({ figure: cgiFigure, unit: 'MiB/s', bdfu: speed(t.cgi), baselineLabel: 'bdfu serve tus, one PATCH', baseline: speed(t.one) }),
    row({ figure: '7. server CPU time per GiB, tus one PATCH (user + system)', unit: 'ms', bdfu: cpu(t.one), baselineLabel: 'bdfu multipart upload', baseline: cpu(t.multipart) }),
    row({ figure: `7. peak RSS, tus upload ${size} (one PATCH)`, unit: 'MiB', bdfu: peak(t.one), baselineLabel: PEER, baseline: peak(t.peerOne), target: { of: 'value', op: '<=', limit: 80 } }),
    row({ figure: `7. peak RSS, tus upload ${size} (${chunks})`, unit: 'MiB', bdfu: peak(t.chunked), baselineLabel: PEER, baseline: peak(t.peerChunked), target: { of: 'value', op: '<=', limit: 80 } }),
    row({
      figure: `7. peak RSS, tus upload ${sizeLabel(2 * options.size)} vs ${size} (flat)`, unit: 'MiB', bdfu: peak(t.double), baselineLabel: `bdfu, ${size}`, baseline: peak(t.one),
      target: { of: 'ratio', op: '<=', limit: 1.1 },
    }),
    row({ figure: `7. tus upload ${size}, one PATCH, against ${PEER}`, unit: 'MiB/s', bdfu: speed(t.one), baselineLabel: PEER, baseline: speed(t.peerOne), target: atLeast(1) }),
    row({ figure: `7. server CPU time per GiB, tus one PATCH, against ${PEER}`, unit: 'ms', bdfu: cpu(t.one), baselineLabel: PEER, baseline: cpu(t.peerOne) }),
    row({ figure: `7. tus upload ${size}, ${chunks}, against ${PEER}`, unit: 'MiB/s', bdfu: speed(t.chunked), baselineLabel: PEER, baseline: speed(t.peerChunked), target: atLeast(1) }),
    row({
      figure: `7. 1 KiB tus uploads (POST with creation-with-upload), ${options.clients} keep-alive clients, against ${PEER}`, unit: 'uploads/s',
      bdfu: summarize(small.bdfu), baselineLabel: PEER, baseline: summarize(small.peer), target: atLeast(1),
    }),
  ];
}
