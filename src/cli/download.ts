import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CliError } from './fail.js';
import { endpointUrl, readJson, send, type ClientResponse } from './http-client.js';
import { progressMeter } from './progress.js';
import { filesPath, parseTarget } from './target.js';

const REDIRECTS = [301, 302, 303, 307, 308];

async function sizeOf(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError(`${path} is not a regular file`);
    return info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot use ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

/** GET, following a CDN redirect once; the bearer token is not sent to the CDN. */
async function fetchFile(url: URL, token: string, range: string | undefined): Promise<ClientResponse> {
  const rangeHeader = range ? { range } : {};
  const res = await send(url, { method: 'GET', headers: { authorization: `Bearer ${token}`, ...rangeHeader } });
  const location = res.headers.location;
  if (!REDIRECTS.includes(res.status) || !location) return res;
  res.body.resume();
  return send(new URL(location, url), { method: 'GET', headers: rangeHeader });
}

function totalFromContentRange(value: string | undefined): number | undefined {
  const match = /^bytes (?:\*|\d+-\d+)\/(\d+)$/.exec(value ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * `bdfu download`: the file to stdout, or to `-o FILE`. A partial FILE is resumed with a
 * Range request; the result is checked against the sha256 the server's ETag carries.
 */
export async function download(endpoint: string, token: string, target: string, options: { output?: string; json?: boolean }): Promise<void> {
  const { user, id } = parseTarget(target);
  const output = options.output && options.output !== '-' ? options.output : undefined;
  if (!output && options.json) throw new CliError('--json needs -o FILE (without it the file itself goes to stdout)');
  const have = output ? await sizeOf(output) : 0;
  const res = await fetchFile(endpointUrl(endpoint, filesPath(user, id)), token, have > 0 ? `bytes=${have}-` : undefined);

  if (res.status === 416 && have > 0) {
    res.body.resume();
    const total = totalFromContentRange(res.headers['content-range']);
    if (total !== have) throw new CliError(`download failed: ${output} (${have} bytes) is larger than the file on the server (${total ?? '?'} bytes); remove it and retry`);
  } else if (res.status !== 200 && res.status !== 206) {
    await readJson(res, 'download');
    throw new CliError(`download failed: HTTP ${res.status}`);
  }
  const resumed = res.status === 206;
  if (resumed && !(res.headers['content-range'] ?? '').startsWith(`bytes ${have}-`)) {
    res.body.resume();
    throw new CliError(`download failed: the server answered another range (${res.headers['content-range']}) than asked (bytes=${have}-)`);
  }
  if (res.status !== 416) {
    const length = Number(res.headers['content-length'] ?? 0);
    const sink = output ? createWriteStream(output, { flags: resumed ? 'a' : 'w' }) : process.stdout;
    try {
      await pipeline(res.body, progressMeter(length, `${user}/${id}`), sink);
    } catch (error) {
      throw new CliError(`download interrupted: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}${output ? `; run the same command again to resume ${output}` : ''}`);
    }
  }
  if (!output) return;

  const size = await sizeOf(output);
  const etag = /^"([0-9a-f]{64})"$/.exec(String(res.headers.etag ?? ''))?.[1];
  const sha256 = await sha256Of(output);
  if (etag && etag !== sha256) throw new CliError(`download failed: ${output} does not match the server's sha256 (${etag}); remove it and retry`);
  if (options.json) process.stdout.write(JSON.stringify({ user, id, file: output, size, sha256, resumedFrom: resumed || res.status === 416 ? have : 0 }) + '\n');
}
