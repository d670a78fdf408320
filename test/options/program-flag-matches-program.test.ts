import t from 'tap';
import { join } from 'node:path';
import { compile } from '../../lib/compiler/compile.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { SPECS, type OptionName } from '../../lib/options.js';
import { readManifestSync } from '../../lib/program/open.js';
import { writeModel } from '../fixtures/models.js';

// The option table's `program` flag decides the compile cache key. This checks the flag against what the compiler
// really does: compiling with an option changed must change the program exactly when the table says `program: true`.
// A `program: false` that is wrong would make the cache hand out stale programs; a `program: true` that is wrong
// recompiles for nothing.

/** `y = Transpose(x * k)`, x float32 ['N', 4]; k holds a value beyond float16's range (clipping changes it). */
function testModel(): string {
  return writeModel(model(graph({
    nodes: [node('Mul', ['x', 'k'], ['m']), node('Transpose', ['m'], ['y'], { perm: { ints: [1, 0] } })],
    inputs: [tensorInfo('x', 'float32', ['N', 4])],
    outputs: [tensorInfo('y', 'float32', [4, 'N'])],
    initializers: [initializer('k', 'float32', [4], new Float32Array([1e6, 2, 3, 4]))],
  })), 'program-flag');
}

// A value other than the default for every option compile() can vary. Options that cannot be varied in one compile()
// call are listed with the reason; an option added to the table and to neither list fails the first test.
const CHANGED: Partial<Record<OptionName, unknown>> = {
  backend: 'aic',
  num_activations: 2,
  set_size: 3,
  aic_num_cores: 2,
  allow_oversubscription: true,
  pin_cores: true,
  enable_metrics: true,
  copy_inputs: true,
  activation_timeout_ms: 5000,
  // compiled in a child process: the program must be the one a worker thread builds
  isolation: 'process',
  engine: 'worker',
  // compiling never probes the units: this needs no GPU
  compute_unit: ['gpu', 'cpu'],
  compute_unit_for_nodes: { cpu: ['Mul'] },
  run_timeout: 5000,
  graph: 'other',
  onnx_define_symbol: { N: 2 },
  batchsize: 2,
  convert_to_fp16: true,
  keep_original_precision_for_nodes: ['Transpose'],
  fp16_clip: true,
  specializations: [{ N: 2 }, { N: 3 }],
};
const NOT_VARIED: Partial<Record<OptionName, string>> = {
  dev_id: 'has one valid value',
  network_specialization_config: 'is read into specializations (varied here), whose content enters the key; file and code giving the same key: test/specializations/compile-specializations.test.ts',
  output_dir: 'every compile here has its own folder (so that none is a cache hit)',
  options_path: 'names a file whose options are the ones varied here',
  compile: 'is whether a Session compiles at all; compile() always does',
  enable_profiling: 'cannot be combined with enable_metrics, which stands for both',
  // the int8 options need a profile or calibration inputs of the compiled model (this one has a free dim N):
  // test/compiler/quant/options-change-program.test.ts varies each of them on the int8 test CNN
  load_profile: 'needs a profile of the model: varied in test/compiler/quant/options-change-program.test.ts',
  node_precision_info_file: 'needs a profile of the model: varied in test/compiler/quant/node-precision-info.test.ts',
  dump_profile: 'needs calibration inputs: varied in test/compiler/quant/options-change-program.test.ts',
  calibration_inputs: 'needs dump_profile or convert_to_quantize: varied in test/compiler/quant/options-change-program.test.ts',
  convert_to_quantize: 'needs calibration inputs: varied in test/compiler/quant/options-change-program.test.ts',
  quantization_precision: "has one valid value ('Int16' is refused)",
  quantization_schema_activations: 'only matters with a profile: varied in test/compiler/quant/options-change-program.test.ts',
  quantization_schema_constants: 'only matters with a profile: varied in test/compiler/quant/options-change-program.test.ts',
  quantization_calibration: 'only matters with a profile: varied in test/compiler/quant/options-change-program.test.ts',
  percentile_calibration_value: 'only matters with a profile: varied in test/compiler/quant/options-change-program.test.ts',
  quantization_precision_bias: 'only matters with a profile: varied in test/compiler/quant/options-change-program.test.ts',
  enable_channelwise: 'only matters with a profile: varied in test/compiler/quant/options-change-program.test.ts',
  enable_rowwise: 'only matters with a profile: varied in test/compiler/quant/options-change-program.test.ts',
  num_histogram_bins: 'only matters while profiling: varied in test/compiler/quant/options-change-program.test.ts',
  keep_stem_nodes: 'only matters with a profile: varied in test/compiler/quant/compile-keep-stem.test.ts',
};

let folders = 0;
/** What the program computes: graphs without their compile report, section and weight hashes (not provenance). */
async function programFingerprint(dir: string, path: string, options: Record<string, unknown>): Promise<string> {
  const out = join(dir, `p${folders++}`);
  const result = await compile(path, { ...options, output_dir: out, allow_oversubscription: true } as never);
  if (result.cached) throw new Error('expected a fresh compile');
  const { manifest } = readManifestSync(result.programPath);
  return JSON.stringify({
    graphs: manifest.graphs.map(({ report: _report, ...g }) => g),
    sections: manifest.sections.map((s) => [s.kind, s.graph, s.length, s.sha256]),
    weights: manifest.weights.map((w) => [w.name, w.dataType, w.dims, w.length, w.sha256]),
  });
}

t.test('every option of the table is either varied here or says why it cannot be', async (t) => {
  for (const name of Object.keys(SPECS) as OptionName[]) {
    t.ok(Object.hasOwn(CHANGED, name) !== Object.hasOwn(NOT_VARIED, name), `${name}: give it a value in CHANGED or a reason in NOT_VARIED`);
  }
});

t.test("compiling with an option changed changes the program exactly when the table says it does", async (t) => {
  const dir = t.testdir({});
  const path = testModel();
  const fingerprints = new Map<string, Promise<string>>();
  // options that matter only with another on are varied with that one on
  const baseOf = (name: OptionName): Record<string, unknown> => {
    const on = SPECS[name].programOnlyWith?.[0];
    return on === undefined ? {} : { [on]: true };
  };
  const of = (options: Record<string, unknown>): Promise<string> => {
    const id = JSON.stringify(options);
    if (!fingerprints.has(id)) fingerprints.set(id, programFingerprint(dir, path, options));
    return fingerprints.get(id)!;
  };
  t.equal(await of({}), await programFingerprint(dir, path, {}), 'compiling twice with the same options gives the same program');
  // an option marked program: false is also tried with every boolean program option on, so that one that only
  // matters beside another (as fp16_clip does beside convert_to_fp16) cannot hide behind that one being off
  const allOn = Object.fromEntries((Object.keys(SPECS) as OptionName[]).filter((n) => SPECS[n].program && SPECS[n].kind === 'bool' && n !== 'convert_to_quantize' && SPECS[n].programOnlyWith?.every((o) => SPECS[o].kind === 'bool') !== false).map((n) => [n, true]));
  for (const name of Object.keys(CHANGED) as OptionName[]) {
    const bases = SPECS[name].program ? [baseOf(name)] : [{}, allOn];
    for (const base of bases) {
      const before = await of(base);
      const after = await of({ ...base, [name]: CHANGED[name] });
      const context = Object.keys(base).length === 0 ? '' : ` (with ${Object.keys(base).join(', ')})`;
      if (SPECS[name].program) t.not(after, before, `${name} is marked program: true, and the program changes${context}`);
      else t.equal(after, before, `${name} is marked program: false, and the program stays the same${context}`);
    }
  }
});
