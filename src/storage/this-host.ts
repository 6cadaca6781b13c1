import { hostname } from 'node:os';

let known: string | undefined;

/** This machine's name, as leases and locks record their holder's: asked of the kernel once per process (it was ~1 % of a small upload's CPU). */
export const thisHost = (): string => (known ??= hostname());
