import t from 'tap';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { compile } from '../../lib/compiler/compile.js';
import { openProgram } from '../../lib/program/index.js';
import { QaicError } from '../../lib/errors.js';
import { tempDir } from '../program/helpers.js';
import { convModel } from './helpers.js';

const LANDSCAPE = { H: 4, W: 6 };
const PORTRAIT = { H: 6, W: 4 };

t.test('compile({specializations}) writes one program with a graph per specialization, every weight stored once', async (t) => {
  const root = tempDir(t);
  const path = convModel();
  const both = await compile(path, { specializations: [LANDSCAPE, PORTRAIT], output_dir: join(root, 'both') });
  const single = await compile(path, { onnx_define_symbol: LANDSCAPE, output_dir: join(root, 'single') });
  const program = await openProgram(both.programDir);
  t.same(program.graphs.map((g) => g.name), ['4x6', '6x4'], 'graphs named by their sizes');
  t.same(program.graphs.map((g) => g.inputs[0]!.shape), [[1, 2, 4, 6], [1, 2, 6, 4]]);
  t.same(program.graphs.map((g) => g.outputs[0]!.shape), [[1, 8, 4, 6], [1, 8, 6, 4]], 'output dims measured per graph');
  const one = await openProgram(single.programDir);
  t.equal(program.weightCount, one.weightCount, 'as many stored weights as one graph');
  t.equal(program.weightBytes, one.weightBytes, 'as many weight bytes as one graph');
  t.same(both.report.specializations?.map((s) => [s.graph, s.symbols]), [['4x6', LANDSCAPE], ['6x4', PORTRAIT]]);
  t.not(both.key, single.key);

  // the same specializations again: a cache hit; another list: another key
  const again = await compile(path, { specializations: [LANDSCAPE, PORTRAIT], output_dir: join(root, 'both') });
  t.equal(again.cached, true);
  const other = await compile(path, { specializations: [PORTRAIT, LANDSCAPE], output_dir: join(root, 'other') });
  t.not(other.key, both.key, 'the order (and so the graph order) enters the key');
});

t.test('network_specialization_config reads a QEfficient-style file; its content, not its path, enters the key', async (t) => {
  const root = tempDir(t);
  const path = convModel();
  const a = join(root, 'a.json');
  const b = join(root, 'b.json');
  // QEfficient writes sizes as strings
  writeFileSync(a, JSON.stringify({ specializations: [{ H: '4', W: '6' }, { H: '6', W: '4' }] }));
  writeFileSync(b, JSON.stringify({ specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }] }));
  const fromA = await compile(path, { network_specialization_config: a, output_dir: join(root, 'pa') });
  const fromCode = await compile(path, { specializations: [LANDSCAPE, PORTRAIT], output_dir: join(root, 'pc') });
  const fromB = await compile(path, { networkSpecializationConfig: b, output_dir: join(root, 'pb') });
  t.equal(fromA.key, fromCode.key, 'file and code give the same key');
  t.equal(fromB.key, fromA.key, 'strings and numbers mean the same');
  t.same((await openProgram(fromA.programDir)).graphs.map((g) => g.name), ['4x6', '6x4']);
});

t.test('bad specializations are typed errors naming the option and the entry', async (t) => {
  const root = tempDir(t);
  const path = convModel();
  const attempt = async (options: Record<string, unknown>): Promise<QaicError> => {
    try {
      await compile(path, { output_dir: join(root, 'out'), ...options });
    } catch (error) {
      return error as QaicError;
    }
    throw new Error(`compile accepted ${JSON.stringify(options)}`);
  };
  const write = (name: string, text: string): string => {
    const file = join(root, name);
    writeFileSync(file, text);
    return file;
  };
  const fifo = join(root, 'fifo.json');
  execFileSync('mkfifo', [fifo]);
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['empty list', { specializations: [] }, 'QAIC_INVALID_OPTION', /non-empty array/],
    ['not a list', { specializations: { H: 4 } }, 'QAIC_INVALID_OPTION', /specializations/],
    ['zero size', { specializations: [{ H: 0, W: 4 }] }, 'QAIC_INVALID_OPTION', /specialization 0 gives symbol 'H'/],
    ['fraction', { specializations: [{ H: '4.5', W: 4 }] }, 'QAIC_INVALID_OPTION', /'H'/],
    ['empty entry', { specializations: [{}] }, 'QAIC_INVALID_OPTION', /specialization 0/],
    ['duplicate', { specializations: [LANDSCAPE, { W: 6, H: 4 }] }, 'QAIC_INVALID_OPTION', /0 and 1 are the same/],
    ['unknown symbol', { specializations: [{ H: 4, X: 6 }] }, 'QAIC_UNKNOWN_SYMBOL', /entry 0 sizes 'X'.*'H', 'W'/],
    ['also fixed by onnx_define_symbol', { specializations: [LANDSCAPE], onnx_define_symbol: { H: 4 } }, 'QAIC_INVALID_OPTION', /onnx_define_symbol already fixes/],
    ['with compile: false', { specializations: [LANDSCAPE], compile: false }, 'QAIC_INVALID_OPTION', /compile: false/],
    ['both forms', { specializations: [LANDSCAPE], network_specialization_config: write('ok.json', '{"specializations":[{"H":4,"W":6}]}') }, 'QAIC_INVALID_OPTION', /give one/],
    ['file: not JSON', { network_specialization_config: write('bad.json', '{specializations') }, 'QAIC_INVALID_OPTION', /not valid JSON/],
    ['file: no list', { network_specialization_config: write('nolist.json', '[{"H":4}]') }, 'QAIC_INVALID_OPTION', /"specializations" list/],
    ['file: bad entry', { network_specialization_config: write('entry.json', '{"specializations":[{"H":"four"}]}') }, 'QAIC_INVALID_OPTION', /in '.*entry\.json'/],
    ['file: missing', { network_specialization_config: join(root, 'missing.json') }, 'QAIC_FILE_NOT_FOUND', /missing\.json/],
    ['file: a FIFO', { network_specialization_config: fifo }, 'QAIC_FILE_INVALID', /fifo\.json/],
  ];
  for (const [name, options, code, message] of cases) {
    const error = await attempt(options);
    t.equal(error.code, code, `${name}: ${error.message}`);
    t.match(error.message, message, name);
  }
});
