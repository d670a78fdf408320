/**
 * From what the user named (an `.onnx` model, a program folder or `programqpc.bin`) to what activations load.
 *
 * `describeSource()` is synchronous and cheap enough for the constructor: it classifies the path and fails fast
 * when it is missing. `prepareGraph()` does the expensive part (reading, compiling or verifying) once per session,
 * before the first activation starts.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { QaicError } from './errors.js';
import { readModelFile, modelIO, type ValueSpec } from './onnx/model.js';
import type { ResolvedOptions } from './options.js';
import { findGraph, openProgram, readManifestSync } from './program/open.js';
import type { ManifestGraph } from './program/types.js';
import { compileResolved } from './compiler/compile.js';
import { describeGraphInputs, overlappingGraphs } from './specializations.js';

/** What kind of thing the user's path is. */
export type SourceKind = 'onnx' | 'program';

/** A classified, existing model or program path. */
export interface SourceDescription {
  /** `'onnx'` for a model file, `'program'` for a compiled program (folder or `programqpc.bin`). */
  kind: SourceKind;
  /** the `.onnx` file, or the program's `programqpc.bin` */
  path: string;
}

/** One graph a session serves: what an activation loads for it and what its runs are checked against. */
export interface ServedGraph {
  /** graph name (the program's graph name, or `'main'` for a plain model) */
  name: string;
  /**
   * file onnxruntime loads; `''` for a graph of a program after the first until its first use (see
   * {@link PreparedGraph.loadGraph})
   */
  modelPath: string;
  /** onnxruntime session options that come with the graph */
  sessionOptions: Record<string, unknown>;
  /** the graph's inputs, in declaration order */
  inputs: ValueSpec[];
  /** the graph's outputs, in declaration order */
  outputs: ValueSpec[];
  /** batch size the graph was built for (1 when unknown) */
  batchSize: number;
}

/** The option value that makes a session pick the graph per run from the input shapes. */
export const AUTO_GRAPH = 'auto';

/**
 * What activations need to load one graph (and, with `graph: 'auto'`, the others of its program): the first graph's
 * {@link ServedGraph} fields (its inputs are the real ones: initializers listed as inputs left out), plus how it was
 * prepared.
 */
export interface PreparedGraph extends ServedGraph {
  /** how long preparing took (reading, compiling or verifying the program), in milliseconds */
  prepareMs: number;
  /** `true` when compiling reused an unchanged program from `output_dir` or the compile cache instead of compiling */
  cached: boolean;
  /** where the program lives, when there is one */
  programDir?: string;
  /**
   * the compute units the program's first served graph was compiled for, as its manifest records them (`['cpu']` for
   * programs from before compute units were recorded); undefined for a model loaded uncompiled, or when the record is
   * malformed (the manifest is read as untrusted)
   */
  compiledFor?: readonly string[];
  /**
   * Every graph the session serves, in program order; the {@link ServedGraph} fields of this object are the first's.
   * One entry unless graphs are picked per run ({@link auto}).
   */
  graphs: ServedGraph[];
  /** whether each run goes to the graph whose input shapes equal the given ones (`graph: 'auto'`) */
  auto: boolean;
  /**
   * Make graph `index` of {@link graphs} loadable, once, and resolve with its file (also set as its `modelPath`).
   * The first graph is loadable from the start; a program's others are verified, decoded and written out for
   * onnxruntime only when a run or benchmark first needs them, so a program of many shapes costs start-up only one.
   * A failed attempt (e.g. `QAIC_PROGRAM_HOST_MISMATCH`) is retried by the next call.
   */
  loadGraph(index: number): Promise<string>;
}

/**
 * Classify `modelPath` and check that it exists.
 *
 * @throws QaicError `QAIC_FILE_NOT_FOUND` naming the path; `QAIC_INVALID_ARGUMENT` for a path that is neither an
 *   `.onnx` file nor a program.
 */
