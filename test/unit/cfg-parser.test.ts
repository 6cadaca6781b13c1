import t from 'tap';
import { parseCfg } from '../../src/config/cfg-parser.js';

t.test('the original example configuration', async (t) => {
  t.same(parseCfg("# Save this as simple-server.cfg\nJWT_SECRET_KEY = 'supersecret'\nSTORAGE_DIR = '/tmp/bdfu-storage-example'\n"), {
    JWT_SECRET_KEY: 'supersecret',
    STORAGE_DIR: '/tmp/bdfu-storage-example',
  });
});

t.test('literals', async (t) => {
  const parsed = parseCfg([
    'A = "double"',
    "B = 'it\\'s'",
    "C = r'C:\\path'",
    'D = 42',
    'E = -1_000',
    'F = 0x1f',
    'G = 1.5e3',
    'H = True',
    'I = False',
    'J = None',
    "K = ['127.0.0.1', '::1']   # trusted",
    "L = 'tab\\tnew\\nline'",
    '   ',
    '# comment',
    "M='no spaces'",
  ].join('\n'));
  t.same(parsed, {
    A: 'double', B: "it's", C: 'C:\\path', D: 42, E: -1000, F: 31, G: 1500, H: true, I: false, J: null,
    K: ['127.0.0.1', '::1'], L: 'tab\tnew\nline', M: 'no spaces',
  });
});

t.test('anything but a literal names its line', async (t) => {
  const bad: Array<[string, number]> = [
    ["A = 'ok'\nB = os.environ['X']", 2],
    ["A = 'unterminated", 1],
    ['import os', 1],
    ["A = 'x' + 'y'", 1],
    ['A == 1', 1],
    ['1A = 2', 1],
    ["\n\nA = [1, 2", 3],
    ['A =', 1],
  ];
  for (const [text, line] of bad) {
    t.throws(() => parseCfg(text, 'x.cfg'), { name: 'CfgSyntaxError', line, message: new RegExp(`^x\\.cfg:${line}: `) }, JSON.stringify(text));
  }
});
