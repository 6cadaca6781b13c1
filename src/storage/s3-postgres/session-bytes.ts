import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StorageError } from '../errors.js';
import type { ObjectBytes, UploadedPart } from './object-bytes.js';

/** A chunk staged as its own object until enough bytes gather for a multipart part. */
export interface StagedChunk {
  key: string;
  size: number;
}

/**
 * Where a session's bytes are: committed parts of a multipart upload at `target`, then staged
 * chunks (together smaller than one part), in order.
 */
export interface SessionBytesState {
  target: string;
  uploadId: string | null;
  parts: UploadedPart[];
  staged: StagedChunk[];
}

export const stagingPrefix = (sessionId: string): string => `.sessions/${sessionId}/`;

export const bytesIn = (state: SessionBytesState): number =>
  state.parts.reduce((sum, part) => sum + part.size, 0) + state.staged.reduce((sum, chunk) => sum + chunk.size, 0);

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function readStaged(objects: ObjectBytes, staged: readonly StagedChunk[]): Promise<Buffer> {
  const buffers: Buffer[] = [];
  for (const chunk of staged) {
    const stream = await objects.get(chunk.key);
    if (!stream) throw new StorageError('io', `a staged chunk of the upload is missing from the bucket (${chunk.key})`);
    const bytes = await readAll(stream);
    if (bytes.length !== chunk.size) throw new StorageError('io', `a staged chunk of the upload has ${bytes.length} bytes, not ${chunk.size} (${chunk.key})`);
    buffers.push(bytes);
  }
  return Buffer.concat(buffers);
}

/**
 * Adds an append's bytes to a session: whenever staged + new bytes reach one part, they become
 * the next multipart part; what is left at the end is staged as one new object. `commit` saves
 * the state (in PostgreSQL); objects a commit retired are removed after it.
 */
export class SessionAppender {
  private buffers: Buffer[] = [];
  private buffered = 0;
  private retired: StagedChunk[] = [];
  private stagedSize: number;

  constructor(
    private readonly objects: ObjectBytes,
    private readonly sessionId: string,
    readonly state: SessionBytesState,
    private readonly partSize: number,
    /** Saves `state` (offset = bytesIn(state)); called after each part when `eager`, and by finish(). */
    private readonly commit: (state: SessionBytesState) => Promise<void>,
    private readonly eager: boolean,
    /** Saves a new multipart upload's id at once, so it can be aborted whatever happens next. */
    private readonly saveUploadId: (uploadId: string) => Promise<void>,
  ) {
    this.stagedSize = state.staged.reduce((sum, chunk) => sum + chunk.size, 0);
  }

  async write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    this.buffers.push(chunk);
    this.buffered += chunk.length;
    while (this.stagedSize + this.buffered >= this.partSize) await this.flushPart();
  }

  /** Stages what is buffered and commits; afterwards every written byte is in the session. */
  async finish(): Promise<void> {
    if (this.buffered > 0) {
      const body = this.take(this.buffered);
      const key = `${stagingPrefix(this.sessionId)}${bytesIn(this.state)}-${randomBytes(6).toString('hex')}`;
      await this.objects.put(key, body);
      this.state.staged.push({ key, size: body.length });
      this.stagedSize += body.length;
    }
    await this.commit(this.state);
    await this.removeRetired();
  }

  private async flushPart(): Promise<void> {
    const own = this.take(this.partSize - this.stagedSize);
    const body = Buffer.concat([await readStaged(this.objects, this.state.staged), own]);
    if (this.state.uploadId === null) {
      this.state.uploadId = await this.objects.createMultipart(this.state.target);
      await this.saveUploadId(this.state.uploadId);
    }
    const partNumber = this.state.parts.length + 1;
    if (partNumber > 10_000) throw new StorageError('too_large', 'the upload would need more than 10,000 parts');
    const etag = await this.objects.uploadPart(this.state.target, this.state.uploadId, partNumber, body);
    this.state.parts.push({ partNumber, etag, size: body.length });
    this.retired.push(...this.state.staged);
    this.state.staged = [];
    this.stagedSize = 0;
    if (this.eager) {
      await this.commit(this.state);
      await this.removeRetired();
    }
  }

  private take(bytes: number): Buffer {
    const all = Buffer.concat(this.buffers, this.buffered);
    const rest = all.subarray(bytes);
    this.buffers = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.buffered = rest.length;
    return all.subarray(0, bytes);
  }

  private async removeRetired(): Promise<void> {
    const retired = this.retired;
    this.retired = [];
    await Promise.all(retired.map((chunk) => this.objects.remove(chunk.key).catch(() => undefined)));
  }
}
