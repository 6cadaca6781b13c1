#!/usr/bin/env node
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start } from './start.js';

await start(dirname(fileURLToPath(import.meta.url)));
