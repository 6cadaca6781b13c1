import { requestState, type FileRequest } from '../../sharing/file-requests.js';

export const requestUrl = (baseUrl: string, id: string) => `${baseUrl}r/${id}`;

export function requestView(baseUrl: string, request: FileRequest, at: number) {
  return {
    id: request.id,
    url: requestUrl(baseUrl, request.id),
    created: request.created,
    expires: request.expires,
    maxFiles: request.maxFiles,
    maxBytes: request.maxBytes,
    uploads: request.uploads,
    note: request.note,
    password: request.passwordHash !== undefined,
    state: requestState(request, at),
    ...(request.revoked ? { revoked: request.revoked } : {}),
  };
}
