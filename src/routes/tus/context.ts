import { authenticate } from '../../auth/authenticate.js';
import { authorize } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import { HttpError } from '../../core/http-error.js';
import type { CoreRequest } from '../../core/types.js';
import type { Capabilities } from '../../storage/capabilities.js';
import { isStorageError } from '../../storage/errors.js';
import type { ResumableSessions, Session } from '../../storage/sessions.js';
import type { FileRecord, Quota } from '../../storage/store.js';
import type { RouteDeps } from '../deps.js';
import { tusFailure } from './failure.js';
import { checkVersion, isUploadId } from './protocol.js';

/** What every tus handler works with, built once per app. */
export interface TusContext {
  deps: RouteDeps;
  sessions: ResumableSessions | undefined;
  capabilities: Capabilities | undefined;
  quota: Quota;
}

export function tusContext(deps: RouteDeps): TusContext {
  const { settings } = deps;
  return {
    deps,
    sessions: deps.backend?.capabilities.sessions ? deps.backend.sessions : undefined,
    capabilities: deps.backend?.capabilities,
    quota: { bytes: settings.quotaBytes, files: settings.quotaFiles },
  };
}

/** The tus extensions that work on this backend, for Tus-Extension. */
export function extensions(context: TusContext): string[] {
  if (!context.sessions) return [];
  const list = ['creation', 'creation-with-upload', 'creation-defer-length', 'termination', 'expiration', 'checksum'];
  if (context.capabilities?.concatenation) list.push('concatenation');
  return list;
}

export function sessionsOf(context: TusContext): ResumableSessions {
  if (!context.sessions) throw new HttpError(404, 'tus_unavailable', 'resumable (tus) uploads are not available on this storage backend');
  return context.sessions;
}

/** The largest upload this principal may make: MAX_UPLOAD_SIZE, lowered by the token's max_size. */
export function maxBytes(context: TusContext, principal?: Principal): number {
  return Math.min(context.deps.settings.maxUploadSize, principal?.maxSize ?? Infinity);
}

/** Version first (412 before anything is processed), then the token, with the upload scope. */
export async function admit(context: TusContext, req: CoreRequest): Promise<Principal> {
  checkVersion(req.headers);
  const principal = await authenticate(req, context.deps.verify);
  authorize(principal, 'upload', { owner: principal.user });
  return principal;
}

/** An upload as its owner (or an admin) may see it: its live session, or only the file it became. */
export interface Found {
  owner: string;
  session?: Session;
  file?: FileRecord;
}

/**
 * The upload `id` of the principal (an admin's: of whoever owns it). Another user's upload is
 * 404, exactly as one that does not exist.
 */
export async function findUpload(context: TusContext, principal: Principal, id: string): Promise<Found> {
  const sessions = sessionsOf(context);
  const notFound = new HttpError(404, 'upload_not_found', 'no such upload');
  if (!isUploadId(id)) throw notFound;
  const lookUp = async (owner: string): Promise<Found | undefined> => {
    const session = await sessions.get(owner, id);
    if (session) return { owner, session, ...(session.file ? { file: session.file } : {}) };
    const file = await context.deps.store.stat(owner, id);
    return file ? { owner, file } : undefined;
  };
  try {
    const own = await lookUp(principal.user);
    if (own) return own;
    if (principal.scopes.has('admin')) {
      for await (const user of context.deps.store.users()) {
        if (user === principal.user) continue;
        const found = await lookUp(user);
        if (found) return found;
      }
    }
  } catch (error) {
    throw tusFailure(error);
  }
  throw notFound;
}

/** Runs a tus handler: its refusals carry Tus-Resumable too, and storage failures become tus statuses. */
export async function tusAnswer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // Refusals, storage errors and the disk's errnos get their tus answer; anything else is a
    // bug, left for the core to log as a 500.
    const errno = typeof (error as NodeJS.ErrnoException | undefined)?.code === 'string' && (error as NodeJS.ErrnoException).syscall !== undefined;
    if (error instanceof HttpError || isStorageError(error) || errno) throw tusFailure(error);
    throw error;
  }
}
