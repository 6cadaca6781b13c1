// A real tus client (tus-js-client, from npm) in its own process, as another program would be.
// node tus-node-client.mjs '<json>' where json is
//   { endpoint?, uploadUrl?, token, file, chunkSize?, abortAt?, urlFile?, metadata?, noRetry? }
// With `endpoint` it creates the upload (POST); with only `uploadUrl` it can only resume one
// (HEAD, then PATCH: it has nowhere to POST). `abortAt` (0..1) aborts once that fraction was sent;
// `noRetry` gives up at the first failure (a dropped connection), as a client that was closed would.
// Prints one JSON line: { outcome: 'done' | 'aborted' | 'failed', url, bytes, status?, headers?, body? }.
import { readFileSync, writeFileSync } from 'node:fs';
import tus from 'tus-js-client';

const options = JSON.parse(process.argv[2]);
const data = readFileSync(options.file);
const print = (value) => {
  process.stdout.write(JSON.stringify(value) + '\n');
  process.exit(0);
};

const upload = new tus.Upload(data, {
  ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  ...(options.uploadUrl ? { uploadUrl: options.uploadUrl } : {}),
  ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
  headers: { authorization: `Bearer ${options.token}` },
  metadata: options.metadata ?? { filename: 'tus-upload.bin', filetype: 'application/octet-stream' },
  retryDelays: options.noRetry ? null : [100, 300, 600, 1000, 2000, 3000],
  removeFingerprintOnSuccess: true,
  storeFingerprintForResuming: false,
  onUploadUrlAvailable() {
    if (options.urlFile) writeFileSync(options.urlFile, upload.url);
  },
  onProgress(sent, total) {
    if (options.abortAt !== undefined && sent / total >= options.abortAt) {
      upload.abort(false).then(() => print({ outcome: 'aborted', url: upload.url, bytes: sent }));
      options.abortAt = undefined;
    }
  },
  onSuccess({ lastResponse }) {
    print({
      outcome: 'done',
      url: upload.url,
      bytes: data.length,
      status: lastResponse.getStatus(),
      headers: { 'upload-file-location': lastResponse.getHeader('upload-file-location'), 'upload-offset': lastResponse.getHeader('upload-offset') },
      body: lastResponse.getBody(),
    });
  },
  onError(error) {
    print({ outcome: 'failed', url: upload.url, error: String(error.message ?? error).slice(0, 500) });
  },
});
upload.start();
