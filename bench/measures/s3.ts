import { AwsV4Signer } from 'aws4fetch';
import type { Workspace } from '../lib/bdfu.js';
import { multipart, randomChunks, send, MiB } from '../lib/http.js';
import type { BenchOptions } from '../lib/options.js';
import { startPostgres } from '../lib/postgres.js';
import { peakRss } from '../lib/processes.js';
import { progress, sizeLabel } from '../lib/progress.js';
import { row, type Row } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { startSwift, type Swift } from '../lib/swift.js';
import { Teardowns } from '../lib/teardowns.js';

/** Signed headers for one request straight to the S3 endpoint (payload unsigned, as bdfu sends it). */
async function s3Headers(swift: Swift, method: string, key: string, extra: Record<string, string> = {}): Promise<{ url: string; headers: Record<string, string> }> {
  const url = `${swift.endpoint}/${swift.bucket}/${key}`;
  const signed = await new AwsV4Signer({
    method, url, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...extra },
    accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey, region: swift.region, service: 's3',
  }).sign();
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => (headers[name] = value));
  return { url, headers };
}

const mibPerSecond = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

/** The part size and parts in flight bdfu uses on S3 for uploads of at most MAX_UPLOAD_SIZE = 3 × size (src/storage/s3/part-size.ts). */
const PART_BYTES = 8 * MiB;
const PARTS_IN_FLIGHT = 2;

/**
 * A bare multipart upload of `size` random bytes to the endpoint, as bdfu makes one (8 MiB parts,
 * two in flight) but with nothing else: no HTTP server, no parsing, no hashing. Its wall time, ms.
 */
