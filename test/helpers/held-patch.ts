import { request } from 'node:http';
import { jsonOrUndefined, type Reply } from './http.js';

/** A tus PATCH in flight: its first bytes are sent, the rest waits for `release()`. */
export interface HeldPatch {
  /** Resolves once the first `sent` bytes were handed to the socket. */
  first: Promise<void>;
  release(): void;
  /** The answer; rejects when none came (the connection was cut). */
  reply: Promise<Reply>;
}

/** PATCH `data` at `offset` to a tus upload, holding back all but the first `sent` bytes (half by default). */
export function heldPatch(url: string, token: string, offset: number, data: Buffer, sent = Math.floor(data.length / 2)): HeldPatch {
  let release!: () => void;
  let firstSent!: () => void;
  const first = new Promise<void>((resolve) => (firstSent = resolve));
  const reply = new Promise<Reply>((resolve, reject) => {
    const req = request(url, {
      // A connection of its own: the test may kill the server that holds it.
      agent: false,
      method: 'PATCH',
      headers: {
        'tus-resumable': '1.0.0', authorization: `Bearer ${token}`, 'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream', 'content-length': String(data.length),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString(), json: jsonOrUndefined(body.toString()) });
      });
    });
    req.on('error', reject);
    req.write(data.subarray(0, sent), () => firstSent());
    release = () => req.end(data.subarray(sent));
  });
  return { first, release: () => release(), reply };
}
