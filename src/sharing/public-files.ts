import type { Records } from '../storage/records.js';
import { claimKey } from './claim.js';
import { claimNewId, SHORT_ID_LENGTH } from './ids.js';

/** short id → the file; written first, so a short id is never handed out twice. */
const SHORT_IDS = 'public-files';
/** `<owner>/<file id>` → its short id: the mark itself. Removing it unpublishes at once. */
const MARKS = 'public-marks';

interface ShortIdEntry {
  owner: string;
  file: string;
}

interface Mark {
  short: string;
}

/** Marks a file public; the same short id when it already is. */
export async function publish(records: Records, owner: string, file: string): Promise<string> {
  const existing = await records.get<Mark>(MARKS, `${owner}/${file}`);
  if (existing) return existing.short;
  const short = await claimNewId(SHORT_ID_LENGTH, (id) => claimKey<ShortIdEntry>(records, SHORT_IDS, id, { owner, file }));
  const mark = await records.update<Mark>(MARKS, `${owner}/${file}`, (current) => current ?? { short });
  // Another publish of the same file won the race: its short id stands, ours goes.
  if (mark!.short !== short) await records.remove(SHORT_IDS, short);
  return mark!.short;
}

/** Unmarks a file: both its links are 404 from this moment. False when it was not public. */
export async function unpublish(records: Records, owner: string, file: string): Promise<boolean> {
  const mark = await records.get<Mark>(MARKS, `${owner}/${file}`);
  if (!mark) return false;
  await records.remove(MARKS, `${owner}/${file}`);
  await records.remove(SHORT_IDS, mark.short);
  return true;
}

export async function shortIdOf(records: Records, owner: string, file: string): Promise<string | undefined> {
  return (await records.get<Mark>(MARKS, `${owner}/${file}`))?.short;
}

/** The public file behind a short id: only while its mark still names that id. */
export async function resolveShortId(records: Records, short: string): Promise<ShortIdEntry | undefined> {
  const entry = await records.get<ShortIdEntry>(SHORT_IDS, short);
  if (!entry) return undefined;
  return (await shortIdOf(records, entry.owner, entry.file)) === short ? entry : undefined;
}

/** The owner's public files: file id → short id. */
export async function publicFilesOf(records: Records, owner: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const { key, value } of records.list<Mark>(MARKS, `${owner}/`)) files.set(key.slice(owner.length + 1), value.short);
  return files;
}
