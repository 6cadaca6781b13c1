import { connect } from 'node:net';

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

export interface RawRequest {
  method?: string;
  /** Appended to the target's path as is: no normalisation, no encoding. */
  path?: string;
  /** Sent in order; repeats allowed. `content-length` is added from the body unless given or `chunked`. */
  headers?: [string, string][];
  body?: Buffer | string;
  chunked?: boolean;
  /** Send only this many bytes of the body, then half-close (the client stops sending). */
  cutBodyAt?: number;
}

function parseReply(data: Buffer): RawReply | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = data.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let rest = body;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd < 0) break;
      const size = parseInt(rest.subarray(0, lineEnd).toString(), 16);
      if (!size) break;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 4 + size);
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    body = body.subarray(0, Number(headers['content-length']));
  }
  const text = body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}

/**
 * One request written byte for byte to a socket; the first reply is read even when the server
 * closes the connection while the request is still being sent.
 */
export function rawHttp(baseUrl: string, request: RawRequest, timeoutMs = 60_000): Promise<RawReply> {
  const base = new URL(baseUrl);
  const body = Buffer.from(request.body ?? '');
  // A request that names its own Host sends that one only.
  const ownHost = (request.headers ?? []).some(([name]) => name.toLowerCase() === 'host');
  const headers: [string, string][] = [...(ownHost ? [] : [['host', base.host] as [string, string]]), ...(request.headers ?? [])];
  const named = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (request.chunked && !named('transfer-encoding')) headers.push(['transfer-encoding', 'chunked']);
  if (!request.chunked && !named('content-length') && (body.length > 0 || (request.method ?? 'POST') === 'POST')) {
    headers.push(['content-length', String(body.length)]);
  }
  const head = `${request.method ?? 'POST'} ${base.pathname}${request.path ?? ''} HTTP/1.1\r\n` +
    headers.map(([n, v]) => `${n}: ${v}\r\n`).join('') + '\r\n';
  const sent = request.cutBodyAt === undefined ? body : body.subarray(0, request.cutBodyAt);
  const payload = request.chunked ? Buffer.concat([Buffer.from(`${sent.length.toString(16)}\r\n`), sent, Buffer.from('\r\n0\r\n\r\n')]) : sent;

  return new Promise((resolve, reject) => {
    const socket = connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const reply = parseReply(Buffer.concat(chunks));
      if (reply) resolve(reply);
      else reject(error ?? new Error(`no HTTP reply; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 200))}`));
    };
    const timer = setTimeout(() => finish(new Error('timed out waiting for a reply')), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const data = Buffer.concat(chunks);
      const end = data.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(data.subarray(0, end).toString('latin1'));
      if (end >= 0 && length && data.length - end - 4 >= Number(length[1])) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error) => {
      // EPIPE / ECONNRESET while still sending: the reply may already be here.
      if (chunks.length > 0) finish();
      else finish(error);
    });
    socket.on('connect', () => {
      socket.write(head);
      socket.write(payload, () => {
        if (request.cutBodyAt !== undefined) socket.end();
      });
    });
  });
}
