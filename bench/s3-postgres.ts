// The S3 + PostgreSQL rows, until `npm run bench` builds again (issue 18): run with
//   node --import=./node_modules/@tapjs/typescript/dist/esm/import.mjs bench/s3-postgres.ts [GiB]
// Starts a private PostgreSQL and Swift (test/helpers), one `bdfu serve` on them, and measures
// a streamed upload and a download through bdfu against a bare PutObject / GetObject of the same
// bytes to the same endpoint, and bdfu's peak RSS (VmHWM) after SIZE and after 2 × SIZE.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { S3Client } from '../src/storage/s3/client.js';
import { makeFixture } from '../test/helpers/fixture.js';
import { originalToken } from '../test/helpers/original-token.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { seededBytes, streamUpload } from '../test/helpers/s3-postgres-cluster.js';
import { startBdfu } from '../test/helpers/serve.js';
import { startSwift } from '../test/helpers/swift.js';

const GiB = 1024 ** 3;
const size = Math.round(Number(process.argv[2] ?? '1') * GiB);
const MiBps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

function drain(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length)).on('end', () => resolve(bytes)).on('error', reject);
    }).on('error', reject).end();
  });
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

const pg = startPostgres();
const swift = await startSwift();
try {
  const fixture = makeFixture('bench-s3', { ...swift.settings, DATABASE_URL: pg.url, MAX_UPLOAD_SIZE: 3 * size });
  const served = await startBdfu([fixture.config], { uninstrumented: true });
  const pid = served.child.pid!;
  const s3 = new S3Client({ ...swift, forcePathStyle: true });
  const token = await originalToken('bench', fixture.secret, { expiresIn: 7200 });
  const rows: string[] = [];

  const [, bareUp] = await timed(() => s3.putObjectStream('bench/bare', seededBytes(size, 'bench'), size));
  const [sent, bdfuUp] = await timed(() => streamUpload(served.url, token, size, 'bench'));
  if (sent.status !== 201) throw new Error(`upload through bdfu: ${sent.status} ${JSON.stringify(sent.json)}`);
  const rssOne = peakRss(pid);
  rows.push(`upload ${size / GiB} GiB: bare PutObject ${MiBps(size, bareUp).toFixed(0)} MiB/s, through bdfu ${MiBps(size, bdfuUp).toFixed(0)} MiB/s: ${(bareUp / bdfuUp).toFixed(2)}×`);

  const [bareBytes, bareDown] = await timed(async () => {
    const body = await s3.getObject('bench/bare');
    let bytes = 0;
    for await (const chunk of body!.stream) bytes += (chunk as Buffer).length;
    return bytes;
  });
  const [bdfuBytes, bdfuDown] = await timed(() => drain(new URL(sent.location!, served.url).href, { authorization: `Bearer ${token}` }));
  if (bareBytes !== size || bdfuBytes !== size) throw new Error(`download sizes ${bareBytes} / ${bdfuBytes}, expected ${size}`);
  rows.push(`download ${size / GiB} GiB: bare GetObject ${MiBps(size, bareDown).toFixed(0)} MiB/s, through bdfu ${MiBps(size, bdfuDown).toFixed(0)} MiB/s: ${(bareDown / bdfuDown).toFixed(2)}×`);

  const twice = await streamUpload(served.url, token, 2 * size, 'bench-2');
  if (twice.status !== 201) throw new Error(`2× upload: ${twice.status}`);
  const rssTwo = peakRss(pid);
  rows.push(`bdfu serve peak RSS (VmHWM): after ${size / GiB} GiB up + down ${rssOne.toFixed(0)} MiB, after ${(2 * size) / GiB} GiB up ${rssTwo.toFixed(0)} MiB`);
  s3.close();
  await served.stop();
  console.log(rows.join('\n'));
} finally {
  await swift.destroy();
  pg.destroy();
}
