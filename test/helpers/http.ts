import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: any;
}

export interface Send {
  method?: string;
  headers?: Record<string, string | number | string[]>;
  body?: Buffer | string | Readable;
}

/** The parsed JSON of a reply body, or undefined when it is not JSON. */
export function jsonOrUndefined(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One HTTP request; the whole reply is read (replies in these tests are small). */
export function http(url: string, options: Send = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: jsonOrUndefined(text) });
      });
    });
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

export interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer | string;
}

/** A multipart/form-data body built in memory (test payloads are small). */
export function multipart(parts: Part[], boundary = `b${randomBytes(8).toString('hex')}`) {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.type) head += `Content-Type: ${part.type}\r\n`;
    chunks.push(Buffer.from(head + '\r\n'), Buffer.from(part.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(chunks);
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, boundary };
}

/** POST {base}upload with one file, as the original client did. */
export function uploadFile(base: string, token: string | undefined, data: Buffer, filename = 'f.bin', extra: Record<string, string> = {}) {
  const { body, contentType } = multipart([{ name: 'file', filename, type: 'application/octet-stream', data }]);
  const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': body.length, ...extra };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return http(`${base}upload`, { method: 'POST', headers, body });
}
