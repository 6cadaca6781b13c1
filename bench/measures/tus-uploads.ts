// One verified large upload each, as the tus measure times them: bdfu's multipart upload, a tus
// upload to bdfu (serve or CGI) and a tus upload to the @tus/server peer. Each checks what landed
// on disk (size and SHA-256) after the clock stopped.
import { join } from 'node:path';
import { verifyStored } from '../lib/digest.js';
import { GiB, MiB, multipart, randomChunks, send } from '../lib/http.js';
import { cpuMs, peakRss, type Server } from '../lib/processes.js';
import { tusUpload } from '../lib/tus-client.js';

export interface Transfer {
  mibPerSecond: number;
  /** The server's peak RSS (VmHWM) after the upload: a fresh server's is the upload's. */
  peakMiB: number;
  /** The server's CPU time for the upload, per GiB. */
  cpuMsPerGiB: number;
}

/** What every upload is checked against: its size and the SHA-256 of `randomChunks(size)`. */
export interface Expected {
  size: number;
  sha256: string;
}

const lastSegment = (url: string) => new URL(url).pathname.split('/').filter(Boolean).pop()!;

/** Times `upload` (which answers its wall time in ms) against `server`'s CPU and memory. */
async function measured(server: Server | undefined, size: number, upload: () => Promise<number>): Promise<Transfer> {
  const pid = server?.child.pid;
  const cpuBefore = pid ? cpuMs(pid) : 0;
  const ms = await upload();
  return {
    mibPerSecond: size / MiB / (ms / 1000),
    peakMiB: pid ? peakRss(pid) / MiB : NaN,
    cpuMsPerGiB: pid ? (cpuMs(pid) - cpuBefore) / (size / GiB) : NaN,
  };
}

/** bdfu's multipart upload (POST {endpoint}upload) of the same bytes: the tus figures' yardstick. */
export function bdfuMultipart(server: Server, storageDir: string, token: string, expected: Expected): Promise<Transfer> {
  return measured(server, expected.size, async () => {
    const body = multipart(expected.size);
    const answer = await send(`${server.url}upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': body.contentType, 'content-length': body.length },
      body: body.chunks(),
    });
    if (answer.status !== 201) throw new Error(`multipart upload answered ${answer.status}: ${answer.text.slice(0, 500)}`);
    const record = JSON.parse(answer.text) as { id: string; sha256: string };
    if (record.sha256 !== expected.sha256) throw new Error(`multipart upload: bdfu says sha256 ${record.sha256}, not ${expected.sha256}`);
    await verifyStored('bdfu multipart upload', join(storageDir, 'bench', record.id), expected.size, expected.sha256);
    return answer.ms;
  });
}

/**
 * A tus upload to bdfu at `endpoint` ({endpoint}tus/ of `bdfu serve`, or of cgi-bin/bdfu behind
 * Apache, when `server` is undefined), in PATCHes of `chunkSize`; its last answer must be the
 * file's record with the right SHA-256, and the file on disk must be the bytes sent.
 */
export function bdfuTus(server: Server | undefined, endpoint: string, storageDir: string, token: string, expected: Expected, chunkSize: number): Promise<Transfer> {
  return measured(server, expected.size, async () => {
    const upload = await tusUpload(`${endpoint}tus/`, expected.size, chunkSize, randomChunks(expected.size), { authorization: `Bearer ${token}` });
    const record = JSON.parse(upload.last.text || '{}') as { id?: string; sha256?: string };
    if (upload.last.status !== 200 || record.sha256 !== expected.sha256) {
      throw new Error(`bdfu tus upload: the last PATCH answered ${upload.last.status} with sha256 ${record.sha256}, not ${expected.sha256}`);
    }
    await verifyStored('bdfu tus upload', join(storageDir, 'bench', lastSegment(upload.url)), expected.size, expected.sha256);
    return upload.ms;
  });
}

/** The same tus upload to the @tus/server peer (no token); @tus/file-store keeps it as DIR/<id>. */
export function peerTus(server: Server, dir: string, expected: Expected, chunkSize: number): Promise<Transfer> {
  return measured(server, expected.size, async () => {
    const upload = await tusUpload(server.url, expected.size, chunkSize, randomChunks(expected.size));
    await verifyStored('@tus/server upload', join(dir, lastSegment(upload.url)), expected.size, expected.sha256);
    return upload.ms;
  });
}
