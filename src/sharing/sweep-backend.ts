import type { StorageBackend } from '../storage/backend.js';
import { systemClock, type Clock } from './clock.js';
import { sweepExpired, type SweptFile } from './retention.js';

/** How often `bdfu serve` deletes expired files. */
export const RETENTION_SWEEP_MS = 60_000;

export function sweepRetention(backend: StorageBackend, now: Clock = systemClock): Promise<SweptFile[]> {
  return sweepExpired(backend.records, backend.files, backend.audit, now);
}

/** The storage's own sweep (crashed uploads, stale sessions), then the files past their retention. */
export async function sweepAll(backend: StorageBackend, now: Clock = systemClock): Promise<{ stale: number; expired: SweptFile[] }> {
  const stale = await backend.sweep();
  const expired = await sweepExpired(backend.records, backend.files, backend.audit, now);
  return { stale, expired };
}
