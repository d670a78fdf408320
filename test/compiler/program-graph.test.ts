import t from 'tap';
import { join } from 'node:path';
import { compile } from '../../lib/compiler/compile.js';
import { ACTIVATION_LOAD_OPTIONS } from '../../lib/compiler/load-options.js';
import { hostKernelFeatures } from '../../lib/compiler/host-features.js';
import { openProgram } from '../../lib/program/index.js';
import { resolveOptions } from '../../lib/options.js';
import { describeSource, prepareGraph } from '../../lib/graph-source.js';
import { DET_MODEL } from '../fixtures/models.js';
import { tempDir } from '../program/helpers.js';

const SYMBOLS = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 256, 'p2o.DynamicDimension.2': 384 };

t.test('the program stores the optimized graph with the options activations load it with, and the host features it needs', async (t) => {
  const dir = tempDir(t);
  const { programPath, report } = await compile(DET_MODEL, { output_dir: join(dir, 'det'), onnx_define_symbol: SYMBOLS });
  const program = await openProgram(programPath);
  const graph = program.graphs[0]!;
  t.same(graph.sessionOptions, ACTIVATION_LOAD_OPTIONS, "level 'disabled', prepacking off");
  t.same(graph.inputs[0]!.shape, [1, 3, 256, 384]);
  t.same(graph.outputs[0]!.shape, [1, 1, 256, 384]);
  t.ok(report.optimizedNodes < report.nodes, `optimization ran (${report.nodes} -> ${report.optimizedNodes} nodes)`);
  const nchwc = Object.keys(report.optimizedOperators).some((k) => k.startsWith('com.microsoft.nchwc::'));
  t.same(graph.hostFeatures, nchwc ? hostKernelFeatures() : [], 'host features recorded exactly when the graph has NCHWc nodes');
  t.same(report.optimization.hostFeatures, graph.hostFeatures);
});

t.test('a Session on the .onnx prepares the program graph, never the source model', async (t) => {
  const dir = tempDir(t);
  const options = resolveOptions({ output_dir: join(dir, 'det'), onnx_define_symbol: SYMBOLS });
  const first = await prepareGraph(describeSource(DET_MODEL), options);
  t.not(first.modelPath, DET_MODEL);
  t.equal(first.programDir, join(dir, 'det'));
  t.notMatch(first.modelPath, /ch_PP-OCRv4_det_infer\.onnx$/, `activations load the program's graph file (${first.modelPath})`);
  t.same(first.sessionOptions, ACTIVATION_LOAD_OPTIONS);
  t.equal(first.cached, false);
  const second = await prepareGraph(describeSource(DET_MODEL), options);
  t.equal(second.cached, true, 'the second session reuses the program');
});
