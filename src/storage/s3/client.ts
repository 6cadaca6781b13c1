import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { AwsV4Signer } from 'aws4fetch';
import type { ByteRange } from '../store.js';
import { s3ErrorFrom, s3Failure, s3Unreachable } from './errors.js';
import { xmlBlocks, xmlEscape, xmlText } from './xml.js';

export interface S3Config {
  /** http(s)://host[:port], no trailing slash needed. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** https://endpoint/bucket/key rather than https://bucket.endpoint/key. */
  forcePathStyle: boolean;
}

export interface ObjectHead {
  size: number;
  etag: string;
  lastModified: Date;
}

export interface ObjectBody {
  stream: IncomingMessage;
  /** Bytes in this answer (the range's length for a Range GET). */
  length: number;
  /** The object's whole size. */
  size: number;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

export interface MultipartUploadInfo {
  key: string;
  uploadId: string;
  initiated: Date;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** Bytes in hand (one buffer, or a part as the chunks it arrived in: sent without joining them), or a stream. */
type Body = Buffer | readonly Buffer[] | Readable | undefined;

const inHand = (body: Body): body is Buffer | readonly Buffer[] => Buffer.isBuffer(body) || Array.isArray(body);
const byteLength = (body: Buffer | readonly Buffer[]): number =>
  Buffer.isBuffer(body) ? body.length : body.reduce((sum, chunk) => sum + chunk.length, 0);

/**
 * A small S3 client: SigV4 signing from aws4fetch, requests over Node's own http(s) with a
 * keep-alive agent, answers streamed. Payloads are sent UNSIGNED-PAYLOAD (every S3 endpoint
 * takes it; aws-chunked is what Swift refuses). Every failure is a StorageError.
 */
export class S3Client {
  private readonly agent: HttpAgent;
  private readonly base: URL;
  /** "bucket B at https://endpoint", for messages. */
  readonly where: string;

  constructor(readonly config: S3Config, private readonly timeoutMs = 60_000) {
    this.base = new URL(config.endpoint);
    const Agent = this.base.protocol === 'https:' ? HttpsAgent : HttpAgent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 128, maxFreeSockets: 16 });
    this.where = `bucket ${config.bucket} at ${this.base.origin}`;
  }

  /** The URL of `key` in the bucket (`key` undefined: the bucket itself). */
  url(key: string | undefined, query: Record<string, string> = {}): URL {
    const path = key === undefined ? '' : key.split('/').map(encodeURIComponent).join('/');
    const url = new URL(this.base.href);
    const prefix = url.pathname.replace(/\/$/, '');
    if (this.config.forcePathStyle) url.pathname = `${prefix}/${encodeURIComponent(this.config.bucket)}/${path}`;
    else {
      url.hostname = `${this.config.bucket}.${url.hostname}`;
      url.pathname = `${prefix}/${path}`;
    }
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url;
  }

  private signer(method: string, url: URL, headers: Record<string, string>, signQuery = false): AwsV4Signer {
    return new AwsV4Signer({
      method, url: url.href, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
      accessKeyId: this.config.accessKeyId, secretAccessKey: this.config.secretAccessKey,
      region: this.config.region, service: 's3', signQuery,
    });
  }

  /** Sends one signed request; resolves with the answer (any status), rejects only when none came. */
  async send(method: string, key: string | undefined, options: { query?: Record<string, string>; headers?: Record<string, string>; body?: Body; length?: number } = {}): Promise<IncomingMessage> {
    const url = this.url(key, options.query);
    const signed = await this.signer(method, url, options.headers ?? {}).sign();
    const headers: OutgoingHttpHeaders = {};
    signed.headers.forEach((value, name) => (headers[name] = value));
    const { body } = options;
    const length = inHand(body) ? byteLength(body) : options.length;
    if (length !== undefined) headers['content-length'] = String(length);
    else if (body === undefined && (method === 'PUT' || method === 'POST')) headers['content-length'] = '0';
    const send = this.base.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const request = send(signed.url, { method, headers, agent: this.agent, timeout: this.timeoutMs });
      const fail = (error: unknown) => {
        request.destroy();
        reject(s3Unreachable(this.base.origin, error));
      };
      request.once('response', resolve);
      request.once('error', fail);
      request.once('timeout', () => fail(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      if (body === undefined) request.end();
      else if (Buffer.isBuffer(body)) request.end(body);
      else if (Array.isArray(body)) {
        request.cork();
        for (const chunk of body as readonly Buffer[]) request.write(chunk);
        request.end();
      } else {
        const stream = body as Readable;
        stream.once('error', (error) => request.destroy(error));
        stream.pipe(request);
      }
    });
  }

  /** Sends, and turns a non-2xx answer into a StorageError (its body read); `allow` statuses pass. */
  private async expectOk(operation: string, method: string, key: string | undefined, options: Parameters<S3Client['send']>[2] = {}, allow: number[] = []): Promise<IncomingMessage> {
    const response = await this.send(method, key, options);
    const status = response.statusCode ?? 0;
    if ((status >= 200 && status < 300) || allow.includes(status)) return response;
    throw await s3Failure(response, `${operation} ${key ?? ''}`.trim(), this.where);
  }

  private async text(operation: string, method: string, key: string | undefined, options: Parameters<S3Client['send']>[2] = {}): Promise<string> {
    const response = await this.expectOk(operation, method, key, options);
    let text = '';
    for await (const chunk of response) text += (chunk as Buffer).toString('utf8');
    // CompleteMultipartUpload can answer 200 and put its error in the body.
    if (/<Error>/.test(text)) throw s3ErrorFrom(200, text, `${operation} ${key ?? ''}`.trim(), this.where);
    return text;
  }

