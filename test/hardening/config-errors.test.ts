import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCgi } from '../helpers/cgi-direct.js';
import { makeFixture, type Fixture } from '../helpers/fixture.js';
import { bdfu } from '../helpers/run.js';

/**
 * Security review (issue 12), item 2: a broken configuration was answered to any client with
 * the offending text (a secret whose quotes were forgotten) and the host's paths. Now a client
 * gets `500 config_error` and a generic message; stderr (the web server's error log) and
 * `bdfu serve`'s refusal name the file, the line and the setting, and never a secret's value.
 */
const SECRET = 'x7Kq2mVw9Pz4Rt8NhJ3c';

interface BrokenConfig {
  name: string;
  file: string;
  /** The file's text; `STORAGE` stands for the storage directory. */
  text: (f: Fixture) => string;
  /** What stderr must name (file, line, setting). */
  names: RegExp[];
  /** The problem shows only when keys are read (a request with a token; `bdfu serve` at start). */
  atKeys?: boolean;
}

const BROKEN: BrokenConfig[] = [
  { name: 'an unquoted secret (.cfg)', file: 'bdfu.cfg', text: (f) => `JWT_SECRET_KEY = ${SECRET}\nSTORAGE_DIR = '${f.storageDir}'\n`, names: [/bdfu\.cfg:1:/, /JWT_SECRET_KEY/] },
  { name: 'an unquoted secret starting with a digit (.cfg)', file: 'bdfu.cfg', text: (f) => `STORAGE_DIR = '${f.storageDir}'\nJWT_SECRET_KEY = 9${SECRET}\n`, names: [/bdfu\.cfg:2:/, /JWT_SECRET_KEY/] },
  { name: 'a secret with a quote in it (.cfg)', file: 'bdfu.cfg', text: (f) => `STORAGE_DIR = '${f.storageDir}'\nJWT_SECRET_KEY = '${SECRET.slice(0, 8)}'${SECRET.slice(8)}'\n`, names: [/bdfu\.cfg:2:/, /JWT_SECRET_KEY/] },
  { name: 'a secret that lost its closing quote (.cfg)', file: 'bdfu.cfg', text: (f) => `JWT_SECRET_KEY = '${SECRET}\nSTORAGE_DIR = '${f.storageDir}'\n`, names: [/bdfu\.cfg:1:/, /JWT_SECRET_KEY/] },
  { name: 'a secret pasted on a line of its own (.cfg)', file: 'bdfu.cfg', text: (f) => `STORAGE_DIR = '${f.storageDir}'\n${SECRET}\n`, names: [/bdfu\.cfg:2:/] },
  { name: 'an unquoted previous secret in a list (.cfg)', file: 'bdfu.cfg', text: (f) => `JWT_SECRET_KEY = 'a-good-secret-of-some-length'\nJWT_PREVIOUS_SECRETS = [${SECRET}]\nSTORAGE_DIR = '${f.storageDir}'\n`,
    names: [/bdfu\.cfg:2:/, /JWT_PREVIOUS_SECRETS/] },
  { name: 'bad JSON: a secret missing its closing quote', file: 'bdfu.json', text: (f) => `{\n  "STORAGE_DIR": "${f.storageDir}",\n  "JWT_SECRET_KEY": "${SECRET},\n  "PORT": 8080\n}\n`,
    names: [/bdfu\.json/, /line [34]/, /JWT_SECRET_KEY/] },
  { name: 'bad JSON: a secret with a quote in it', file: 'bdfu.json', text: (f) => `{"JWT_SECRET_KEY": "${SECRET.slice(0, 8)}"${SECRET.slice(8)}", "STORAGE_DIR": "${f.storageDir}"}`,
    names: [/bdfu\.json/, /line 1/, /JWT_SECRET_KEY/] },
  { name: 'a secret given as a number-like word in JSON', file: 'bdfu.json', text: (f) => `{"JWT_SECRET_KEY": ${SECRET}, "STORAGE_DIR": "${f.storageDir}"}`, names: [/bdfu\.json/, /JWT_SECRET_KEY/] },
  { name: 'a JWKS file that is not JSON, with private key material in it', file: 'bdfu.cfg', atKeys: true,
    text: (f) => {
      writeFileSync(join(f.dir, 'keys.jwks'), `{"keys": [{"kty": "OKP", "crv": "Ed25519", "d": "${SECRET}", "x": ${SECRET}}]}`);
      return `JWT_JWKS_FILE = 'keys.jwks'\nSTORAGE_DIR = '${f.storageDir}'\n`;
    },
    names: [/keys\.jwks/, /line 1/] },
  { name: 'a public key file that is not PEM', file: 'bdfu.cfg', atKeys: true,
    text: (f) => {
      writeFileSync(join(f.dir, 'gateway.pem'), `-----BEGIN PUBLIC KEY-----\n${SECRET}\n-----END PUBLIC KEY-----\n`);
      return `JWT_PUBLIC_KEYS = ['gateway.pem']\nSTORAGE_DIR = '${f.storageDir}'\n`;
    },
    names: [/gateway\.pem/] },
];

/** Any 6 characters of the secret in a row. */
function leaks(text: string): string | undefined {
  for (let i = 0; i + 6 <= SECRET.length; i++) if (text.includes(SECRET.slice(i, i + 6))) return SECRET.slice(i, i + 6);
  return undefined;
}

const aToken = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYWxpY2UifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmE';

for (const broken of BROKEN) {
  t.test(`CGI: ${broken.name}`, async (t) => {
    const fixture = makeFixture('config-error');
    const config = join(fixture.dir, broken.file);
    writeFileSync(config, broken.text(fixture));
    const env = {
      GATEWAY_INTERFACE: 'CGI/1.1', BDFU_SETTINGS: config, REQUEST_METHOD: 'GET', PATH_INFO: '/files/alice/',
      SCRIPT_NAME: '/cgi-bin/bdfu', SERVER_NAME: 'files.example', SERVER_PORT: '80', REMOTE_ADDR: '192.0.2.9',
      ...(broken.atKeys ? { HTTP_AUTHORIZATION: `Bearer ${aToken}` } : {}),
    };
    const reply = await runCgi(env);
    t.equal(reply.status, 500, reply.text);
    t.equal(reply.json?.code, 'config_error');
    t.equal(leaks(reply.text), undefined, 'no byte of the secret reaches the client');
    t.notMatch(reply.text, fixture.dir, 'no path of the host');
    t.notMatch(reply.text, /JWT_|\.cfg|\.json|\.pem|\.jwks|line \d/, 'no setting, file or line either');
    t.equal(leaks(reply.stderr), undefined, 'no secret in the error log');
    for (const name of broken.names) t.match(reply.stderr, name, `the error log says where: ${name}`);
  });

  t.test(`bdfu serve: ${broken.name}`, async (t) => {
    const fixture = makeFixture('config-error-serve');
    const config = join(fixture.dir, broken.file);
    writeFileSync(config, broken.text(fixture));
    const ran = await bdfu(['serve', config, '--port', '0'], { env: { PATH: process.env.PATH }, timeout: 30_000 });
    t.equal(ran.code, 1, `refuses to start: ${ran.stdout}`);
    t.equal(ran.stderr.trim().split('\n').length, 1, `one line: ${ran.stderr}`);
    t.equal(leaks(ran.stderr + ran.stdout), undefined, 'no secret in the refusal');
    for (const name of broken.names) t.match(ran.stderr, name, `the refusal says where: ${name}`);
  });
}
