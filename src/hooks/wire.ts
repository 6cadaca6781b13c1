import { randomUUID } from 'node:crypto';
import type { FileRecord } from '../storage/store.js';
import type { AfterEvent, AfterShareEvent, AuthorizeEvent, BeforeCommitEvent, HookEventName } from './types.js';

function visible(record: FileRecord): Omit<FileRecord, 'downloadTokenHash'> {
  const { downloadTokenHash: _hidden, ...rest } = record;
  return rest;
}

/**
 * The JSON a command or a webhook gets: `event`, a `delivery` id (the same on every retry, so a
 * receiver can drop a repeat), `time`, then the event's own fields.
 */
export function wireEvent(name: HookEventName, event: AuthorizeEvent | BeforeCommitEvent | AfterEvent | AfterShareEvent): Record<string, unknown> {
  const head = { event: name, delivery: randomUUID(), time: new Date().toISOString() };
  if (name === 'authorize') {
    const { principal, action, resource, request } = event as AuthorizeEvent;
    return {
      ...head,
      user: principal?.user ?? null,
      scopes: principal ? [...principal.scopes] : [],
      action,
      resource,
      request: { method: request.method, path: request.path, address: request.remoteAddress },
    };
  }
  if (name === 'beforeCommit') return { ...head, ...(event as BeforeCommitEvent) };
  const { user, record, ...extra } = event as AfterShareEvent;
  return { ...head, user, record: visible(record), ...extra };
}
