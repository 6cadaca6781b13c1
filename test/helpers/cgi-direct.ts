import { spawn } from 'node:child_process';
import { CGI_SCRIPT } from './paths.js';
import { CHILD_PATH } from './child-env.js';

export interface CgiReply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
  stderr: string;
  exitCode: number | null;
}

/**
 * Runs cgi-bin/bdfu (or another copy of it) once with exactly this environment (plus PATH) and stdin, as a web server
 * would, and parses what it writes: `Status:` line, headers, body.
 */
export function runCgi(env: Record<string, string>, stdin: Buffer | string = '', options: { closeStdinAfter?: number; script?: string } = {}): Promise<CgiReply> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.script ?? CGI_SCRIPT, [], { env: { PATH: CHILD_PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    const input = Buffer.from(stdin);
    child.stdin.end(options.closeStdinAfter === undefined ? input : input.subarray(0, options.closeStdinAfter));
    child.on('close', (exitCode) => {
      const data = Buffer.concat(out);
      const end = data.indexOf('\r\n\r\n');
      const head = data.subarray(0, end < 0 ? data.length : end).toString('latin1');
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const text = end < 0 ? '' : data.subarray(end + 4).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      resolve({ status: Number((headers.status ?? '').split(' ')[0]), headers, text, json, stderr: Buffer.concat(err).toString(), exitCode });
    });
  });
}
