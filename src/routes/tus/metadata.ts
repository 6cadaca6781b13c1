import { HttpError } from '../../core/http-error.js';
import { fileNameProblem } from '../file-name.js';

const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[^"\\\r\n]*"))*$/;

/**
 * The file's name and type from the tus metadata, under the keys tus clients use (`filename`,
 * `filetype`; also `name` and `type`): checked as a multipart upload's name is.
 */
export function fileFormMeta(pairs: Record<string, string>, maxFileNameBytes: number): { name: string; type: string } {
  const name = pairs['filename'] ?? pairs['name'] ?? 'upload';
  const problem = fileNameProblem(name, maxFileNameBytes);
  if (problem) throw new HttpError(400, 'bad_file_name', `the file name ${problem}`);
  const given = pairs['filetype'] ?? pairs['type'] ?? '';
  const type = given !== '' && given.length <= 200 && MEDIA_TYPE.test(given) ? given : 'application/octet-stream';
  return { name: name === '' ? 'upload' : name, type };
}
