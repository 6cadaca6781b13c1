import type { Fixture } from '../helpers/fixture.js';
import { jsonOrUndefined, multipart } from '../helpers/http.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { scopedToken } from '../helpers/tokens.js';

export interface CgiOptions {
  /** What runs as the CGI script: cgi-bin/bdfu, or the single executable. */
  script?: string;
  /** More of the environment the web server would pass (a secret, to check the hook never sees it). */
  env?: Record<string, string>;
}

/** One CGI request with the fixture's settings, as a web server makes it: status, body, exit code, log. */
export async function cgiRequest(fixture: Fixture, env: Record<string, string>, input: Buffer | string = '', options: CgiOptions = {}) {
  const res = await run(options.script ?? CGI_SCRIPT, [], {
    env: { PATH: process.env.PATH, GATEWAY_INTERFACE: 'CGI/1.1', BDFU_SETTINGS: fixture.config, ...options.env, ...env },
    input,
  });
  const [head = '', ...rest] = res.stdout.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  return { status: Number(/^Status: (\d+)/.exec(head)?.[1]), json: jsonOrUndefined(body), body, code: res.code, stderr: res.stderr };
}

/** A multipart upload of one file through CGI, with a token of `scope` for `user`. */
export async function cgiUpload(fixture: Fixture, user: string, name: string, data: string, scope = 'upload', options: CgiOptions = {}) {
  const { body, contentType } = multipart([{ name: 'file', filename: name, data }]);
  const token = await scopedToken(user, fixture.secret, scope);
  return cgiRequest(fixture, {
    REQUEST_METHOD: 'POST', PATH_INFO: '/upload', SCRIPT_NAME: '/cgi-bin/bdfu', CONTENT_TYPE: contentType,
    CONTENT_LENGTH: String(body.length), HTTP_AUTHORIZATION: `Bearer ${token}`,
  }, body, options);
}
