import type { Records } from '../storage/records.js';
import { claimKey } from './claim.js';
import type { Clock } from './clock.js';
import { claimNewId, LINK_ID, LINK_ID_LENGTH } from './ids.js';
import { Refusal } from './refusal.js';

const REQUESTS = 'file-requests';
const BY_OWNER = 'file-requests-by-owner';

/** An upload link: whoever holds it may put up to `maxFiles` files of `maxBytes` each into the owner's area. */
export interface FileRequest {
  id: string;
  owner: string;
  created: string;
  expires: string;
  maxFiles: number;
  maxBytes: number;
  /** Uploads taken (started or done); a failed one is given back. */
  uploads: number;
  note: string;
  passwordHash?: string;
  revoked?: string;
}

export type RequestState = 'active' | 'revoked' | 'expired' | 'full';

export function requestState(request: FileRequest, at: number): RequestState {
  if (request.revoked) return 'revoked';
  if (Date.parse(request.expires) <= at) return 'expired';
  if (request.uploads >= request.maxFiles) return 'full';
  return 'active';
}

export type NewFileRequest = Omit<FileRequest, 'id' | 'created' | 'uploads' | 'revoked'>;

export async function createFileRequest(records: Records, wanted: NewFileRequest, now: Clock): Promise<FileRequest> {
  const created = new Date(now()).toISOString();
  const made = (id: string): FileRequest => ({ id, ...wanted, created, uploads: 0 });
  const id = await claimNewId(LINK_ID_LENGTH, (id) => claimKey(records, REQUESTS, id, made(id)));
  await records.update(BY_OWNER, `${wanted.owner}/${id}`, () => ({}));
  return made(id);
}

export function getFileRequest(records: Records, id: string): Promise<FileRequest | undefined> {
  return records.get<FileRequest>(REQUESTS, id);
}

/** Takes one upload slot atomically (never more than maxFiles, whatever races); a Refusal names the state. */
export async function takeUploadSlot(records: Records, id: string, now: Clock): Promise<FileRequest> {
  const at = now();
  const taken = await records.update<FileRequest>(REQUESTS, id, (request) => {
    if (!request) throw new Refusal('missing');
    const state = requestState(request, at);
    if (state !== 'active') throw new Refusal(state);
    return { ...request, uploads: request.uploads + 1 };
  });
  return taken!;
}

export async function giveBackUploadSlot(records: Records, id: string): Promise<void> {
  await records.update<FileRequest>(REQUESTS, id, (request) => (request ? { ...request, uploads: Math.max(0, request.uploads - 1) } : undefined));
}

export async function revokeFileRequest(records: Records, owner: string, id: string, now: Clock): Promise<FileRequest | undefined> {
  if (!LINK_ID.test(id)) throw new Refusal('missing');
  return records.update<FileRequest>(REQUESTS, id, (request) => {
    if (!request || request.owner !== owner) throw new Refusal('missing');
    return request.revoked ? request : { ...request, revoked: new Date(now()).toISOString() };
  });
}

export async function listFileRequests(records: Records, owner: string): Promise<FileRequest[]> {
  const found: FileRequest[] = [];
  for await (const { key } of records.list(BY_OWNER, `${owner}/`)) {
    const request = await getFileRequest(records, key.slice(owner.length + 1));
    if (request && request.owner === owner) found.push(request);
  }
  return found.sort((a, b) => b.created.localeCompare(a.created) || a.id.localeCompare(b.id));
}
