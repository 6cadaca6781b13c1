import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Handler } from '../../src/core/types.js';
import { webRoot } from './apache.js';

/** What the core was handed for one request, as the probes answer it. */
export interface Probed {
  method: string;
  path: string;
  baseUrl: string;
  remoteAddress: string;
  headers: Record<string, string>;
  bytes: number;
  env?: Record<string, string | null>;
}

/**
 * A core handler that reads the whole body and answers with the request it saw: put behind an
 * adapter (and Apache in front) it shows what bdfu's code makes of a real request.
 */
export const echoHandler: Handler = async (req) => {
  let bytes = 0;
  for await (const chunk of req.body) bytes += (chunk as Buffer).length;
  const { method, path, baseUrl, remoteAddress, headers } = req;
  const body = JSON.stringify({ method, path, baseUrl, remoteAddress, headers, bytes } satisfies Probed);
  return { status: 200, headers: { 'content-type': 'application/json' }, body };
};

/**
 * Writes a CGI script that serves with bdfu's real CGI adapter (dist/adapters/cgi.js, from a
 * checkout Apache's user can reach) and the
 * echo handler, adding the CGI variables the tests look at.
 */
export function writeCgiProbe(path: string): void {
  const adapter = pathToFileURL(join(webRoot(), 'dist/adapters/cgi.js')).href;
  writeFileSync(path, `#!/usr/bin/env node
import(${JSON.stringify(adapter)}).then(async ({ serveCgi }) => {
  const names = ['CONTENT_LENGTH', 'HTTP_PROXY', 'HTTP_TRANSFER_ENCODING', 'SCRIPT_NAME', 'PATH_INFO', 'REQUEST_URI'];
  const env = Object.fromEntries(names.map((name) => [name, process.env[name] ?? null]));
  await serveCgi(async (req) => {
    let bytes = 0;
    for await (const chunk of req.body) bytes += chunk.length;
    const { method, path, baseUrl, remoteAddress, headers } = req;
    const body = JSON.stringify({ method, path, baseUrl, remoteAddress, headers, bytes, env });
    return { status: 200, headers: { 'content-type': 'application/json' }, body };
  }, process.env, process.stdin, process.stdout, (error) => console.error(error));
});
`);
  chmodSync(path, 0o755);
}
