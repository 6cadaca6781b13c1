import { dirname } from 'node:path';
import { start } from './start.js';

/**
 * Entry of the single executable (bundled to CommonJS: no top-level await, no import.meta).
 * Copied into cgi-bin/ under any name, its settings sit beside the file itself.
 */
void start(dirname(process.execPath));
