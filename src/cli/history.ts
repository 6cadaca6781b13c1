import { documentPathProblem } from '../storage/document-path.js';
import type { Documents } from '../storage/documents.js';
import type { StorageBackend } from '../storage/backend.js';
import { restoreDocumentVersion, restoreRefusal } from '../storage/restore-version.js';
import { userNameProblem } from '../storage/user-name.js';
import { CliError } from './fail.js';
import { withBackend } from './local-backend.js';
import { printable } from './target.js';

function documentsOf(backend: StorageBackend): Documents {
  if (!backend.capabilities.documents || !backend.documents) throw new CliError('this storage backend keeps no documents');
  return backend.documents;
}

function checkTarget(user: string, path: string): void {
  const userProblem = userNameProblem(user);
  if (userProblem) throw new CliError(`the user name ${JSON.stringify(user)} ${userProblem}`);
  const problem = documentPathProblem(path);
  if (problem) throw new CliError(`the document path ${JSON.stringify(path)} ${problem}`);
}

/** `bdfu history <user> <path>`: a document's versions, newest first (the current one too). */
export async function showHistory(user: string, path: string, options: { configuration?: string; json?: boolean }): Promise<void> {
  checkTarget(user, path);
  const versions = await withBackend(options.configuration, (backend) => documentsOf(backend).history(user, path));
  if (versions.length === 0) throw new CliError(`${user} has no document ${path}, and never had`);
  if (options.json) {
    process.stdout.write(JSON.stringify({ user, path, versions }) + '\n');
    return;
  }
  for (const v of versions) {
    const what = v.deleted ? 'deleted' : `${v.size} bytes`;
    process.stdout.write([v.version, v.time, what.padEnd(14), v.etag, printable(v.app ?? '-')].join('\t') + '\n');
  }
}

/** The refusals of a restore in the CLI's words; any other failure passes unchanged. */
function restoreFailure(error: unknown, user: string, path: string, version: string): unknown {
  switch (restoreRefusal(error)) {
    case 'no_such_version':
      return new CliError(`${path} of ${user} has no version ${version} (bdfu history lists them)`);
    case 'version_is_deletion':
      return new CliError(`version ${version} is the deletion of ${path}: restore one before it`);
    default:
      return error;
  }
}

/** `bdfu restore <user> <path> <version>`: that version's bytes become the document again, as a new write. */
export async function restoreVersion(user: string, path: string, version: string, options: { configuration?: string; json?: boolean }): Promise<void> {
  checkTarget(user, path);
  const info = await withBackend(options.configuration, (backend, settings) =>
    restoreDocumentVersion(documentsOf(backend), settings, { user, path, version, app: 'bdfu restore', now: new Date() }).catch((error: unknown) => {
      throw restoreFailure(error, user, path, version);
    }));
  process.stdout.write(options.json ? JSON.stringify({ user, path, restored: version, etag: info.etag, size: info.size }) + '\n' : `restored ${path} of ${user} to version ${version}: new ETag ${info.etag}\n`);
}
