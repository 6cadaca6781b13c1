import { HttpError } from '../core/http-error.js';

export const README_AUTH_SECTION = "the section 'Passing the Authorization header' of bdfu's README";

export function unauthorized(code: string, message: string, described = true): HttpError {
  const challenge = described
    ? `Bearer realm="bdfu", error="invalid_token", error_description="${message.replace(/["\\]/g, "'")}"`
    : 'Bearer realm="bdfu"';
  return new HttpError(401, code, message, { headers: { 'www-authenticate': challenge } });
}

/** The token from `Authorization: Bearer <jwt>` (or the original's `JWT <jwt>`). */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined) {
    throw unauthorized(
      'token_missing',
      "no Authorization header: send 'Authorization: Bearer <token>'. If you did send one, the web server in " +
        "front of bdfu is dropping it: under Apache, put 'CGIPassAuth On' in the script's <Directory> or .htaccess " +
        `(also for a plain cgi-bin/), or see ${README_AUTH_SECTION}`,
      false,
    );
  }
  const value = authorization.trim();
  if (value === '') throw unauthorized('token_missing', 'the Authorization header is empty', false);
  const match = /^(?:Bearer|JWT)[ \t]+([A-Za-z0-9\-_.~+/]+=*)$/i.exec(value);
  if (!match) throw unauthorized('token_malformed', "the Authorization header must be 'Bearer <token>'");
  return match[1]!;
}
