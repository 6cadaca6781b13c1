import type { Settings } from '../config/settings.js';
import type { AuditEntry } from '../audit/entry.js';
import { librarySource } from './library.js';
import { createHookRunner } from './runner.js';
import type { HookSource } from './source.js';
import type { HookRunner, Hooks } from './types.js';

/** Waits between failed deliveries of an after-event to a webhook: four attempts in all. */
export const RETRY_DELAYS_MS = [1000, 2000, 4000] as const;

export interface HookIo {
  audit(entry: AuditEntry): Promise<void>;
  log(error: unknown): void;
  /** The process ends after this request (CGI): after-events get HOOK_TIMEOUT_SECONDS in all. */
  oneShot?: boolean;
}

/** The library's hooks, then HOOK_COMMAND, then HOOK_URL; each loaded only when configured. */
export async function buildHookRunner(settings: Settings, hooks: Hooks | undefined, io: HookIo): Promise<HookRunner> {
  const timeoutMs = settings.hookTimeoutSeconds * 1000;
  const events = new Set(settings.hookEvents);
  const sources: HookSource[] = [];
  if (hooks) sources.push(librarySource(hooks, timeoutMs));
  if (settings.hookCommand !== '') sources.push((await import('./command.js')).commandSource(settings.hookCommand, events, timeoutMs));
  if (settings.hookUrl !== '') sources.push((await import('./webhook.js')).webhookSource(settings.hookUrl, settings.hookSecret, events, timeoutMs));
  return createHookRunner(sources, {
    audit: io.audit,
    log: io.log,
    retryDelaysMs: RETRY_DELAYS_MS,
    ...(io.oneShot ? { afterBudgetMs: timeoutMs } : {}),
  });
}
