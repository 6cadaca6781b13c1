import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { CliError } from './fail.js';

export interface ClientResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: IncomingMessage;
}

/** `endpoint` + `path`, where endpoint is the server's base URL as the user typed it. */
export function endpointUrl(endpoint: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  } catch {
    throw new CliError(`not a URL: ${endpoint}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new CliError(`not an http(s) URL: ${endpoint}`);
  return new URL(path, base);
}

export interface SendOptions {
  method: string;
  headers?: OutgoingHttpHeaders;
  /** Written after the server says `100 Continue` when `expectContinue` is set. */
  body?: () => Readable;
  expectContinue?: boolean;
}

const CONTINUE_WAIT_MS = 1000;

export function send(url: URL, options: SendOptions): Promise<ClientResponse> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...options.headers };
    if (options.expectContinue && options.body) headers.expect = '100-continue';
    const req = request(url, { method: options.method, headers }, (res) =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(new CliError(`cannot reach ${url.origin}: ${error.code ?? error.message}`)),
    );
    if (!options.body) {
      req.end();
      return;
    }
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      const body = options.body!();
      body.on('error', (error) => req.destroy(error));
      body.pipe(req);
    };
    if (!options.expectContinue) return start();
    req.on('continue', start);
    // Servers that ignore Expect (like the original bdfu) never say 100: send anyway, as curl does.
    const timer = setTimeout(start, CONTINUE_WAIT_MS);
    req.on('response', () => clearTimeout(timer));
    req.on('continue', () => clearTimeout(timer));
  });
}

export async function readText(res: ClientResponse, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > limit) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The server's JSON answer, or a CliError that says what went wrong in one line. */
export async function readJson(res: ClientResponse, what: string): Promise<Record<string, unknown>> {
  const text = await readText(res);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`${what} failed: HTTP ${res.status}, not a bdfu answer: ${text.trim().slice(0, 120) || '(empty body)'}`);
  }
  if (res.status >= 400) {
    const error = (value as { error?: unknown }).error;
    throw new CliError(`${what} failed: HTTP ${res.status}: ${typeof error === 'string' ? error : text.trim().slice(0, 200)}`);
  }
  return value as Record<string, unknown>;
}
