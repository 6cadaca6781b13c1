import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scheduleAnonymize } from '../audit/auto.js';
import { createApp } from '../core/app.js';
import type { Settings } from '../config/settings.js';
import { FsStore } from '../storage/fs-store.js';
import { nodeListener } from './node.js';

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** `bdfu serve`: checks the storage, sweeps what crashes left, then listens. */
export async function startServer(settings: Settings): Promise<RunningServer> {
  const store = new FsStore(settings.storageDir);
  await store.check();
  await store.sweep(settings.staleUploadSeconds);
  const sweeper = setInterval(() => void store.sweep(settings.staleUploadSeconds).catch(() => undefined),
    Math.max(1, settings.staleUploadSeconds / 2) * 1000);
  sweeper.unref();
  const stopAnonymizing = scheduleAnonymize(settings, (error) => process.stderr.write(`bdfu: ${(error as Error).message}\n`));

  const listener = nodeListener(createApp(settings, { store }), settings);
  const server = createServer(listener);
  // Answered by the core once the token checked out: refused clients never send their body.
  server.on('checkContinue', listener);
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return {
    server,
    url: `http://${host}:${port}${settings.basePath}`,
    close: () => {
      clearInterval(sweeper);
      stopAnonymizing();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
