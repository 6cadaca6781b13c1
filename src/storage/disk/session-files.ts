import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionMeta } from '../sessions.js';

/**
 * A resumable session's files, in its user's directory beside the finished files (every process
 * on the host sees them): `.session-<id>.json` its state, `.session-<id>.part` the bytes that
 * reached storage, `.session-<id>.lock` the one writer's lock. Once complete, the part is renamed
 * to `<id>` (the file id is the session id) next to its record `.<id>.json`, as a whole upload's.
 */
export const SESSION_PREFIX = '.session-';

export const sessionPaths = (dir: string, id: string) => ({
  state: join(dir, `${SESSION_PREFIX}${id}.json`),
  part: join(dir, `${SESSION_PREFIX}${id}.part`),
  lock: join(dir, `${SESSION_PREFIX}${id}.lock`),
  /** Taken for the moment a stale lock is replaced, so two takers cannot both replace it. */
  takeover: join(dir, `${SESSION_PREFIX}${id}.takeover`),
  file: join(dir, id),
  /** The finished file's record: the name FsStore reads. */
  record: join(dir, `.${id}.json`),
});

/** The id of a session file's name, or undefined for other names. */
export function sessionIdOf(name: string): string | undefined {
  const match = /^\.session-([0-9a-f]{32})\.(?:json|part|lock|takeover)$/.exec(name);
  return match?.[1];
}

export const isSessionState = (name: string) => name.startsWith(SESSION_PREFIX) && name.endsWith('.json');

/** What `.session-<id>.json` holds. */
export interface SessionState {
  id: string;
  user: string;
  length?: number;
  meta: SessionMeta;
  created: string;
  expires: string;
  partial: boolean;
  /** Bytes held against the user's quota: the length once known, else what arrived so far (or was granted for an append). */
  held: number;
  file?: import('../store.js').FileRecord;
}

/**
 * What a session holds against its user's quota; undefined when it holds nothing (finished,
 * unreadable). A deferred-length session holds more than it received only while a live writer
 * appends (the room granted to that append): once the writer is gone, only what arrived counts.
 */
export async function sessionHold(statePath: string, ownerGone: (owner: { pid: number; host: string }) => boolean): Promise<{ bytes: number } | undefined> {
  let state: SessionState;
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as SessionState;
  } catch {
    return undefined;
  }
  if (state.file || typeof state.held !== 'number') return undefined;
  if (state.length !== undefined) return { bytes: state.held };
  const base = statePath.slice(0, -'.json'.length);
  let writer: { pid: number; host: string } | undefined;
  try {
    writer = JSON.parse(await readFile(`${base}.lock`, 'utf8')) as { pid: number; host: string };
  } catch (error) {
    // A lock still being written counts as live; no lock, or an unreadable one's absence, as none.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { bytes: state.held };
  }
  if (writer && !ownerGone(writer)) return { bytes: state.held };
  const arrived = await stat(`${base}.part`).then((info) => info.size, () => 0);
  return { bytes: Math.min(state.held, arrived) };
}
