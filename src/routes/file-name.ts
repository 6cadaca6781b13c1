import { BIDI_CONTROL } from '../text/bidi.js';

/** Why a client's file name is refused, or undefined. The name is kept for display only, never used as a path. */
export function fileNameProblem(name: string, maxBytes: number): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'contains a control character (such as CR, LF, NUL or a C1 control)';
  if (BIDI_CONTROL.test(name)) return 'contains a bidirectional override (U+202A–U+202E, U+2066–U+2069), which makes text display differently from what it is';
  if (/[/\\]/.test(name)) return 'contains a path separator: send the base name only';
  if (name === '.' || name === '..') return 'is a relative path';
  if (Buffer.byteLength(name, 'utf8') > maxBytes) return `is longer than ${maxBytes} bytes`;
  if (!name.isWellFormed()) return 'is not well-formed Unicode';
  return undefined;
}
