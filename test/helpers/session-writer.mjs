// A separate process appending its stdin to a disk resumable session, as a CGI request would.
// node session-writer.mjs STORAGE_DIR USER SESSION_ID OFFSET [QUOTA_BYTES]
// Prints the session's JSON when the append succeeded; the tests kill it midway.
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../dist/storage/disk/sessions.js', import.meta.url));
const { DiskSessions } = await import(dist);
const [storageDir, user, id, offset, quotaBytes] = process.argv.slice(2);
const sessions = new DiskSessions(storageDir, { lockTtlMs: 600_000 });
const session = await sessions.append(user, id, Number(offset), process.stdin, { quota: { bytes: Number(quotaBytes ?? 0), files: 0 }, maxBytes: 2 ** 40 });
process.stdout.write(JSON.stringify(session) + '\n');
