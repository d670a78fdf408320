/**
 * The compile report: what the model is after compilation and what compiling did. Returned by `compile()`, printed
 * by `qaic-exec`, stored in the program's manifest. Plain JSON.
 */
import type { QdqReport } from './quant/qdq.js';
import type { NodeErrorEstimate } from './quant/keep-stem.js';
import { onnxTypeName } from '../dtypes.js';
import { tensorDataBytes, type ValueSpec } from '../onnx/model.js';
import type { GraphProto, ModelProto, TensorProto } from '../onnx/schema.js';
import type { FixDimsResult } from './fix-dims.js';
import type { Fp16Report } from './fp16/convert.js';
import { cpuNodes, formatPlacement, type PlacementReport } from '../runtime/placement.js';

/**
 * Operator types whose multiply-accumulates are counted. Everything else (element-wise ops, pooling, normalization,
 * activations, recurrent ops, Einsum) contributes 0 to {@link CompileReport.macs}: for the convolutional and
 * transformer models this library targets, these account for nearly all arithmetic.
 */
export const MAC_COUNTED_OPS: readonly string[] = ['Conv', 'ConvInteger', 'QLinearConv', 'ConvTranspose', 'MatMul', 'MatMulInteger', 'QLinearMatMul', 'Gemm'];

/**
 * Multiply-accumulates per inference, by operator type, for the fixed shapes. MACs depend on the input dims, so they
 * are counted only when every input dim is fixed: with a dim left symbolic, `method` is `'needs fixed dims'` and
 * nothing is counted (a figure for made-up dims would mislead).
 */
export interface MacCount {
  /** sum over all counted operators; 0 when `method` is not `'profiled dry run'` */
  total: number;
  /** MACs per inference by operator type (only counted types appear); empty when `method` is not `'profiled dry run'` */
  byOperator: Record<string, number>;
  /** which operator types are counted (`MAC_COUNTED_OPS`: Conv, MatMul, Gemm and their integer/quantized/transposed forms); empty when `method` is not `'profiled dry run'` */
  counted: readonly string[];
  /**
   * How the figures were obtained: `'profiled dry run'` (counted on the shapes of a run at the fixed dims),
   * `'needs fixed dims'` (not counted: input dims are left symbolic, see `assumedOne`) or `'unavailable'` (the dry
   * run could not run).
   */
  method: 'profiled dry run' | 'needs fixed dims' | 'unavailable';
  /**
   * Input dims left symbolic (their symbol, or `input[axis]` for an anonymous dim). The zero-input dry run takes
   * them as 1 to run at all, which is why MACs are not counted then: fix them with `onnx_define_symbol`
   * (`-onnx-define-symbol=<symbol>,<value>`) or `batchsize`.
   */
  assumedOne: string[];
}

