// The least a CGI upload must do to keep bdfu's promises, with the libraries bdfu uses and nothing
// else: check the bearer token (jose, HS256), parse the multipart body (busboy) read from stdin,
// SHA-256 the file's bytes, write them to a temporary file, fsync, write its record (a file of
// its own, as bdfu's metadata is) and fsync it, rename, fsync the directory, answer. No settings
// file, no audit line, no lease. The bench bundles it into one
// CommonJS file, as `npm run build` bundles cgi-bin/bdfu's code (measures/cgi.ts). Its CPU time
// against `node -e 0` is the ceiling for figure 4 on the machine the bench runs on.
// Usage: CGI variables + FLOOR_SECRET in the environment, the body on stdin, DIR as argument.
import busboy from 'busboy';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { jwtVerify } from 'jose/jwt/verify';

function answer(status: string, body: object): void {
  process.stdout.write(`Status: ${status}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(body)}\n`);
}

async function upload(dir: string): Promise<void> {
  const token = /^Bearer (.+)$/.exec(process.env.HTTP_AUTHORIZATION ?? '')?.[1] ?? '';
  const { payload } = await jwtVerify(token, new TextEncoder().encode(process.env.FLOOR_SECRET), { algorithms: ['HS256'] });
  const id = randomBytes(16).toString('hex');
  const temp = `${dir}/.${id}.part`;
  const fd = openSync(temp, 'wx', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  const form = busboy({ headers: { 'content-type': process.env.CONTENT_TYPE ?? '' } });
  const parsed = new Promise<void>((resolve, reject) => {
    form.on('file', (_field, file) => file.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      writeSync(fd, chunk);
      size += chunk.length;
    }));
    form.on('close', resolve);
    form.on('error', reject);
  });
  const buffer = Buffer.allocUnsafe(65536);
  for (let n; (n = readSync(0, buffer, 0, buffer.length, null)) > 0;) form.write(Buffer.from(buffer.subarray(0, n)));
  form.end();
  await parsed;
  fsyncSync(fd);
  closeSync(fd);
  const sha256 = hash.digest('hex');
  const record = openSync(`${dir}/.${id}.json`, 'wx', 0o600);
  writeSync(record, JSON.stringify({ id, user: payload.sub, size, sha256 }));
  fdatasyncSync(record);
  closeSync(record);
  renameSync(temp, `${dir}/${id}`);
  const directory = openSync(dir, 'r');
  fsyncSync(directory);
  closeSync(directory);
  answer('201 Created', { id, user: payload.sub, size, sha256 });
}

upload(process.argv[2] ?? '.').catch((error: unknown) => answer('400 Bad Request', { error: String(error) }));
