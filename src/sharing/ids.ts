import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Public short links: 10 characters of 62, about 59.5 bits from the CSPRNG. */
export const SHORT_ID_LENGTH = 10;
/** Share links and file requests (which may carry a password): 22 characters, about 131 bits. */
export const LINK_ID_LENGTH = 22;

export const SHORT_ID = /^[A-Za-z0-9]{8,12}$/;
export const LINK_ID = /^[A-Za-z0-9]{22}$/;

/** `length` characters drawn uniformly (randomInt rejects biased draws) from [A-Za-z0-9]. */
export function randomId(length: number): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

/** A fresh id claimed in `claim` (which returns false when the id is taken); a few tries, then an error. */
export async function claimNewId(length: number, claim: (id: string) => Promise<boolean>): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const id = randomId(length);
    if (await claim(id)) return id;
  }
  throw new Error(`no free id of ${length} characters after 8 tries`);
}