/** The compile report. Times in milliseconds. */
export interface CompileReport {
  /** absolute path of the source `.onnx` model */
  model: string;
  /** SHA-256 of the model file, hex */
  modelSha256: string;
  /** onnxruntime-node version that compiled it (programs record it: optimized graphs are version-specific) */
  onnxruntimeVersion: string;
  /** input specs of the compiled graph, with the fixed dims */
  inputs: ValueSpec[];
  /** output specs of the compiled graph; dims the dry run measured are numbers */
  outputs: ValueSpec[];
  /** node counts by operator type (`domain::Op` for non-default domains) before optimization, most frequent first */
  operators: Record<string, number>;
  /** node counts by operator type after onnxruntime's optimization (fusions show here, e.g. `com.microsoft::FusedConv`) */
  optimizedOperators: Record<string, number>;
  /** nodes before optimization (subgraph nodes included) */
  nodes: number;
  /** nodes after optimization */
  optimizedNodes: number;
  /** parameters of the source model: initializers plus `Constant` node tensors */
  parameters: {
    /** parameter elements */
    count: number;
    /** parameter bytes as stored in the source model (external data counted by its length) */
    bytes: number;
    /** how many tensors hold them */
    tensors: number;
  };
  /** multiply-accumulates per inference (counted on the dry run's shapes) */
  macs: MacCount;
  /** symbols fixed by `onnx_define_symbol` or `batchsize` */
  fixed: FixDimsResult['fixed'];
  /** inputs whose anonymous first dim was fixed by `batchsize` */
  batchFixedInputs: string[];
  /** input and output dims still symbolic after compilation (output dims the dry run measured are not listed) */
  leftSymbolic: FixDimsResult['leftSymbolic'];
  /** options accepted with no effect on this backend, with their values */
  ignored: Record<string, unknown>;
  /** what graph optimization was applied and how activations load the result */
  optimization: {
    /** onnxruntime graph optimization level the graph was saved at (`'all'`; `'basic'` for a program for the GPU) */
    level: string;
    /**
     * the compute units the program was compiled for (`compute_unit`), in fallback order; absent in programs compiled
     * before compute units existed (CPU programs)
     */
    computeUnits?: string[];
    /** onnxruntime session options activations load the graph with (e.g. `graphOptimizationLevel: 'disabled'`, or `'basic'` for float16 programs) */
    loadWith: Record<string, unknown>;
    /** CPU features the saved graph relies on (e.g. `avx2`); empty when it is portable */
    hostFeatures: string[];
  };
  /** set when the zero-input dry run failed; output shapes are then the declared ones */
  dryRunError?: string;
  /**
   * where onnxruntime placed each node (the partition report, as `session.placement` gives it), measured at compile
   * time by loading the stored graph with the providers of `optimization.computeUnits` this host has and running it
   * once on zeros; only when those units list more than the CPU. A list without `'cpu'` is measured with the CPU
   * allowed, so that the nodes an activation would refuse show up on it.
   */
  placement?: PlacementReport;
  /** why {@link placement} is missing although the units list more than the CPU (no listed accelerator on this host, or the measurement failed) */
  placementUnmeasured?: string;
  /** the float16 pass's report, when `convert_to_fp16` was set */
  fp16?: Fp16Report;
  /** the int8 pass's report, when compiled with `load_profile` or `convert_to_quantize` */
  quantization?: QuantizationReport;
  /**
   * the graphs of a program compiled with `specializations`, in program order: name, the symbol sizes that
   * specialization gave, and its input and output specs (each graph's own full report is in the program's manifest)
   */
  specializations?: Array<{
    /** the graph's name in the program */
    graph: string;
    /** the sizes this specialization gave (on top of `onnx_define_symbol`) */
    symbols: Record<string, number>;
    /** the graph's inputs */
    inputs: ValueSpec[];
    /** the graph's outputs */
    outputs: ValueSpec[];
  }>;
  /** where the compile time went, in ms */
  timings: {
    /** reading and decoding the model file */
    readMs: number;
    /** operator check, fixing dims, the float16 pass and encoding the rewritten model */
    passesMs: number;
    /** onnxruntime's graph optimization (level `'all'`) */
    optimizeMs: number;
    /** the zero-input run that measures output shapes and MACs */
    dryRunMs: number;
    /** decoding the optimized graph, float16 weight storage and writing `programqpc.bin` */
    writeMs: number;
    /** the whole compile, from reading the model to the written program */
    totalMs: number;
  };
}

/** Node counts by operator type over a graph and its subgraphs. */
export function operatorCounts(graph: GraphProto | undefined): { counts: Record<string, number>; nodes: number } {
  const counts: Record<string, number> = {};
  let nodes = 0;
  const visit = (g: GraphProto): void => {
    for (const n of g.node ?? []) {
      nodes++;
      const key = n.domain !== undefined && n.domain !== '' && n.domain !== 'ai.onnx' ? `${n.domain}::${n.op_type ?? '?'}` : (n.op_type ?? '?');
      counts[key] = (counts[key] ?? 0) + 1;
      for (const a of n.attribute ?? []) {
        if (a.g !== undefined) visit(a.g);
        for (const s of a.graphs ?? []) visit(s);
      }
    }
  };
  if (graph !== undefined) visit(graph);
  return { counts: Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))), nodes };
}

/**
 * Parameter count and bytes of a model's main graph: its initializers plus the tensors of its `Constant` nodes
 * (exporters such as paddle2onnx store all weights as Constants).
 */
export function parameterStats(model: ModelProto): CompileReport['parameters'] {
  let count = 0;
  let bytes = 0;
  let tensors = 0;
  const add = (t: TensorProto): void => {
    const elements = (t.dims ?? []).reduce<number>((p, d) => p * Number(d), 1);
    count += elements;
    bytes += tensorDataBytes(t);
    tensors++;
  };
  for (const t of model.graph?.initializer ?? []) add(t);
  for (const n of model.graph?.node ?? []) {
    if (n.op_type !== 'Constant' || (n.domain !== undefined && n.domain !== '')) continue;
    const value = (n.attribute ?? []).find((a) => a.name === 'value')?.t;
    if (value !== undefined) add(value);
  }
  return { count, bytes, tensors };
}

