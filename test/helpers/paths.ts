import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');
export const CGI_SCRIPT = join(ROOT, 'cgi-bin/bdfu');
export const APACHE_DIR = join(ROOT, 'apache');
