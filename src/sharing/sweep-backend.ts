import type { StorageBackend } from '../storage/backend.js';
import { systemClock, type Clock } from './clock.js';
import { sweepExpired, type SweptFile } from './retention.js';

/** The storage's own sweep (crashed uploads, stale sessions), then the files past their retention. */
export async function sweepAll(backend: StorageBackend, now: Clock = systemClock): Promise<{ stale: number; expired: SweptFile[] }> {
  const stale = await backend.sweep();
  const expired = await sweepExpired(backend.records, backend.files, backend.audit, now);
  return { stale, expired };
}
