import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** The login name of a uid, from /etc/passwd; `uid N` when it has none. */
function nameOf(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.split(':')[2] === String(uid));
    if (line) return line.split(':')[0]!;
  } catch {
    // no passwd file to read: the number will do
  }
  return `uid ${uid}`;
}

/**
 * What to do about a storage directory bdfu cannot write, for the case at hand: scripts that run as
 * the directory's owner (suEXEC, or a server of its own) need the owner's write bit; scripts that run
 * as the web server's user (www-data, no suEXEC) need that user let in, by an ACL or a shared group.
 */
export function unwritableAdvice(dir: string): string {
  const uid = process.getuid?.();
  if (uid === undefined) return 'give that user write access';
  const me = nameOf(uid);
  let info;
  try {
    info = statSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return `it does not exist and ${me} cannot create it in ${dirname(dir)}: create it as shown in README's *Shared hosting in five minutes*, step 4`;
    }
    return `a directory above it does not let ${me} through (${code}, e.g. a home directory with mode 700): let that user search it (setfacl -m u:${me}:x, or chmod o+x)`;
  }
  if (info.uid === uid) {
    return `it belongs to ${me}, whom bdfu runs as (suEXEC, or a server of its own), but its mode is ${(info.mode & 0o777).toString(8)}: chmod 700 ${dir}`;
  }
  return `it belongs to ${nameOf(info.uid)}, but bdfu runs as ${me} (scripts run as the web server's user, not the owner: no suEXEC): ` +
    `give ${me} write access, never to everyone: setfacl -m u:${me}:rwx -m d:u:${me}:rwx ${dir} (or a group the two share, mode 2770); ` +
    `see README's *Shared hosting in five minutes*, step 4`;
}