async function bareMultipart(swift: Swift, key: string, size: number): Promise<number> {
  const start = process.hrtime.bigint();
  const create = await s3Headers(swift, 'POST', `${key}?uploads`);
  const created = await send(create.url, { method: 'POST', headers: create.headers });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)?.[1];
  if (created.status !== 200 || !uploadId) throw new Error(`CreateMultipartUpload answered ${created.status}: ${created.text}`);
  const parts = Math.ceil(size / PART_BYTES);
  const etags: string[] = [];
  let next = 0;
  const sender = async () => {
    for (let part = next++; part < parts; part = next++) {
      const length = Math.min(PART_BYTES, size - part * PART_BYTES);
      const put = await s3Headers(swift, 'PUT', `${key}?partNumber=${part + 1}&uploadId=${encodeURIComponent(uploadId)}`, { 'content-length': String(length) });
      const sent = await send(put.url, { method: 'PUT', headers: put.headers, body: randomChunks(length) });
      if (sent.status !== 200) throw new Error(`UploadPart answered ${sent.status}: ${sent.text}`);
      etags[part] = String(sent.headers.etag);
    }
  };
  await Promise.all(Array.from({ length: PARTS_IN_FLIGHT }, sender));
  const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const complete = await s3Headers(swift, 'POST', `${key}?uploadId=${encodeURIComponent(uploadId)}`, { 'content-length': String(Buffer.byteLength(xml)) });
  const completed = await send(complete.url, { method: 'POST', headers: complete.headers, body: [Buffer.from(xml)] });
  if (completed.status !== 200 || /<Error>/.test(completed.text)) throw new Error(`CompleteMultipartUpload answered ${completed.status}: ${completed.text}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * `--only s3` (not run by default): the S3 + PostgreSQL storage, against a private Swift and
 * PostgreSQL. A streamed upload and a download through `bdfu serve` against a bare PutObject /
 * GetObject of the same bytes to the same endpoint, and bdfu's peak RSS after one and two sizes.
 */
export async function s3(ws: Workspace, options: BenchOptions): Promise<Row[]> {
  const { size } = options;
  const owner = new Teardowns();
  try {
    let swift: Swift;
    let databaseUrl: string;
    try {
      databaseUrl = startPostgres(owner).url;
      swift = await startSwift(owner, { bucket: 'bdfu-bench' });
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!;
      if (!/not installed/.test(message)) throw error;
      progress(`s3: skipped: ${message}`);
      return [row({ figure: `S3. upload ${sizeLabel(size)} through bdfu on S3 + PostgreSQL`, unit: 'MiB/s', note: `skipped: ${message}` })];
    }
    const { config } = ws.configWith('s3', { ...swift.settings, DATABASE_URL: databaseUrl, MAX_UPLOAD_SIZE: 3 * size });
    const served = await ws.startBdfu(config);
    owner.teardown(() => served.stop());
    const token = await ws.token('bench');
    const readToken = await ws.token('bench', 'read');
    const rates = { bareUp: [] as number[], bareMultipart: [] as number[], bdfuUp: [] as number[], bareDown: [] as number[], bdfuDown: [] as number[] };
    let rssOne = 0;
    for (let run = 1; run <= options.runs; run++) {
      progress(`s3 ${run}/${options.runs}: bare PutObject, bare multipart upload, upload through bdfu, bare GetObject, download through bdfu`);
      const put = await s3Headers(swift, 'PUT', `bench/bare-${run}`, { 'content-length': String(size) });
      const bare = await send(put.url, { method: 'PUT', headers: put.headers, body: randomChunks(size) });
      if (bare.status !== 200) throw new Error(`PutObject answered ${bare.status}: ${bare.text}`);
      rates.bareUp.push(mibPerSecond(size, bare.ms));
      rates.bareMultipart.push(mibPerSecond(size, await bareMultipart(swift, `bench/multipart-${run}`, size)));

      const form = multipart(size);
      const up = await send(`${served.url}upload`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': form.contentType, 'content-length': form.length }, body: form.chunks(),
      });
      if (up.status !== 201) throw new Error(`upload through bdfu answered ${up.status}: ${up.text}`);
      rates.bdfuUp.push(mibPerSecond(size, up.ms));
      rssOne = Math.max(rssOne, peakRss(served.child.pid!) / MiB);

      const get = await s3Headers(swift, 'GET', `bench/bare-${run}`);
      const bareDown = await send(get.url, { method: 'GET', headers: get.headers, keepText: false });
      if (bareDown.status !== 200 || bareDown.bytes !== size) throw new Error(`GetObject answered ${bareDown.status} with ${bareDown.bytes} bytes`);
      rates.bareDown.push(mibPerSecond(size, bareDown.ms));

      const { id } = JSON.parse(up.text) as { id: string };
      const down = await send(`${served.url}files/bench/${id}`, { method: 'GET', headers: { authorization: `Bearer ${readToken}` }, keepText: false });
      if (down.status !== 200 || down.bytes !== size) throw new Error(`download through bdfu answered ${down.status} with ${down.bytes} bytes`);
      rates.bdfuDown.push(mibPerSecond(size, down.ms));
    }
    progress(`s3: one upload of ${sizeLabel(2 * size)} through bdfu (peak memory, flat)`);
    const twice = multipart(2 * size);
    const big = await send(`${served.url}upload`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': twice.contentType, 'content-length': twice.length }, body: twice.chunks(),
    });
    if (big.status !== 201) throw new Error(`${sizeLabel(2 * size)} upload through bdfu answered ${big.status}: ${big.text}`);
    const rssTwo = peakRss(served.child.pid!) / MiB;
    return [
      row({
        figure: `S3. upload ${sizeLabel(size)} through bdfu on S3 + PostgreSQL`, unit: 'MiB/s',
        bdfu: summarize(rates.bdfuUp), baselineLabel: 'bare PutObject', baseline: summarize(rates.bareUp),
      }),
      row({
        figure: `S3. the ceiling: a bare multipart upload (8 MiB parts, 2 in flight) of ${sizeLabel(size)} against one PutObject`, unit: 'MiB/s',
        bdfu: summarize(rates.bareMultipart), baselineLabel: 'bare PutObject', baseline: summarize(rates.bareUp),
      }),
      row({
        figure: `S3. upload ${sizeLabel(size)} through bdfu on S3 + PostgreSQL, against the bare multipart upload`, unit: 'MiB/s',
        bdfu: summarize(rates.bdfuUp), baselineLabel: 'bare multipart upload', baseline: summarize(rates.bareMultipart),
      }),
      row({
        figure: `S3. download ${sizeLabel(size)} through bdfu on S3 + PostgreSQL`, unit: 'MiB/s',
        bdfu: summarize(rates.bdfuDown), baselineLabel: 'bare GetObject', baseline: summarize(rates.bareDown),
      }),
      row({
        figure: `S3. peak RSS of bdfu serve, after ${sizeLabel(2 * size)} vs after ${sizeLabel(size)} up and down (flat)`, unit: 'MiB',
        bdfu: summarize([rssTwo]), baselineLabel: `after ${sizeLabel(size)}`, baseline: summarize([rssOne]),
      }),
    ];
  } finally {
    await owner.run();
  }
}
