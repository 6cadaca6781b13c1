import type { HookEventName } from './types.js';

/** What one hook said: yes, or no with a reason (and, for authorize, a status). */
export type HookAnswer = { ok: true } | { ok: false; reason: string; status?: number };

/** One place hook events go: the library's functions, the command, or the webhook. */
export interface HookSource {
  readonly via: 'library' | 'command' | 'url';
  handles(name: HookEventName): boolean;
  /** Failed after-event deliveries are tried again (with back-off) only where this is set. */
  readonly retries: boolean;
  /**
   * Asks about (before-events) or tells of (after-events) one event. `event` is what in-process
   * hooks get, `wire` the JSON the others get. Throws when no answer came (crash, timeout).
   */
  call(name: HookEventName, event: unknown, wire: Record<string, unknown>, atMostMs?: number): Promise<HookAnswer>;
}

const REASON_MAX = 200;

/** The first non-empty line of what a command printed or a webhook answered, kept short. */
export function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length > REASON_MAX ? `${trimmed.slice(0, REASON_MAX)}…` : trimmed;
}

/** Rejects after `ms`; the timer never keeps a process alive. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
