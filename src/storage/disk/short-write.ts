/** What is left of `buffers` after their first `n` bytes (a short write). No copies. */
export function rest(buffers: readonly Buffer[], n: number): Buffer[] {
  let skip = n;
  const left: Buffer[] = [];
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    left.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return left;
}
