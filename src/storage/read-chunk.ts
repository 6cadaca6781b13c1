/**
 * How much a stored file's read stream reads at a time. Node's default, 64 KiB, made a 1 GiB
 * download cost 1240 ms of server CPU; 256 KiB, 800 ms, and the download ran 1.7 times as fast
 * (docs/performance.md, figure 6): a quarter of the thread-pool reads and socket writes.
 */
export const READ_CHUNK_BYTES = 256 << 10;