/** One node of a profiled run: operator type and the shapes of its inputs and outputs. */
export interface ProfiledNode {
  op: string;
  inputs: number[][];
  outputs: number[][];
}

const numel = (shape: readonly number[] | undefined): number => (shape ?? []).reduce((p, d) => p * d, 1);

/**
 * Multiply-accumulates of one node from its shapes; `undefined` for operators that are not counted.
 *
 * - Conv family: output elements × (input channels per group × kernel size) = `numel(Y) × numel(W[1:])`.
 * - ConvTranspose: every input element meets `W[1:]` weights: `numel(X) × numel(W[1:])`.
 * - MatMul family: `numel(Y) × K`, K the last dim of A.
 * - Gemm: `numel(Y) × K`, K = `numel(A) / M` (whatever transA says).
 */
export function nodeMacs(node: ProfiledNode): number | undefined {
  const y = node.outputs[0];
  switch (node.op) {
    case 'Conv': case 'ConvInteger': return numel(y) * numel(node.inputs[1]?.slice(1));
    case 'QLinearConv': return numel(y) * numel(node.inputs[3]?.slice(1));
    case 'ConvTranspose': return numel(node.inputs[0]) * numel(node.inputs[1]?.slice(1));
    case 'MatMul': case 'MatMulInteger': {
      const a = node.inputs[0] ?? [];
      return numel(y) * (a[a.length - 1] ?? 1);
    }
    case 'QLinearMatMul': {
      const a = node.inputs[0] ?? [];
      return numel(y) * (a[a.length - 1] ?? 1);
    }
    case 'Gemm': {
      const m = y?.[0] ?? 1;
      return m === 0 ? 0 : numel(y) * (numel(node.inputs[0]) / m);
    }
    default: return undefined;
  }
}

/**
 * Sum MACs by operator type over profiled nodes. With input dims left symbolic (`assumedOne` not empty) the nodes'
 * shapes are those of made-up dims: nothing is counted and `method` says MACs need fixed dims.
 */
export function countMacs(nodes: readonly ProfiledNode[], assumedOne: string[]): MacCount {
  if (assumedOne.length > 0) return { total: 0, byOperator: {}, counted: [], method: 'needs fixed dims', assumedOne };
  const byOperator: Record<string, number> = {};
  let total = 0;
  for (const n of nodes) {
    const m = nodeMacs(n);
    if (m === undefined) continue;
    byOperator[n.op] = (byOperator[n.op] ?? 0) + m;
    total += m;
  }
  return { total, byOperator, counted: MAC_COUNTED_OPS, method: 'profiled dry run', assumedOne };
}

function shape(spec: ValueSpec): string {
  if (spec.nonTensor !== undefined) return spec.nonTensor;
  const type = spec.dtype ?? onnxTypeName(spec.onnxType);
  return `${type}[${(spec.shape ?? ['?']).map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function si(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(3)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(3)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(3)} k`;
  return `${n} `;
}

/** The warning for input dims the program keeps symbolic, with the flag that fixes each named one. */
function symbolicWarning(inputs: CompileReport['leftSymbolic']): string {
  const symbols = [...new Set(inputs.map((l) => l.symbol).filter((s): s is string => s !== null))];
  const dims = inputs.map((l) => `${l.value} axis ${l.axis}${l.symbol === null ? ' (anonymous)' : ` (${l.symbol})`}`).join(', ');
  const fix = symbols.length > 0 ? `: fix them with ${symbols.map((s) => `-onnx-define-symbol=${s},<value>`).join(' ')} (onnx_define_symbol in code)` : ': fix an anonymous first dim with -batchsize=<value>';
  return `WARNING: the program keeps symbolic input dims ${dims}. It accepts inputs of any size there, but output shapes, MACs, and the random inputs of runBenchmark() and qaic-runner need fixed dims${fix}`;
}

