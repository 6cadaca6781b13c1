import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import t from 'tap';
import { isStorageError } from '../../src/storage/errors.js';
import { S3Client } from '../../src/storage/s3/client.js';
import { startObjectWrite } from '../../src/storage/s3/object-write.js';
import { MAX_PARTS, MIN_PART_BYTES, partSizeFor } from '../../src/storage/s3/part-size.js';
import { startSwift } from '../helpers/swift.js';

const MiB = 1024 * 1024;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

t.test('part sizes fit the largest upload in 10,000 parts of at least 5 MiB', async (t) => {
  for (const max of [1, 1024 * MiB, 80 * 1024 * MiB, 5 * 1024 * 1024 * MiB]) {
    const part = partSizeFor(max);
    t.ok(part >= MIN_PART_BYTES && Math.ceil(max / part) <= MAX_PARTS, `${max} bytes in parts of ${part}`);
  }
});

t.test('against a real Swift + s3api', async (t) => {
  const swift = await startSwift(t);
  const s3 = new S3Client({ ...swift, forcePathStyle: true });
  t.teardown(() => s3.close());

  t.test('put, head, get whole and by range, delete', async (t) => {
    const data = randomBytes(100_000);
    await s3.putObject('a/b c/é.bin', data);
    t.equal((await s3.headObject('a/b c/é.bin'))?.size, data.length);
    const whole = await s3.getObject('a/b c/é.bin');
    t.equal(sha(await readAll(whole!.stream)), sha(data));
    const part = await s3.getObject('a/b c/é.bin', { start: 10, end: 19 });
    t.same(await readAll(part!.stream), data.subarray(10, 20));
    t.equal(part!.size, data.length);
    await s3.deleteObject('a/b c/é.bin');
    t.equal(await s3.headObject('a/b c/é.bin'), undefined);
    t.equal(await s3.getObject('a/b c/é.bin'), undefined);
    await s3.deleteObject('a/b c/é.bin');
  });

  t.test('a streamed multipart upload: parts cut as they fill, the object appears only on complete', async (t) => {
    const data = randomBytes(13 * MiB + 12345);
    let partsSeen = 0;
    const write = startObjectWrite(s3, 'big/one', { partBytes: 5 * MiB, partsInFlight: 2, onPart: () => partsSeen++ });
    await pipeline(Readable.from((function* () {
      for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536);
    })()), write.stream);
    t.equal(partsSeen, 3);
    t.equal(await s3.headObject('big/one'), undefined, 'nothing visible before complete');
    await write.complete();
    const got = await s3.getObject('big/one');
    t.equal(got!.size, data.length);
    t.equal(sha(await readAll(got!.stream)), sha(data));
    const uploads = [];
    for await (const upload of s3.listMultipartUploads('big/')) uploads.push(upload);
    t.same(uploads, [], 'no multipart upload left');
  });

  t.test('a small object is one PutObject at complete', async (t) => {
    const write = startObjectWrite(s3, 'small/one', { partBytes: 5 * MiB, partsInFlight: 2 });
    await pipeline(Readable.from([Buffer.from('hello')]), write.stream);
    await write.complete();
    t.equal((await readAll((await s3.getObject('small/one'))!.stream)).toString(), 'hello');
  });

  t.test('abort leaves neither the object nor a multipart upload; stale ones are listed', async (t) => {
    const write = startObjectWrite(s3, 'aborted/one', { partBytes: 5 * MiB, partsInFlight: 2 });
    write.stream.write(randomBytes(6 * MiB));
    await new Promise((r) => setTimeout(r, 500));
    const listed = [];
    for await (const upload of s3.listMultipartUploads('aborted/')) listed.push(upload);
    t.equal(listed.length, 1, 'listed while in progress');
    t.equal(listed[0]?.key, 'aborted/one');
    await write.abort();
    await write.abort();
    const left = [];
    for await (const upload of s3.listMultipartUploads('aborted/')) left.push(upload);
    t.same(left, []);
    t.equal(await s3.headObject('aborted/one'), undefined);
  });

  t.test('lists objects with paging, presigns a GET that works without credentials', async (t) => {
    for (let i = 0; i < 3; i++) await s3.putObject(`list/${i}`, Buffer.from(String(i)));
    const keys = [];
    for await (const object of s3.listObjects('list/')) keys.push(object.key);
    t.same(keys, ['list/0', 'list/1', 'list/2']);
    const url = await s3.presignGet('list/1', 60, { 'response-content-disposition': 'attachment; filename="x.txt"' });
    const response = await fetch(url);
    t.equal(response.status, 200);
    t.equal(await response.text(), '1');
    t.match(response.headers.get('content-disposition'), /x\.txt/);
  });

  t.test('wrong credentials, a missing bucket, an endpoint that is down', async (t) => {
    const wrong = new S3Client({ ...swift, secretAccessKey: 'wrong', forcePathStyle: true });
    await t.rejects(wrong.headBucket(), /AccessDenied/);
    wrong.close();
    const missing = new S3Client({ ...swift, bucket: 'no-such-bucket', forcePathStyle: true });
    await t.rejects(missing.headBucket(), /bucket no-such-bucket at http:\/\/127\.0\.0\.1:\d+: NoSuchBucket/);
    missing.close();
    const down = new S3Client({ ...swift, endpoint: 'http://127.0.0.1:1', forcePathStyle: true });
    const error = await down.headBucket().catch((e: unknown) => e);
    t.ok(isStorageError(error, 'unavailable'), 'unavailable');
    t.match((error as Error).message, 'S3 at http://127.0.0.1:1 cannot be reached (ECONNREFUSED)');
    down.close();
  });
});