  /** HEAD Bucket: exists and these credentials may use it. */
  async headBucket(): Promise<void> {
    const response = await this.send('HEAD', undefined);
    response.resume();
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    const code = status === 404 ? 'NoSuchBucket' : status === 403 ? 'AccessDenied (wrong credentials, or no access to the bucket)' : `HTTP ${status}`;
    throw s3ErrorFrom(status, `<Error><Code>${code}</Code></Error>`, 'HEAD Bucket', this.where);
  }

  async putObject(key: string, body: Buffer | readonly Buffer[], contentType = 'application/octet-stream'): Promise<void> {
    (await this.expectOk('PutObject', 'PUT', key, { body, headers: { 'content-type': contentType } })).resume();
  }

  /** A PutObject whose body is streamed (its length known beforehand). */
  async putObjectStream(key: string, body: Readable, length: number, contentType = 'application/octet-stream'): Promise<void> {
    (await this.expectOk('PutObject', 'PUT', key, { body, length, headers: { 'content-type': contentType } })).resume();
  }

  async headObject(key: string): Promise<ObjectHead | undefined> {
    const response = await this.expectOk('HeadObject', 'HEAD', key, {}, [404]);
    response.resume();
    if (response.statusCode === 404) return undefined;
    return {
      size: Number(response.headers['content-length']),
      etag: String(response.headers.etag ?? ''),
      lastModified: new Date(String(response.headers['last-modified'])),
    };
  }

  /** GET, whole or a range; undefined when there is no such object. */
  async getObject(key: string, range?: ByteRange): Promise<ObjectBody | undefined> {
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
    const response = await this.expectOk('GetObject', 'GET', key, { headers }, [404]);
    if (response.statusCode === 404) {
      response.resume();
      return undefined;
    }
    const length = Number(response.headers['content-length']);
    const total = /\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''))?.[1];
    return { stream: response, length, size: total !== undefined ? Number(total) : length };
  }

  /** Deletes; true when it was there (S3 itself answers 204 either way, Swift 404 when absent). */
  async deleteObject(key: string): Promise<void> {
    (await this.expectOk('DeleteObject', 'DELETE', key, {}, [404])).resume();
  }

  async createMultipartUpload(key: string, contentType = 'application/octet-stream'): Promise<string> {
    const xml = await this.text('CreateMultipartUpload', 'POST', key, { query: { uploads: '' }, headers: { 'content-type': contentType } });
    const uploadId = xmlText(xml, 'UploadId');
    if (!uploadId) throw s3ErrorFrom(200, '<Error><Code>NoUploadId</Code></Error>', `CreateMultipartUpload ${key}`, this.where);
    return uploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer | readonly Buffer[]): Promise<CompletedPart> {
    const response = await this.expectOk('UploadPart', 'PUT', key, { query: { partNumber: String(partNumber), uploadId }, body });
    response.resume();
    return { partNumber, etag: String(response.headers.etag ?? '') };
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    const body = Buffer.from('<CompleteMultipartUpload>' +
      parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${xmlEscape(p.etag)}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>');
    await this.text('CompleteMultipartUpload', 'POST', key, { query: { uploadId }, body, headers: { 'content-type': 'application/xml' } });
  }

  /** Aborts; an upload already gone (aborted, completed) is not an error. */
  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    (await this.expectOk('AbortMultipartUpload', 'DELETE', key, { query: { uploadId } }, [404])).resume();
  }

  async *listMultipartUploads(prefix: string): AsyncIterable<MultipartUploadInfo> {
    let markers: Record<string, string> = {};
    for (;;) {
      const xml = await this.text('ListMultipartUploads', 'GET', undefined, { query: { uploads: '', prefix, ...markers } });
      for (const block of xmlBlocks(xml, 'Upload')) {
        yield { key: xmlText(block, 'Key') ?? '', uploadId: xmlText(block, 'UploadId') ?? '', initiated: new Date(xmlText(block, 'Initiated') ?? 0) };
      }
      if (xmlText(xml, 'IsTruncated') !== 'true') return;
      markers = { 'key-marker': xmlText(xml, 'NextKeyMarker') ?? '', 'upload-id-marker': xmlText(xml, 'NextUploadIdMarker') ?? '' };
    }
  }

  async *listObjects(prefix: string): AsyncIterable<ListedObject> {
    let token: Record<string, string> = {};
    for (;;) {
      const xml = await this.text('ListObjectsV2', 'GET', undefined, { query: { 'list-type': '2', prefix, ...token } });
      for (const block of xmlBlocks(xml, 'Contents')) {
        yield { key: xmlText(block, 'Key') ?? '', size: Number(xmlText(block, 'Size')), lastModified: new Date(xmlText(block, 'LastModified') ?? 0) };
      }
      const next = xmlText(xml, 'NextContinuationToken');
      if (xmlText(xml, 'IsTruncated') !== 'true' || !next) return;
      token = { 'continuation-token': next };
    }
  }

  /** A presigned GET URL valid for `expiresSeconds`, with response header overrides (response-content-disposition, …). */
  async presignGet(key: string, expiresSeconds: number, responseHeaders: Record<string, string> = {}): Promise<string> {
    const url = this.url(key, { 'X-Amz-Expires': String(Math.max(1, Math.min(604_800, Math.floor(expiresSeconds)))), ...responseHeaders });
    const signed = await new AwsV4Signer({
      method: 'GET', url: url.href, accessKeyId: this.config.accessKeyId, secretAccessKey: this.config.secretAccessKey,
      region: this.config.region, service: 's3', signQuery: true,
    }).sign();
    return signed.url.href;
  }

  close(): void {
    this.agent.destroy();
  }
}
