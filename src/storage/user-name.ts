import { StorageError } from './errors.js';

const MAX_BYTES = 255;

/** Why a user name cannot be a directory under STORAGE_DIR, or undefined when it can. */
export function userNameProblem(name: string): string | undefined {
  const problem = plainProblem(name);
  if (problem || !name.isWellFormed()) return problem ?? 'is not well-formed Unicode';
  // One user, one directory: "é" composed and decomposed would otherwise be two.
  if (name.normalize('NFC') !== name) return 'is not in Unicode normal form C (NFC)';
  // Look-alikes that compatibility mapping turns into "..", "/" and the like (e.g. "．．", "／").
  const folded = plainProblem(name.normalize('NFKC'));
  if (folded) return `${folded} once Unicode compatibility characters are folded (NFKC)`;
  return undefined;
}

function plainProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return 'is a relative path';
  if (name.startsWith('.')) return 'starts with a dot (reserved for bdfu’s own files)';
  if (/[/\\]/.test(name)) return 'contains a path separator';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'contains a control character';
  if (Buffer.byteLength(name, 'utf8') > MAX_BYTES) return `is longer than ${MAX_BYTES} bytes`;
  if (!name.isWellFormed()) return 'is not well-formed Unicode';
  return undefined;
}

export function assertValidUserName(name: string): void {
  const problem = userNameProblem(name);
  if (problem) {
    throw new StorageError('invalid', `the user name ${JSON.stringify(name.slice(0, 80))} ${problem}`, { details: { field: 'user' } });
  }
}
