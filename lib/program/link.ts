/**
 * Link: several programs in, one program out, with several named graphs whose weights are shared automatically by
 * name and content (the AI Hub's "link" of compiled graphs). Weights that differ keep one copy per graph.
 */
import { basename, dirname, resolve } from 'node:path';
import { QaicError, describeValue } from '../errors.js';
import { decodeModel } from '../onnx/model.js';
import type { TensorProto } from '../onnx/schema.js';
import { GRAPH_NAME_PATTERN, PROGRAM_FILE } from './format.js';
import { openProgram, type OpenedProgramWithManifest } from './open.js';
import { writeProgram, type WrittenProgram } from './write.js';
import type { GraphToStore, ProgramProvenance } from './types.js';

/** Options of {@link link}. */
export interface LinkOptions {
  /**
   * Names of the linked graphs, one per graph in input order (a program with several graphs contributes all of
   * them). Default: each graph keeps its name, except that the single `'main'` graph of a compiled program is named
   * after its program folder (`det-landscape/` gives `'det-landscape'`).
   */
  names?: string[];
  /** folder the linked program is written to (created when missing) */
  output_dir: string;
  /** accept programs whose graphs need CPU features this host lacks (they are copied, not loaded). @defaultValue true */
  allowHostMismatch?: boolean;
}

/** What {@link link} wrote. */
export interface LinkResult extends WrittenProgram {
  /** the graph names of the linked program, in order */
  graphs: string[];
  /** total weight bytes of the input programs (what the linked program would hold without sharing) */
  inputWeightBytes: number;
}

function defaultName(program: OpenedProgramWithManifest, graphName: string): string {
  if (program.graphs.length === 1 && graphName === 'main') {
    const folder = basename(basename(program.path) === PROGRAM_FILE ? dirname(resolve(program.path)) : program.path.replace(/\.bin$/, ''));
    if (GRAPH_NAME_PATTERN.test(folder)) return folder;
  }
  return graphName;
}

/** Bring a stored graph's external initializers back inline, from the verified weight bytes of its program. */
async function inlineWeights(program: OpenedProgramWithManifest, graphName: string): Promise<GraphToStore['model']> {
  const section = program.manifest.sections.find((s) => s.kind === 'graph' && s.graph === graphName)!;
  const model = decodeModel(await program.readRegion(section.offset, section.length), `graph '${graphName}' of program '${program.path}'`);
  const byPlace = new Map(program.manifest.weights.map((w) => [`${w.offset}:${w.length}`, w]));
  const initializer: TensorProto[] = [];
  for (const t of model.graph!.initializer ?? []) {
    if (t.data_location !== 1) {
      initializer.push(t);
      continue;
    }
    const ext = new Map((t.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const place = `${ext.get('offset') ?? ''}:${ext.get('length') ?? ''}`;
    const weight = byPlace.get(place);
    if (weight === undefined || ext.get('location') !== PROGRAM_FILE) {
      throw new QaicError('QAIC_PROGRAM_CORRUPT', `program '${program.path}' is corrupt: graph '${graphName}' initializer '${t.name ?? ''}' points at ${ext.get('location') ?? '?'} bytes ${place}, which is no weight of the program`, {
        details: { file: program.path, graph: graphName },
      });
    }
    const { external_data: _e, data_location: _l, ...rest } = t;
    initializer.push({ ...rest, raw_data: await program.readRegion(weight.offset, weight.length) });
  }
  return { ...model, graph: { ...model.graph!, initializer } };
}

/**
 * Link programs into one program in `output_dir`: every graph of every input program, named, with weights that
 * have the same name and the same bytes stored once (full sharing when the graphs are the same model at different
 * shapes, partial when some weights differ, none when all differ).
 *
 * @param programs program folders or `programqpc.bin` paths, in order
 * @throws QaicError `QAIC_INVALID_ARGUMENT` (no programs, bad or clashing names, wrong names count),
 *   `QAIC_FILE_NOT_FOUND`, `QAIC_PROGRAM_CORRUPT`, `QAIC_PROGRAM_VERSION` (an input program fails verification)
 */
export async function link(programs: string[], options: LinkOptions): Promise<LinkResult> {
  if (!Array.isArray(programs) || programs.length === 0 || !programs.every((p) => typeof p === 'string' && p !== '')) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `link: programs must be a non-empty array of program folders or programqpc.bin paths, got ${describeValue(programs)}`, { details: { argument: 'programs' } });
  }
  if (typeof options !== 'object' || options === null || typeof options.output_dir !== 'string' || options.output_dir === '') {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `link: options.output_dir must be the folder to write the linked program to, got ${describeValue(options?.output_dir)}`, { details: { argument: 'output_dir' } });
  }
  if (options.names !== undefined && (!Array.isArray(options.names) || !options.names.every((n) => typeof n === 'string'))) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `link: options.names must be an array of graph names, got ${describeValue(options.names)}`, { details: { argument: 'names' } });
  }
  const opened: OpenedProgramWithManifest[] = [];
  for (const p of programs) opened.push(await openProgram(p, { allowHostMismatch: options.allowHostMismatch ?? true }));
  const pairs = opened.flatMap((program) => program.graphs.map((graph) => ({ program, graph })));
  if (options.names !== undefined && options.names.length !== pairs.length) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `link: options.names has ${options.names.length} name(s) but the programs hold ${pairs.length} graph(s) (${pairs.map((p) => `'${p.graph.name}' of ${p.program.path}`).join(', ')})`, { details: { argument: 'names' } });
  }
  const names = pairs.map((p, i) => options.names?.[i] ?? defaultName(p.program, p.graph.name));
  const seen = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    if (!GRAPH_NAME_PATTERN.test(name)) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `link: graph name ${describeValue(name)} must match ${GRAPH_NAME_PATTERN}`, { details: { argument: 'names' } });
    }
    if (seen.has(name)) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `link: two graphs would be named '${name}' (from ${pairs[seen.get(name)!]!.program.path} and ${pairs[i]!.program.path}); pass names: [...] with one distinct name per graph`, { details: { argument: 'names' } });
    }
    seen.set(name, i);
  }

  const graphs: GraphToStore[] = [];
  for (const [i, { program, graph }] of pairs.entries()) {
    const stored: GraphToStore = {
      name: names[i]!,
      model: await inlineWeights(program, graph.name),
      inputs: graph.inputs,
      outputs: graph.outputs,
      batchSize: graph.batchSize,
      sessionOptions: graph.sessionOptions,
      hostFeatures: graph.hostFeatures,
    };
    if (graph.report !== undefined) stored.report = graph.report;
    graphs.push(stored);
  }
  const sources = new Map<string, { path: string; sha256: string }>();
  for (const program of opened) for (const s of program.provenance.sources) sources.set(`${s.path}\u0000${s.sha256}`, s);
  const provenance: ProgramProvenance = {
    sources: [...sources.values()],
    compileOptions: {
      linked: pairs.map((p, i) => ({
        graph: names[i], program: p.program.path, sourceGraph: p.graph.name,
        onnxruntimeVersion: p.program.onnxruntimeVersion, compileOptions: p.program.provenance.compileOptions,
      })),
    },
  };
  const written = await writeProgram(options.output_dir, graphs, provenance);
  return { ...written, graphs: names, inputWeightBytes: opened.reduce((n, p) => n + p.weightBytes, 0) };
}
