import { HttpError } from './http-error.js';

/** All a client learns of a broken configuration: no setting, value or path. */
export const CONFIG_ERROR_MESSAGE = 'bdfu is misconfigured; the details are in the server’s error log';

/** A configuration problem as a client's 500; the detail (never a secret's value) is logged by respond.ts. */
export function configFailure(detail: string): HttpError {
  return new HttpError(500, 'config_error', CONFIG_ERROR_MESSAGE, { cause: `bdfu is misconfigured: ${detail}` });
}
