import { MiB } from './http.js';

export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

export function sizeLabel(bytes: number): string {
  return bytes >= 1 << 30 && bytes % (1 << 30) === 0 ? `${bytes / (1 << 30)} GiB` : `${+(bytes / MiB).toFixed(1)} MiB`;
}
