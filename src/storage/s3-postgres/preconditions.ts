import { StorageError } from '../errors.js';
import type { Precondition } from '../documents.js';

/** Throws 'precondition_failed' unless `precondition` holds for a document whose ETag is `current` (undefined: none). */
export function checkPrecondition(current: string | undefined, precondition: Precondition | undefined): void {
  if (!precondition) return;
  const { ifMatch, ifNoneMatch } = precondition;
  if (ifMatch !== undefined) {
    const holds = current !== undefined && (ifMatch.includes('*') || ifMatch.includes(current));
    if (!holds) throw new StorageError('precondition_failed', current === undefined ? 'the document does not exist' : 'the document has changed (its ETag does not match)');
  }
  if (ifNoneMatch !== undefined) {
    const fails = ifNoneMatch === '*' ? current !== undefined : current !== undefined && (ifNoneMatch.includes('*') || ifNoneMatch.includes(current));
    if (fails) throw new StorageError('precondition_failed', ifNoneMatch === '*' ? 'the document already exists' : 'the document matches an ETag it must not');
  }
}
