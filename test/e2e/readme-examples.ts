import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { ROOT } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { scopedToken } from '../helpers/tokens.js';
import { upload } from './files-suite.js';
import type { Target } from './upload-suite.js';
import { CHILD_PATH } from '../helpers/child-env.js';

const README_ENDPOINT = 'http://localhost:8080/';

interface Example {
  command: string;
  expected: string;
}

/** The `$ curl …` lines between the readme-examples markers, each with the output shown under it. */
export function readmeExamples(): Example[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- readme-examples:begin -->\n```console\n([\s\S]*?)```\n<!-- readme-examples:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no readme-examples block');
  const examples: Example[] = [];
  for (const line of block[1]!.trimEnd().split('\n')) {
    if (line.startsWith('$ ')) examples.push({ command: line.slice(2), expected: '' });
    else examples[examples.length - 1]!.expected += `${line}\n`;
  }
  return examples;
}

/** The shown output as a pattern: `…` stands for anything. */
function pattern(expected: string, baseUrl: string): RegExp {
  const text = expected.replaceAll(README_ENDPOINT, baseUrl);
  return new RegExp(`^${text.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?')}$`, 's');
}

/** Runs the README's curl examples, as written, against a running bdfu. */
export function readmeExamplesSuite(t: Test, target: () => Target): void {
  t.test('the README curl examples, exactly as written', async (t) => {
    const { baseUrl, secret } = target();
    const examples = readmeExamples();
    t.ok(examples.length >= 8, `${examples.length} examples`);
    const work = mkdtempSync(join(tmpdir(), 'bdfu-readme-'));
    writeFileSync(join(work, 'notes.txt'), 'hello\n');
    const token = await scopedToken('carol', secret, 'upload read delete', 3600);
    const file = await upload(baseUrl, token, 'hello\n', { name: 'notes.txt', type: 'text/plain', fields: { download_token: '1' } });
    const env = {
      PATH: CHILD_PATH,
      TOKEN: token,
      ID: file.json.id,
      DOWNLOAD_TOKEN: file.json.downloadToken,
      ADMIN_TOKEN: await scopedToken('root', secret, 'admin', 3600),
    };
    for (const { command, expected } of examples) {
      t.match(command, /^curl /, 'only curl commands');
      const ran = await run('bash', ['--norc', '--noprofile', '-c', command.replaceAll(README_ENDPOINT, baseUrl)], { cwd: work, env });
      t.equal(ran.code, 0, `${command.slice(0, 90)}: exits 0 ${ran.stderr}`);
      t.match(ran.stdout, pattern(expected, baseUrl), `${command.slice(0, 90)}: prints what README shows`);
    }
  });
}
