import type { AuditSink } from '../audit/sink.js';
import { forgetParts } from '../storage/concatenated-parts.js';
import type { Records } from '../storage/records.js';
import type { Store } from '../storage/store.js';
import type { Clock } from './clock.js';
import { forgetLinksOf } from './links.js';
import { unpublish } from './public-files.js';
import { dropExpiry, type Expiry, RETENTION } from './expiry-records.js';

export interface SweptFile {
  owner: string;
  file: string;
  expires: string;
}

/** A file that is gone takes every record about it along: its public mark, links, expiry and tus parts list. */
export async function forgetRecordsOf(records: Records, owner: string, file: string): Promise<void> {
  await unpublish(records, owner, file);
  await forgetLinksOf(records, owner, file);
  await dropExpiry(records, owner, file);
  await forgetParts(records, owner, file);
}

/**
 * Deletes every file whose time has come (its links, public mark and expiry go with it), writes
 * an `expire` line per file to the audit trail, and returns what it deleted.
 */
export async function sweepExpired(records: Records, store: Store, audit: AuditSink, now: Clock): Promise<SweptFile[]> {
  const at = now();
  const due: SweptFile[] = [];
  for await (const { key, value } of records.list<Expiry>(RETENTION)) {
    if (Date.parse(value.expires) > at) continue;
    const slash = key.indexOf('/');
    due.push({ owner: key.slice(0, slash), file: key.slice(slash + 1), expires: value.expires });
  }
  const swept: SweptFile[] = [];
  for (const item of due) {
    const record = await store.stat(item.owner, item.file);
    const removed = await store.remove(item.owner, item.file);
    await forgetRecordsOf(records, item.owner, item.file);
    if (!removed) continue;
    swept.push(item);
    await audit.append({
      time: new Date(at).toISOString(), user: null, address: null, action: 'expire', owner: item.owner, outcome: 'ok',
      id: item.file, ...(record ? { name: record.name, bytes: record.size } : {}),
    });
  }
  return swept;
}