export function describeSource(modelPath: unknown): SourceDescription {
  if (typeof modelPath !== 'string' || modelPath.length === 0) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `model_path must be the path of an .onnx model or a program (folder or programqpc.bin), got ${String(modelPath)}`, {
      details: { argument: 'model_path' },
    });
  }
  let stats;
  try {
    stats = statSync(modelPath);
  } catch (error) {
    throw new QaicError('QAIC_FILE_NOT_FOUND', `model file '${modelPath}' does not exist or cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: error,
      details: { file: modelPath },
    });
  }
  if (stats.isDirectory()) {
    const bin = join(modelPath, 'programqpc.bin');
    try {
      statSync(bin);
    } catch (error) {
      throw new QaicError('QAIC_FILE_NOT_FOUND', `'${modelPath}' is a folder without programqpc.bin; pass an .onnx model, a program folder or its programqpc.bin`, {
        cause: error,
        details: { file: bin },
      });
    }
    return { kind: 'program', path: bin };
  }
  if (modelPath.endsWith('.bin')) return { kind: 'program', path: modelPath };
  return { kind: 'onnx', path: modelPath };
}

/**
 * One graph of a program, as activations load it: the program's graph file, whose weights map from programqpc.bin
 * (never the source ONNX). `t0` is when preparing started, for `prepareMs`.
 */
async function programGraph(programPath: string, graphName: string | undefined, t0: number, cached: boolean): Promise<PreparedGraph> {
  const program = await openProgram(programPath);
  const names = servedGraphNames(programPath, program.graphs, graphName);
  const served = (g: ManifestGraph, modelPath: string): ServedGraph => ({
    name: g.name, modelPath, sessionOptions: g.sessionOptions, inputs: g.inputs, outputs: g.outputs, batchSize: g.batchSize,
  });
  // only the first graph is made loadable now; the others when first used (see loadGraph)
  const loadable = await program.loadable(names[0]);
  const graphs = [served(loadable, loadable.modelPath), ...names.slice(1).map((name) => served(findGraph(programPath, program.graphs, name), ''))];
  const loading = new Map<number, Promise<string>>();
  const loadGraph = (index: number): Promise<string> => {
    const graph = graphs[index];
    if (graph === undefined) return Promise.reject(new QaicError('QAIC_INTERNAL', `no graph ${index} is served (${graphs.length} are)`));
    if (graph.modelPath !== '') return Promise.resolve(graph.modelPath);
    let made = loading.get(index);
    if (made === undefined) {
      made = program.loadable(graph.name).then((g) => {
        graph.modelPath = g.modelPath;
        return g.modelPath;
      }, (error: unknown) => {
        loading.delete(index);
        throw error;
      });
      loading.set(index, made);
    }
    return made;
  };
  const compiledFor = compiledUnits(loadable.report);
  return { ...graphs[0]!, prepareMs: performance.now() - t0, cached, programDir: program.dir, graphs, auto: graphs.length > 1, loadGraph, ...(compiledFor === undefined ? {} : { compiledFor }) };
}

/**
 * The compute units a graph's stored compile report says it was compiled for: `['cpu']` when the report has no such
 * record (programs compiled before units were recorded were CPU programs); undefined when the record is there but
 * is not a list of unit names, since the manifest is untrusted input.
 */
function compiledUnits(report: unknown): readonly string[] | undefined {
  const optimization = typeof report === 'object' && report !== null ? (report as { optimization?: unknown }).optimization : undefined;
  const units = typeof optimization === 'object' && optimization !== null ? (optimization as { computeUnits?: unknown }).computeUnits : undefined;
  if (units === undefined) return Object.freeze(['cpu']);
  if (!Array.isArray(units) || units.length === 0 || !units.every((u) => u === 'cpu' || u === 'gpu' || u === 'npu')) return undefined;
  return Object.freeze([...units as string[]]);
}

/** {@link PreparedGraph.loadGraph} of a graph that is loadable from the start. */
function loadedGraph(graph: ServedGraph): (index: number) => Promise<string> {
  return (index) => (index === 0 ? Promise.resolve(graph.modelPath) : Promise.reject(new QaicError('QAIC_INTERNAL', `no graph ${index} is served (1 is)`)));
}

/** Names of a graph's inputs or outputs, in order, as one comparable string. */
function namesOf(specs: readonly ValueSpec[]): string {
  return JSON.stringify(specs.map((s) => s.name));
}

/**
 * Which graphs of a program a session serves: the one named by `graph`; every graph for `'auto'`, which is also the
 * default when there are several that share input and output names (a program of specializations or a link of one
 * model at several shapes); else the first. Picking per run needs graphs a run's inputs tell apart: graphs with
 * different input names are refused for `'auto'` (the default then takes the first), and graphs whose inputs take
 * the same shapes and dtypes are refused for `'auto'` and for the default alike (no run could say which one it
 * meant, so the user must name one).
 *
 * @throws QaicError `QAIC_GRAPH_NOT_FOUND` for an unknown name; `QAIC_INVALID_OPTION` for `'auto'` on graphs whose
 *   inputs or outputs differ in names, and for `'auto'` or the default on graphs whose inputs take the same shapes
 *   and dtypes (naming them and their shapes)
 */
export function servedGraphNames(file: string, graphs: readonly ManifestGraph[], graphName: string | undefined): string[] {
  if (graphName !== undefined && graphName !== AUTO_GRAPH) return [findGraph(file, graphs, graphName).name];
  const first = graphs[0]!;
  const differing = graphs.find((g) => namesOf(g.inputs) !== namesOf(first.inputs) || namesOf(g.outputs) !== namesOf(first.outputs));
  if (differing !== undefined) {
    if (graphName === undefined) return [first.name];
    throw new QaicError('QAIC_INVALID_OPTION',
      `option 'graph': 'auto' picks a graph per run by its input shapes, which needs graphs with the same input and output names, but in program '${file}' graph '${first.name}' has inputs ${namesOf(first.inputs)} and outputs ${namesOf(first.outputs)} while graph '${differing.name}' has inputs ${namesOf(differing.inputs)} and outputs ${namesOf(differing.outputs)}; pass graph: one of ${graphs.map((g) => `'${g.name}'`).join(', ')}`,
      { details: { option: 'graph', file, graphs: graphs.map((g) => g.name) } });
  }
  const same = overlappingGraphs(graphs);
  if (same !== undefined) {
    const [a, b] = same;
    throw new QaicError('QAIC_INVALID_OPTION',
      `option 'graph': ${graphName === undefined ? "the default ('auto' for a program of several graphs with the same input names)" : "'auto'"} picks a graph per run by its inputs' shapes and dtypes, but in program '${file}' graphs '${a.name}' (${describeGraphInputs(a.inputs)}) and '${b.name}' (${describeGraphInputs(b.inputs)}) take the same ones, so no run could choose between them; pass graph: one of ${graphs.map((g) => `'${g.name}'`).join(', ')}`,
      { details: { option: 'graph', file, graphs: graphs.map((g) => g.name), candidates: [a.name, b.name], shapes: Object.fromEntries([a, b].map((g) => [g.name, describeGraphInputs(g.inputs)])) } });
  }
  return graphs.map((g) => g.name);
}

