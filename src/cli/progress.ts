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

export interface ProgressBar {
  /** `bytes` more arrived (or, with `absolute`, the count is now `bytes`: a resumed transfer). */
  advance(bytes: number, absolute?: boolean): void;
  /** Draws the last state and ends the line. */
  end(): void;
}

/**
 * A progress bar on stderr, drawn only when stderr is a terminal and the transfer is large
 * enough to wait for.
 */
export function progressBar(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY || total < MIN_SIZE) return { advance() {}, end() {} };
  const started = Date.now();
  let done = 0;
  let first = 0;
  let drawn = 0;
  const draw = (final: boolean) => {
    const now = Date.now();
    if (!final && now - drawn < REDRAW_MS) return;
    drawn = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '-');
    const speed = (done - first) / Math.max(0.001, (now - started) / 1000);
    stream.write(`\r${label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${human(done)} ${human(speed)}/s `);
    if (final) stream.write('\n');
  };
  let ended = false;
  return {
    advance(bytes, absolute = false) {
      if (absolute && done === 0) first = bytes;
      done = absolute ? bytes : done + bytes;
      draw(false);
    },
    end() {
      if (ended) return;
      ended = true;
      draw(true);
    },
  };
}

/** A pass-through that moves `bar` (a new one for `total` bytes when not given) as bytes go through. */
export function progressMeter(total: number, label: string, stream: NodeJS.WriteStream = process.stderr, bar?: ProgressBar): Transform {
  const meter = new PassThrough({ highWaterMark: 1 << 20 });
  const shown = bar ?? progressBar(total, label, stream);
  meter.on('data', (chunk: Buffer) => shown.advance(chunk.length));
  if (!bar) meter.on('end', () => shown.end());
  return meter;
}
