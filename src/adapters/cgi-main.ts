import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { logToStderr as log } from '../assembly/app.js';
import { assemble } from '../assembly/start.js';
import { configFailure } from '../core/config-failure.js';
import { HttpError } from '../core/http-error.js';
import { errorResponse } from '../core/respond.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load.js';
import { mapStorageErrors } from '../routes/storage-failure.js';
import type { StorageBackend } from '../storage/backend.js';
import { serveCgi, type CgiEnv } from './cgi.js';
import { oneIn } from './one-in.js';

const CONFIG_NAMES = ['bdfu.cfg', 'bdfu.json'];

/** BDFU_SETTINGS, or a bdfu.cfg / bdfu.json beside the script. */
export function findCgiConfig(env: CgiEnv, scriptDir: string | undefined): string | undefined {
  if (env.BDFU_SETTINGS) return env.BDFU_SETTINGS;
  if (!scriptDir) return undefined;
  return CONFIG_NAMES.map((name) => join(scriptDir, name)).find((path) => existsSync(path));
}

const GRACE_MS = 2000;

/**
 * mod_cgi ends the script of a client that went away with SIGTERM (and SIGKILL 3 s later).
 * Dying at once would leave the upload's temporary file behind: fail the body instead, so the
 * upload is discarded as for any body that ends early, then exit.
 */
function abortOnTermination(): void {
  process.once('SIGTERM', () => {
    process.stdin.destroy(new Error('the web server ended the request (SIGTERM)'));
    setTimeout(() => process.exit(143), GRACE_MS).unref();
  });
  // The client is gone: an answer that cannot be written is not an error worth a crash.
  process.stdout.on('error', () => undefined);
}

/** A start-up failure the client may see only in general terms (storage_unwritable names a path and a user). */
function withoutDetail(error: unknown): unknown {
  if (!(error instanceof HttpError) || error.status < 500) return error;
  return new HttpError(error.status, error.code, `${error.code === 'storage_unwritable' ? 'the storage directory is not writable by the user bdfu runs as' : 'bdfu cannot start'}; the details are in the server’s error log`,
    { cause: error.message });
}

/** The whole life of a CGI process: one request, then exit. */
export async function runCgi(scriptDir?: string, env: CgiEnv = process.env): Promise<void> {
  abortOnTermination();
  let app: Parameters<typeof serveCgi>[0] & { settled?: () => Promise<void> };
  let backend: StorageBackend | undefined;
  const chores: Array<() => Promise<unknown>> = [];
  try {
    const { settings } = loadConfig({ file: findCgiConfig(env, scriptDir), env });
    const assembled = await assemble(settings, { log, oneShot: true });
    app = assembled.app;
    const opened = (backend = assembled.backend);
    if (oneIn(settings.cgiSweepOneIn)) {
      chores.push(async () => (await import('../sharing/sweep-backend.js')).sweepAll(opened));
    }
    if (oneIn(settings.cgiAnonymizeOneIn)) {
      chores.push(async () => (await import('../audit/auto.js')).autoAnonymize(settings, opened.audit, log));
    }
  } catch (error) {
    // The client learns what is wrong, never a setting's value or a path: the detail goes to the error log.
    const failure = error instanceof ConfigError ? configFailure(error.message) : withoutDetail(mapStorageErrors(error));
    app = async () => errorResponse(failure, log);
  }
  await serveCgi(app, env, process.stdin, process.stdout, log);
  // The answer is written (its Content-Length lets the client finish); after-hooks go out before the process ends.
  await app.settled?.();
  for (const chore of chores) await chore().catch(log);
  // The web server waits for the script to exit: idle connections (PostgreSQL's pool, S3's
  // keep-alive sockets) would keep the process, and the request, alive until they time out.
  await backend?.close().catch(log);
}
