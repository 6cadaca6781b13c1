/** The modes stored files and directories are made with (the process umask can only narrow them). */
export interface StorageModes {
  file: number;
  dir: number;
}

/** `private`: only the user bdfu runs as; `group`: its group may read too (a web server, a backup user). */
export function storageModes(mode: string): StorageModes {
  return mode === 'group' ? { file: 0o640, dir: 0o750 } : { file: 0o600, dir: 0o700 };
}

export const PRIVATE_MODES: StorageModes = storageModes('private');
