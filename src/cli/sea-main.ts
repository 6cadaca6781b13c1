import { dirname } from 'node:path';
import { start } from './start.js';

/**
 * Entry of the single executable (bundled to CommonJS: no top-level await, no import.meta).
 * Its settings sit beside the script a web server ran: SCRIPT_FILENAME names that file as the
 * server found it (a symbolic link stays the link), where process.execPath is the link's target.
 */
void start(dirname(process.env.SCRIPT_FILENAME || process.execPath));