/**
 * Prepare the graph activations will load.
 *
 * For an `.onnx` model with `compile` on (the default) this compiles the model into a program (see
 * `compiler/compile.ts`) and loads the program's graph; with `compile: false` it reads the model (so that input
 * checks have its specs) and loads it as it is, or takes the specs from `peeked` ({@link peekIO}'s answer for the
 * same source) when the session already read them, so the model is not read and decoded a second time. A program
 * source loads the program's graph.
 *
 * @throws QaicError `QAIC_MODEL_INVALID`, `QAIC_FILE_NOT_FOUND`; for programs also `QAIC_PROGRAM_CORRUPT`,
 *   `QAIC_PROGRAM_VERSION`, `QAIC_PROGRAM_HOST_MISMATCH` and `QAIC_GRAPH_NOT_FOUND` (for `options.graph`)
 */
export async function prepareGraph(
  source: SourceDescription,
  options: ResolvedOptions,
  peeked?: { inputs: ValueSpec[]; outputs: ValueSpec[] },
): Promise<PreparedGraph> {
  const t0 = performance.now();
  if (source.kind === 'program') {
    return programGraph(source.path, options.graph, t0, false);
  }
  if (options.compile) {
    // Compile on create, like the Python API: into output_dir (with options.yaml), else into the compile cache; an
    // unchanged model with unchanged compile options reuses the program. Activations load the program's graph.
    const compiled = await compileResolved(source.path, options);
    return programGraph(compiled.programPath, options.graph, t0, compiled.cached);
  }
  const io = peeked ?? modelIO(readModelFile(source.path).model);
  checkSymbolsUsed(io, options.onnx_define_symbol, source.path);
  const graph: ServedGraph = {
    name: 'main',
    modelPath: source.path,
    sessionOptions: {},
    inputs: io.inputs,
    outputs: io.outputs,
    batchSize: batchSizeOf(io.inputs, options),
  };
  return { ...graph, prepareMs: performance.now() - t0, cached: false, graphs: [graph], auto: false, loadGraph: loadedGraph(graph) };
}