/** The human-readable report `qaic-exec` prints. */
export function formatReport(r: CompileReport): string {
  const lines: string[] = [];
  lines.push(`Model: ${r.model} (sha256 ${r.modelSha256.slice(0, 16)}…), onnxruntime ${r.onnxruntimeVersion}`);
  lines.push('Inputs:');
  for (const i of r.inputs) lines.push(`  ${i.name}: ${shape(i)}`);
  lines.push('Outputs:');
  for (const o of r.outputs) lines.push(`  ${o.name}: ${shape(o)}`);
  if (r.fixed.length > 0) lines.push(`Fixed: ${r.fixed.map((f) => `${f.symbol}=${f.value} (${f.from}, ${f.dims} dims)`).join(', ')}`);
  if (r.batchFixedInputs.length > 0) lines.push(`Batch size fixed the first dim of: ${r.batchFixedInputs.join(', ')}`);
  if (r.leftSymbolic.length > 0) lines.push(`Left symbolic: ${r.leftSymbolic.map((l) => `${l.kind} ${l.value} axis ${l.axis} (${l.symbol ?? 'anonymous'})`).join(', ')}`);
  const symbolicInputs = r.leftSymbolic.filter((l) => l.kind === 'input');
  if (symbolicInputs.length > 0) lines.push(symbolicWarning(symbolicInputs));
  const ignored = Object.keys(r.ignored);
  if (ignored.length > 0) lines.push(`Ignored (no effect on the CPU backend): ${ignored.join(', ')}`);
  lines.push(`Parameters: ${r.parameters.count.toLocaleString('en-US')} in ${r.parameters.tensors} tensors, ${r.parameters.bytes.toLocaleString('en-US')} bytes`);
  lines.push(`Operators (${r.nodes} nodes): ${Object.entries(r.operators).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`After optimization (${r.optimizedNodes} nodes): ${Object.entries(r.optimizedOperators).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (r.macs.method === 'needs fixed dims') {
    lines.push(`MACs per inference: not counted: they depend on the input dims, and ${r.macs.assumedOne.join(', ')} ${r.macs.assumedOne.length === 1 ? 'is' : 'are'} left symbolic (fix ${r.macs.assumedOne.length === 1 ? 'it' : 'them'} to count MACs)`);
  } else if (r.macs.method === 'unavailable') {
    lines.push(`MACs per inference: unavailable${r.dryRunError === undefined ? '' : ` (dry run failed: ${r.dryRunError})`}`);
  } else {
    const by = Object.entries(r.macs.byOperator).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${si(v)}MAC`).join(', ');
    lines.push(`MACs per inference: ${si(r.macs.total)}MAC (${r.macs.total.toLocaleString('en-US')})${by === '' ? '' : `: ${by}`}`);
    lines.push(`  counted: ${r.macs.counted.join(', ')}${r.macs.assumedOne.length > 0 ? `; symbols taken as 1: ${r.macs.assumedOne.join(', ')}` : ''}`);
  }
  lines.push(`Optimization: level '${r.optimization.level}', activations load with ${JSON.stringify(r.optimization.loadWith)}${r.optimization.hostFeatures.length > 0 ? `; host-specific (${r.optimization.hostFeatures.join(' ')})` : '; portable'}`);
  if (r.fp16 !== undefined) {
    for (const w of r.fp16.warnings) lines.push(w);
    lines.push(`Compiling model with FP16 precision: ${Object.values(r.fp16.float16Ops).reduce((a, b) => a + b, 0)} nodes in float16, ${r.fp16.keptNodes.length} kept in float32, ${r.fp16.castsInserted} casts; weights ${r.fp16.weightBytesBefore.toLocaleString('en-US')} -> ${r.fp16.weightBytesAfter.toLocaleString('en-US')} bytes`);
  }
  if (r.quantization !== undefined) lines.push(...formatQuantization(r.quantization));
  lines.push(...placementLines(r));
  const t = r.timings;
  lines.push(`Time: ${t.totalMs.toFixed(0)} ms (read ${t.readMs.toFixed(0)}, passes ${t.passesMs.toFixed(0)}, optimize ${t.optimizeMs.toFixed(0)}, dry run ${t.dryRunMs.toFixed(0)}, write ${t.writeMs.toFixed(0)})`);
  return lines.join('\n');
}

/** The report's placement lines: the compute units, then the partition report or why there is none. */
function placementLines(r: CompileReport): string[] {
  const units = r.optimization.computeUnits;
  if (units === undefined || units.every((u) => u === 'cpu')) return [];
  const lines = [`Compute units: ${units.join(', ')}`];
  if (r.placement === undefined) return [...lines, `Placement: not measured: ${r.placementUnmeasured ?? 'unknown reason'}`];
  lines.push(...formatPlacement(r.placement, 12, 'at compile'));
  const refused = units.includes('cpu') ? [] : cpuNodes(r.placement);
  if (refused.length > 0) {
    lines.push(`WARNING: compute_unit lists no cpu, so activations refuse this graph: ${refused.length} node(s) only the CPU runs (${refused.slice(0, 5).map((n) => `${n.name} (${n.op})`).join(', ')}${refused.length > 5 ? ', ...' : ''})`);
  }
  return lines;
}

/**
 * What the int8 pass did ({@link QdqReport}), how its ranges were chosen, and what onnxruntime made of it: the int8
 * kernels counted in the optimized graph (so that fusion is verified, not assumed) and the Q/DQ nodes it left.
 */
export interface QuantizationReport extends QdqReport {
  /** fused int8 kernels in the optimized graph by operator type (QLinearConv, QLinearMatMul, MatMulIntegerToFloat, ...) */
  int8Kernels: Record<string, number>;
  /**
   * QuantizeLinear/DequantizeLinear nodes left in the optimized graph: conversions where an int8 region meets a float
   * one (the model's input, an operator kept in float32), or pairs onnxruntime did not fuse
   */
  unfusedQdq: Record<string, number>;
  /** `quantization_calibration` */
  calibration: string;
  /** `percentile_calibration_value`, with the Percentile method */
  percentile?: number;
  /** `quantization_schema_activations` */
  activationSchema: string;
  /** `quantization_schema_constants` */
  constantSchema: string;
  /** bits of the weights' integer range: 8, or 7 on hosts whose int8 kernels saturate 8-bit products (see {@link weightBitsReason}) */
  weightBits: 7 | 8;
  /** why the weights use {@link weightBits} bits on the compiling host */
  weightBitsReason: string;
  /** SHA-256 of the profile's content (what the compile key holds) */
  profileSha256: string;
  /** where the profile came from: the `load_profile` path, or 'calibration_inputs' */
  profile: string;
  /**
   * the nodes `keep_stem_nodes` kept in float, with the own error the profile predicted for each in int8 (relative
   * RMS), in graph order (the stem: by default one per 15 quantized nodes); empty with `keep_stem_nodes: 0`
   */
  keptStem: NodeErrorEstimate[];
}

/** The report's int8 lines. */
export function formatQuantization(q: QuantizationReport): string[] {
  const list = (o: Record<string, number>): string => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const quantized = Object.values(q.quantizedNodes).reduce((a, b) => a + b, 0);
  const kernels = Object.values(q.int8Kernels).reduce((a, b) => a + b, 0);
  const lines = [
    `Compiling model with Int8 precision: profile ${q.profile} (sha256 ${q.profileSha256.slice(0, 12)}…), calibration ${q.calibration}${q.percentile === undefined ? '' : ` ${q.percentile}`}, activations ${q.activationSchema}, constants ${q.constantSchema}, ${q.weightBits}-bit weights`,
    `  quantized nodes: ${quantized} (${list(q.quantizedNodes)}); ${q.activationTensors} activation tensors; weights ${q.weights.count}, ${q.weights.bytesBefore.toLocaleString('en-US')} -> ${q.weights.bytesAfter.toLocaleString('en-US')} bytes`,
    `  int8 kernels after optimization: ${kernels} (${list(q.int8Kernels)}); unfused Q/DQ: ${list(q.unfusedQdq)}`,
  ];
  if (q.weightBits !== 8) lines.push(`  ${q.weightBits}-bit weights: ${q.weightBitsReason}`);
  if (q.notQuantized !== undefined) lines.push(`  nothing quantized, the model stays float32: ${q.notQuantized}`);
  if (q.keptStem.length > 0) lines.push(`  kept in float as the stem (keep_stem_nodes; 0 turns this off): ${q.keptStem.map((k) => `${k.node} (${k.op}, predicted ${k.estimate.toExponential(1)})`).join(', ')}`);
  if (q.keptFloat.length > 0) lines.push(`  kept in float32: ${q.keptFloat.slice(0, 12).map((k) => `${k.node} (${k.op}, ${k.reason})`).join(', ')}${q.keptFloat.length > 12 ? `, ... (${q.keptFloat.length})` : ''}`);
  if (kernels === 0) lines.push('  warning: onnxruntime fused no int8 kernel: the program runs in float32 with quantize/dequantize conversions');
  if (q.biasSaturated > 0) lines.push(`  warning: ${q.biasSaturated} bias values saturated int32`);
  return lines;
}
