import type { Transform } from 'node:stream';
import { PassThrough } from 'node:stream';

const MIN_SIZE = 1 << 20;
const REDRAW_MS = 200;

function human(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/**
 * A pass-through that draws a progress bar on stderr, only when stderr is a terminal and
 * the transfer is large enough to wait for.
 */
export function progressMeter(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Transform {
  const meter = new PassThrough({ highWaterMark: 1 << 20 });
  if (!stream.isTTY || total < MIN_SIZE) return meter;
  const started = Date.now();
  let done = 0;
  let drawn = 0;
  const draw = (final: boolean) => {
    const now = Date.now();
    if (!final && now - drawn < REDRAW_MS) return;
    drawn = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '-');
    const speed = done / Math.max(0.001, (now - started) / 1000);
    stream.write(`\r${label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${human(done)} ${human(speed)}/s `);
    if (final) stream.write('\n');
  };
  meter.on('data', (chunk: Buffer) => {
    done += chunk.length;
    draw(false);
  });
  meter.on('end', () => draw(true));
  return meter;
}
