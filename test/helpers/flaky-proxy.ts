import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlakyProxy {
  /** The target's URL with the proxy's host and port. */
  url: string;
  /** Requests seen, by method (the one that was cut included). */
  seen: Record<string, number>;
  /** How many PATCH bodies were cut so far. */
  cuts: number;
  close(): Promise<void>;
}

/**
 * A pass-through HTTP proxy in front of `target` that drops the connection of `drops` PATCH
 * requests (after the first `skip`) once `cutAfter` bytes of their body went through: a network
 * that fails mid-upload.
 */
export async function startFlakyProxy(target: string, options: { cutAfter: number; drops: number; skip?: number }): Promise<FlakyProxy> {
  const to = new URL(target);
  const seen: Record<string, number> = {};
  const state = { cuts: 0, patches: 0 };
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    seen[method] = (seen[method] ?? 0) + 1;
    const upstream = request({ host: to.hostname, port: to.port, method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    const cut = method === 'PATCH' && state.patches++ >= (options.skip ?? 0) && state.cuts < options.drops;
    if (cut) state.cuts++;
    let passed = 0;
    req.on('data', (chunk: Buffer) => {
      if (cut && passed + chunk.length > options.cutAfter) {
        upstream.write(chunk.subarray(0, Math.max(0, options.cutAfter - passed)));
        passed = options.cutAfter;
        // The network fails: both sides just see the connection go.
        req.socket.destroy();
        setTimeout(() => upstream.destroy(), 50);
        return;
      }
      passed += chunk.length;
      if (!upstream.write(chunk)) {
        req.pause();
        upstream.once('drain', () => req.resume());
      }
    });
    req.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(target);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.href,
    seen,
    get cuts() {
      return state.cuts;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