/**
 * Without compiling, `onnx_define_symbol` only fixes the shapes inputs are checked against, so a symbol no input or
 * output uses would do nothing: refused as the compiler refuses a symbol the model lacks, naming the ones it has.
 *
 * @throws QaicError `QAIC_UNKNOWN_SYMBOL`
 */
function checkSymbolsUsed(io: { inputs: ValueSpec[]; outputs: ValueSpec[] }, symbols: Readonly<Record<string, number>>, file: string): void {
  const known = [...new Set([...io.inputs, ...io.outputs].flatMap((spec) => (spec.shape ?? []).filter((d): d is string => typeof d === 'string')))];
  for (const name of Object.keys(symbols)) {
    if (known.includes(name)) continue;
    throw new QaicError('QAIC_UNKNOWN_SYMBOL',
      `onnx_define_symbol names '${name}', but '${file}' has ${known.length === 0 ? 'no symbolic dimensions in its inputs and outputs' : `the symbols ${known.map((k) => `'${k}'`).join(', ')} in its inputs and outputs`} (compile: false)`,
      { details: { option: 'onnx_define_symbol', symbol: name, modelSymbols: known, file } });
  }
}

/** The batch size implied by the first input's first dimension (after symbol definitions), else 1. */
export function batchSizeOf(inputs: readonly ValueSpec[], options: Pick<ResolvedOptions, 'onnx_define_symbol' | 'batchsize'>): number {
  if (options.batchsize !== undefined) return options.batchsize;
  const first = inputs[0]?.shape?.[0];
  if (typeof first === 'number') return first;
  if (typeof first === 'string' && Object.hasOwn(options.onnx_define_symbol, first)) return options.onnx_define_symbol[first]!;
  return 1;
}

/**
 * Input and output specs readable without preparing the graph (for shape dictionaries before activation).
 */
export function peekIO(source: SourceDescription, graphName?: string): { inputs: ValueSpec[]; outputs: ValueSpec[] } {
  if (source.kind === 'program') {
    // header and manifest only: section checksums are verified when the graph is prepared
    const { file, manifest } = readManifestSync(source.path);
    const graph = findGraph(file, manifest.graphs, graphName === AUTO_GRAPH ? undefined : graphName);
    return { inputs: graph.inputs, outputs: graph.outputs };
  }
  return modelIO(readModelFile(source.path).model);
}
