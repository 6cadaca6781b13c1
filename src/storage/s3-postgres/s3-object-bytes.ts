import type { S3Client } from '../s3/client.js';
import type { ObjectBytes } from './object-bytes.js';

/** ObjectBytes over the S3 client (the same bucket as the files). */
export function s3ObjectBytes(s3: S3Client): ObjectBytes {
  return {
    put: (key, body) => s3.putObject(key, body),
    get: async (key, range) => (await s3.getObject(key, range))?.stream,
    remove: (key) => s3.deleteObject(key),
    async *list(prefix) {
      for await (const object of s3.listObjects(prefix)) yield object.key;
    },
    createMultipart: (key) => s3.createMultipartUpload(key),
    uploadPart: async (key, uploadId, partNumber, body) => (await s3.uploadPart(key, uploadId, partNumber, body)).etag,
    completeMultipart: (key, uploadId, parts) =>
      s3.completeMultipartUpload(key, uploadId, parts.map(({ partNumber, etag }) => ({ partNumber, etag }))),
    abortMultipart: (key, uploadId) => s3.abortMultipartUpload(key, uploadId),
  };
}
