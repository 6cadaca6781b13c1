import { spawnSync } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';

/** A loopback port that was free a moment ago; whoever binds it retries when it was taken since. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The same, for code driven synchronously (pg_ctl): a child process asks for the port. */
export function freeLoopbackPortSync(): number {
  const ran = spawnSync(process.execPath, ['-e',
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"], { encoding: 'utf8' });
  const port = Number(ran.stdout);
  if (!(port > 0)) throw new Error(`no free port: ${ran.stderr}`);
  return port;
}

/** Whether something accepts connections on this loopback port now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
