// The peer for the tus rows: tus's own Node server, @tus/server with @tus/file-store (npm, pinned
// in devDependencies; bench only, src/ never imports them), as its README sets it up.
// tus at http://127.0.0.1:<port>/files/; uploads land in DIR/<id> (and DIR/<id>.json).
// No authentication and no hashing: it takes the same requests as bdfu less the token.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';

const dir = process.argv[2];
if (!dir) throw new Error('usage: tus-peer.js DIR');
const tus = new Server({ path: '/files', datastore: new FileStore({ directory: dir }) });

const server = createServer((req, res) => {
  tus.handle(req, res).catch(() => res.destroy());
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`serving http://127.0.0.1:${(server.address() as AddressInfo).port}/files/\n`);
});
process.on('SIGTERM', () => process.exit(0));
