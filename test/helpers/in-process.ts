import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import type { AppOptions } from '../../src/assembly/app.js';
import { createHandler, type HandlerConfig } from '../../src/adapters/node.js';

/** bdfu through the library face, in this process, on a free port of 127.0.0.1; closed at the test's end. */
export async function serveInProcess(t: Test, config: HandlerConfig, options: AppOptions = {}): Promise<string> {
  const server = createServer(createHandler(config, options));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}
