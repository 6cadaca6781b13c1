import { startServer } from '../adapters/node-server.js';
import { ConfigError } from '../config/config-error.js';
import { DEFAULT_STORAGE_DIR, embeddedSecret } from '../config/embedded-default.js';
import { loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { HttpError } from '../core/http-error.js';
import { StorageError } from '../storage/errors.js';
import { CliError } from './fail.js';
import { startScavenger } from './scavenger.js';
import { selfCommand, shellPath } from './self-command.js';

export async function serve(configuration: string | undefined, options: { ip?: string; port?: number }): Promise<void> {
  const env = process.env;
  const overrides: Partial<Settings> = {};
  if (options.ip !== undefined) overrides.host = options.ip;
  if (options.port !== undefined) overrides.port = options.port;

  const embedded = !configuration && !env.BDFU_SETTINGS && !env.BDFU_JWT_SECRET_KEY && !env.BDFU_JWT_PUBLIC_KEYS && !env.BDFU_JWT_JWKS_FILE;
  let secretFile: string | undefined;
  let settings: Settings;
  try {
    const fallbacks: Partial<Settings> = {};
    if (embedded) {
      const storageDir = env.BDFU_STORAGE_DIR || DEFAULT_STORAGE_DIR;
      const made = embeddedSecret(storageDir);
      secretFile = made.file;
      Object.assign(fallbacks, { storageDir, jwtSecretKey: made.secret });
      if (made.created) process.stderr.write(`bdfu: made a new random secret in ${made.file} (mode 0600)\n`);
    }
    const loaded = loadConfig({ file: configuration, overrides, fallbacks });
    for (const warning of loaded.warnings) process.stderr.write(`bdfu: warning: ${warning}\n`);
    settings = loaded.settings;
  } catch (error) {
    if (error instanceof ConfigError || (error as NodeJS.ErrnoException).code) throw new CliError((error as Error).message);
    throw error;
  }

  let running;
  try {
    running = await startServer(settings);
    startScavenger();
  } catch (error) {
    if (error instanceof HttpError || error instanceof ConfigError || error instanceof StorageError) throw new CliError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`${settings.host}:${settings.port} is already in use (pick another with --port)`);
    if (code === 'EACCES') throw new CliError(`not allowed to listen on ${settings.host}:${settings.port} (ports below 1024 need root)`);
    throw error;
  }
  let banner = `bdfu: serving ${running.url} (storage: ${settings.storageDir})\n`;
  if (secretFile) {
    banner += `bdfu: make a token with: ${selfCommand()} gen-token --expires-in 3600 alice -- "$(cat ${shellPath(secretFile)})"\n`;
  }
  process.stdout.write(banner);

  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`bdfu: ${signal}: finishing requests in flight, then stopping\n`);
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
