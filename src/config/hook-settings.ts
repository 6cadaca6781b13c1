import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HookEventName } from '../hooks/types.js';
import { ConfigError } from './config-error.js';
import type { Settings } from './settings.js';

export const HOOK_EVENT_NAMES = ['authorize', 'beforeCommit', 'afterUpload', 'afterDownload', 'afterDelete', 'afterShare'] as const satisfies readonly HookEventName[];

const MIN_SECRET = 16;

/** Whether a command or a webhook gets events (in-process hooks are the library's own business). */
export function outOfProcessHooks(settings: Settings): boolean {
  return settings.hookCommand !== '' || settings.hookUrl !== '';
}

/** An executable command, an http(s) URL with a long enough secret, known event names. */
export function checkHookSettings(settings: Settings): void {
  const unknown = settings.hookEvents.filter((name) => !(HOOK_EVENT_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(`HOOK_EVENTS: unknown event ${unknown.join(', ')}; choose from ${HOOK_EVENT_NAMES.join(', ')}`);
  }
  if (settings.hookCommand !== '') {
    settings.hookCommand = resolve(settings.hookCommand);
    try {
      if (!statSync(settings.hookCommand).isFile()) throw new Error('not a file');
      accessSync(settings.hookCommand, constants.X_OK);
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigError(`HOOK_COMMAND ${settings.hookCommand} is not an executable file (${why})`);
    }
  }
  if (settings.hookUrl !== '') {
    let url: URL;
    try {
      url = new URL(settings.hookUrl);
    } catch {
      throw new ConfigError(`HOOK_URL must be an http or https URL, got ${JSON.stringify(settings.hookUrl)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`HOOK_URL must be an http or https URL, got ${url.protocol} one`);
    if (url.username !== '' || url.password !== '') throw new ConfigError('HOOK_URL must not carry a user name or password: requests are signed with HOOK_SECRET');
    if (settings.hookSecret.length < MIN_SECRET) {
      throw new ConfigError(`HOOK_URL needs HOOK_SECRET, at least ${MIN_SECRET} characters, to sign its requests with (a receiver must be able to tell bdfu from anyone else)`);
    }
  } else if (settings.hookSecret !== '') {
    throw new ConfigError('HOOK_SECRET is set but HOOK_URL is not: set both, or neither');
  }
}
