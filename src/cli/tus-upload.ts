import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from './fail.js';
import { endpointUrl, readJson, readText, send, type ClientResponse } from './http-client.js';
import { progressBar, progressMeter, type ProgressBar } from './progress.js';
import { forgetState, loadState, saveState, type FileIdentity } from './upload-state.js';

export interface TusOptions {
  /** Bytes per PATCH (0: the whole rest in one). */
  chunkSize: number;
  /** Continue the upload a previous process started for this file, if it remembered one. */
  resume: boolean;
  /** Attempts in a row that may fail without progress before giving up. */
  retries: number;
  /** How long the finished file is kept (`expires_in` in Upload-Metadata). */
  expiresIn?: string;
}

const TUS = { 'tus-resumable': '1.0.0' } as const;
const EXPECT_CONTINUE_ABOVE = 1 << 20;

/** A failure worth another attempt: the connection dropped, or the server asked to wait. */
class Retryable extends Error {}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

async function refuse(res: ClientResponse, what: string): Promise<never> {
  if ([409, 423, 460].includes(res.status) || res.status >= 500) {
    const text = await readText(res).catch(() => '');
    throw new Retryable(`${what}: HTTP ${res.status} ${text.slice(0, 200).trim()}`);
  }
  await readJson(res, what);
  throw new CliError(`${what} failed: HTTP ${res.status}`);
}

/** Sends a request; a network failure is worth retrying. */
async function request(url: URL, options: Parameters<typeof send>[1]): Promise<ClientResponse> {
  try {
    return await send(url, options);
  } catch (error) {
    throw new Retryable((error as Error).message);
  }
}

/**
 * Uploads a file with tus 1.0 ({endpoint}tus/): created once, then sent in PATCHes from the
 * offset the server reports; a dropped connection is retried with back-off from where the
 * server got to, and the upload URL is remembered so `--resume` continues in a new process.
 */
export async function tusUpload(endpoint: string, token: string, path: string, file: FileIdentity, options: TusOptions): Promise<Record<string, unknown>> {
  const auth = { authorization: `Bearer ${token}`, ...TUS };
  const metadata = [`filename ${b64(basename(path))}`, `filetype ${b64('application/octet-stream')}`];
  if (options.expiresIn !== undefined) metadata.push(`expires_in ${b64(options.expiresIn)}`);
  const bar = progressBar(file.size, basename(path));
  let url = options.resume ? (await loadState(file))?.url : undefined;
  let offset: number | undefined;
  let failures = 0;
  try {
    for (;;) {
      try {
        if (url === undefined) {
          const res = await request(endpointUrl(endpoint, 'tus/'), {
            method: 'POST',
            headers: { ...auth, 'upload-length': String(file.size), 'upload-metadata': metadata.join(','), 'content-length': 0 },
          });
          if (res.status !== 201 || !res.headers.location) await refuse(res, 'creating the upload');
          // An empty file is finished by its creation.
          if (res.headers['upload-file-location']) return await readJson(res, 'upload');
          res.body.resume();
          url = new URL(res.headers.location!, endpointUrl(endpoint, 'tus/')).href;
          await saveState({ ...file, url, created: new Date().toISOString() });
          offset = 0;
        }
        if (offset === undefined) {
          const known = await currentOffset(new URL(url), auth);
          if (known && 'record' in known) {
            await forgetState(file);
            return known.record;
          }
          offset = known?.offset;
        }
        if (offset === undefined) {
          // Gone (expired, terminated) or finished elsewhere without us learning the id: start over.
          url = undefined;
          continue;
        }
        bar.advance(offset, true);
        const answer = await patch(new URL(url), auth, path, file.size, offset, options.chunkSize, bar);
        failures = 0;
        if ('record' in answer) {
          await forgetState(file);
          return answer.record;
        }
        offset = answer.offset;
      } catch (error) {
        if (!(error instanceof Retryable)) throw error;
        failures++;
        if (failures > options.retries) throw new CliError(`upload failed after ${options.retries} retries: ${error.message}${url ? ` (resume it with --resume)` : ''}`);
        // Exponential back-off, a little random so many clients do not come back at once.
        await sleep(Math.min(10_000, 250 * 2 ** (failures - 1)) * (0.75 + Math.random() / 2));
        offset = undefined;
      }
    }
  } finally {
    bar.end();
  }
}

/**
 * HEAD: the server's offset; for a finished upload (its last answer was lost), where the file
 * is; undefined when the upload is gone (404/410).
 */
async function currentOffset(url: URL, auth: Record<string, string>): Promise<{ offset: number } | { record: Record<string, unknown> } | undefined> {
  const res = await request(url, { method: 'HEAD', headers: auth });
  res.body.resume();
  if (res.status === 404 || res.status === 410) return undefined;
  if (res.status !== 200 && res.status !== 204) await refuse(res, 'asking for the upload offset');
  const offset = Number(res.headers['upload-offset']);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Retryable('the server answered HEAD without an Upload-Offset');
  const location = res.headers['upload-file-location'];
  if (typeof location === 'string') {
    return { record: { id: url.pathname.split('/').pop(), size: offset, location } };
  }
  return { offset };
}

async function patch(url: URL, auth: Record<string, string>, path: string, size: number, offset: number, chunkSize: number, bar: ProgressBar): Promise<{ offset: number } | { record: Record<string, unknown> }> {
  const end = chunkSize > 0 ? Math.min(size, offset + chunkSize) : size;
  const res = await request(url, {
    method: 'PATCH',
    headers: { ...auth, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', 'content-length': end - offset, accept: 'application/json' },
    body: end === offset ? undefined : () => {
      const stream = createReadStream(path, { start: offset, end: end - 1, highWaterMark: 1 << 20 });
      return stream.pipe(progressMeter(end - offset, '', process.stderr, bar));
    },
    expectContinue: end - offset > EXPECT_CONTINUE_ABOVE,
  });
  if (res.status === 200) return { record: await readJson(res, 'upload') };
  if (res.status !== 204) await refuse(res, 'sending the file');
  res.body.resume();
  const next = Number(res.headers['upload-offset']);
  if (!Number.isSafeInteger(next)) throw new Retryable('the server answered PATCH without an Upload-Offset');
  if (next === size) {
    // The last PATCH's answer was a 204 without the file (a server that does not say where it is).
    throw new CliError('the upload finished, but the server did not say where the file is');
  }
  return { offset: next };
}
