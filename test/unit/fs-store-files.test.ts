import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FsStore } from '../../src/storage/fs-store.js';
import { storeContractFiles } from '../helpers/store-contract-files.js';

storeContractFiles(t, () => new FsStore(mkdtempSync(join(tmpdir(), 'bdfu-store-files-'))));
