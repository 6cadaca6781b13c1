import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHILD_PATH } from './child-env.js';

export interface CgiHostOptions {
  /** The CGI program and its arguments, e.g. [cgi-bin/bdfu]. */
  command: string[];
  env?: NodeJS.ProcessEnv;
  scriptName?: string;
  /** Like Apache without CGIPassAuth: the script never sees Authorization. */
  dropAuthorization?: boolean;
}

export interface CgiHost {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** RFC 3875 meta-variables for one request, as a web server would set them. */
function metaVariables(req: IncomingMessage, options: CgiHostOptions, scriptName: string, pathInfo: string, query: string): NodeJS.ProcessEnv {
  const local = req.socket.address() as AddressInfo;
  const env: NodeJS.ProcessEnv = {
    PATH: CHILD_PATH,
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: 'bdfu-test-cgi-host',
    SERVER_NAME: '127.0.0.1',
    SERVER_PORT: String(local.port),
    REQUEST_METHOD: req.method,
    SCRIPT_NAME: scriptName,
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    REMOTE_ADDR: req.socket.remoteAddress,
    ...options.env,
  };
  if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-type'] !== undefined) env.CONTENT_TYPE = req.headers['content-type'];
  // Repeated headers joined with ", " as Apache does (Node's req.headers would keep one Authorization).
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (name === 'content-length' || name === 'content-type' || values === undefined) continue;
    if (name === 'authorization' && options.dropAuthorization) continue;
    env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = values.join(', ');
  }
  return env;
}

/** A minimal web server that runs a CGI script per request, as Apache's mod_cgi does. */
export async function startCgiHost(options: CgiHostOptions): Promise<CgiHost> {
  const scriptName = options.scriptName ?? '/cgi-bin/bdfu';
  const server = createServer((req, res) => {
    // The target as sent, not normalised: PATH_INFO may carry whatever a client put in the URL.
    const target = req.url ?? '/';
    const cut = target.indexOf('?');
    const pathname = cut < 0 ? target : target.slice(0, cut);
    if (!pathname.startsWith(scriptName)) {
      res.writeHead(404).end();
      return;
    }
    // Decoded as a web server does; NUL cannot go into the environment, so it stays encoded.
    let pathInfo: string;
    try {
      pathInfo = decodeURIComponent(pathname.slice(scriptName.length).replace(/%00/g, '%2500'));
    } catch {
      pathInfo = pathname.slice(scriptName.length);
    }
    const env = metaVariables(req, options, scriptName, pathInfo, cut < 0 ? '' : target.slice(cut + 1));
    const child = spawn(options.command[0]!, options.command.slice(1), { env, stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.on('error', () => undefined);
    req.pipe(child.stdin);
    // A client that goes away mid-body: the script sees its stdin end early.
    req.on('aborted', () => child.stdin.end());
    req.on('error', () => child.stdin.end());

    let head = Buffer.alloc(0);
    let headDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf('\r\n\r\n');
      const lf = head.indexOf('\n\n');
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
      if (end < 0) return;
      const rest = head.subarray(end + (end === crlf ? 4 : 2));
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers[name] = value;
      }
      if (headers.Location && status === 200) status = 302;
      headDone = true;
      res.writeHead(status, headers);
      if (rest.length) res.write(rest);
    });
    child.on('close', (code) => {
      if (!headDone) {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`CGI script exited with ${code} without a complete response: ${head.toString()}`);
      } else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${scriptName}/`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
