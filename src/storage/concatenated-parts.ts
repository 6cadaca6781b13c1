import type { Records } from './records.js';

/** Which partial uploads a final upload (tus concatenation) was made of, for its HEAD answer. */
const CONCATENATED = 'tus-final';
const key = (owner: string, file: string) => `${owner}/${file}`;

export async function rememberParts(records: Records, owner: string, file: string, partIds: readonly string[]): Promise<void> {
  await records.update<string[]>(CONCATENATED, key(owner, file), () => [...partIds]);
}

export function partsOf(records: Records, owner: string, file: string): Promise<string[] | undefined> {
  return records.get<string[]>(CONCATENATED, key(owner, file));
}

export async function forgetParts(records: Records, owner: string, file: string): Promise<void> {
  await records.remove(CONCATENATED, key(owner, file));
}
