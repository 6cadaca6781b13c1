import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { assemble } from '../assembly/start.js';
import { scheduleAnonymize } from '../audit/auto.js';
import { linkSecret } from '../auth/link-secret.js';
import { RETENTION_SWEEP_MS, sweepAll, sweepRetention } from '../sharing/sweep-backend.js';
import type { Settings } from '../config/settings.js';
import type { Hooks } from '../hooks/types.js';
import type { StorageBackend } from '../storage/backend.js';
import type { Store } from '../storage/store.js';
import { bodyCutShort, nodeListener } from './node.js';

export interface RunningServer {
  server: Server;
  url: string;
  /** Stops taking requests, lets those in flight finish for SHUTDOWN_GRACE_SECONDS, then cuts the rest off. */
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Everything bdfu keeps; the one the settings ask for (the disk on STORAGE_DIR) by default. */
  backend?: StorageBackend;
  /** Whole uploads only, on the disk backend otherwise. */
  store?: Store;
  /** In-process hooks (see Hooks in the README). */
  hooks?: Hooks;
}

/** Answers requests Node refused before bdfu saw them (bad HTTP, headers too large, too slow) with bdfu's JSON errors. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  // A request on this connection is still being answered (its body was cut short, or junk
  // followed it): let that answer go out first, then close.
  const answering = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (answering && !answering.writableFinished) {
    if (!answering.req.complete) bodyCutShort(answering.req, error.code ?? 'parse error');
    const cut = setTimeout(() => socket.destroy(), 10_000);
    answering.once('close', () => {
      clearTimeout(cut);
      socket.destroySoon();
    });
    return;
  }
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers_too_large', 'the request headers are too large']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request_timeout', 'the request did not arrive in time']
    : [400, 'bad_request', `the request is not valid HTTP (${error.code ?? 'parse error'})`];
  const body = JSON.stringify({ error: message, code }) + '\n';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
  );
}

function refuseWhileStopping(res: ServerResponse): void {
  const body = JSON.stringify({ error: 'bdfu is shutting down; try again shortly', code: 'shutting_down' }) + '\n';
  res.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'retry-after': '5',
    connection: 'close',
  });
  res.end(body);
}

/** `bdfu serve`: checks the storage and keys, sweeps what crashes left, then listens. */
export async function startServer(settings: Settings, options: ServerOptions = {}): Promise<RunningServer> {
  const { backend, app } = await assemble(settings, options);
  await app.ready;
  // A link secret file that is missing is made now, one that is unsafe refuses the start.
  linkSecret(settings);
  await sweepAll(backend);
  const sweeper = setInterval(() => void backend.sweep().catch(() => undefined),
    Math.max(1, settings.staleUploadSeconds / 2) * 1000);
  // Expired files are hidden from every read at once; this deletes them within a minute.
  const retention = setInterval(() => void sweepRetention(backend).catch(() => undefined), RETENTION_SWEEP_MS);
  retention.unref();
  sweeper.unref();
  const stopAnonymizing = scheduleAnonymize(settings, backend.audit, (error) => process.stderr.write(`bdfu: ${(error as Error).message}\n`));

  // Handlers still running (an upload removing its temporary file after being cut off, say).
  const handling = new Set<Promise<unknown>>();
  const listener = nodeListener((req) => {
    const response = app(req);
    handling.add(response);
    void response.finally(() => handling.delete(response)).catch(() => undefined);
    return response;
  }, settings);
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  const serveOne = (req: IncomingMessage, res: ServerResponse) => {
    if (stopping) {
      refuseWhileStopping(res);
      return;
    }
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    listener(req, res);
  };

  const server = createServer({
    headersTimeout: settings.headersTimeoutSeconds * 1000,
    requestTimeout: settings.requestTimeoutSeconds * 1000,
    // How often Node looks for requests past those two limits (its default is 30 s).
    connectionsCheckingInterval: Math.min(1000, settings.headersTimeoutSeconds * 500),
  }, serveOne);
  // Answered by the core once the token checked out: refused clients never send their body.
  server.on('checkContinue', serveOne);
  // A connection silent this long (a stalled upload, an idle slowloris) is destroyed.
  server.timeout = settings.bodyIdleTimeoutSeconds * 1000;
  server.maxConnections = settings.maxConnections;
  server.on('clientError', answerClientError);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${host}:${port}${settings.basePath}`,
    close: () =>
      (closing ??= (async () => {
        stopping = true;
        clearInterval(sweeper);
        clearInterval(retention);
        stopAnonymizing();
        for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = setTimeout(() => server.closeAllConnections(), settings.shutdownGraceSeconds * 1000);
        await closed;
        clearTimeout(deadline);
        // Uploads cut off at the deadline are still removing their temporary files.
        const settled = Date.now() + 5000;
        while (handling.size > 0 && Date.now() < settled) await new Promise((r) => setTimeout(r, 20));
        // After-hook deliveries still retrying get the grace period, no more.
        let graceOver: NodeJS.Timeout | undefined;
        await Promise.race([app.settled(), new Promise((r) => (graceOver = setTimeout(r, settings.shutdownGraceSeconds * 1000)))]);
        clearTimeout(graceOver);
        if (!options.backend) await backend.close();
      })()),
  };
}
