/**
 * The pruned graphs of one session: for `run(inputs, { outputs })` naming a strict subset of a graph's outputs, the
 * graph without the nodes those outputs do not need, so that onnxruntime does not compute them (it runs every node of
 * the graph it loaded, whatever a run fetches: microsoft/onnxruntime#16013, #16483, #27615).
 *
 * One pruned model file is written per (graph, output set), on its first use, into a folder of this session's own
 * under the OS temp dir, and each activation loads it into an onnxruntime session of its own on its first run of that
 * output set (activations never asked for it load nothing). The weights stay where they are: the pruned model's
 * initializers keep their external data entries, and the file they name (`programqpc.bin` of a program, or a plain
 * model's external data file) is hard-linked into the folder, since onnxruntime refuses external data outside the
 * model's own folder, by a symbolic link as by `..`, and from a model loaded from bytes resolves it against the
 * working directory. A hard link is the same file: onnxruntime maps the same page-cache pages as the full graph's
 * sessions, and no byte of weight is copied, on disk or in memory. Where a hard link cannot be made (the temp dir is
 * on another filesystem, or links are not permitted) the kept external weights are read into the pruned model
 * instead, a private copy of those weights per activation session (weights stored inline in a plain `.onnx` model
 * are always that).
 *
 * The pruned model is made synchronously on the thread that calls `run()`, once per (graph, output set): decoding
 * and encoding a graph file of a few hundred nodes (its weights are elsewhere) takes tens of milliseconds, paid once,
 * where a worker thread would add a round trip to every first use for little gain.
 *
 * Bound: at most {@link MAX_PRUNED_GRAPHS} output sets per graph per session. Past it, or when a pruned model cannot
 * be made, a run falls back to the full graph with onnxruntime fetching only the named outputs (the values are the
 * same; the compute is not saved), and the session warns once (`QAIC_OUTPUTS_NOT_PRUNED`).
 *
 * @packageDocumentation
 */
import { closeSync, linkSync, mkdirSync, mkdtempSync, openSync, readSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { QaicError } from '../errors.js';
import { encodeModel, readModelFile } from '../onnx/model.js';
import { pruneModel } from '../onnx/prune.js';
import type { TensorProto } from '../onnx/schema.js';
import { checkRegularFile } from '../files.js';
import { removeAtExit, removeOwnedDir } from '../temp-dirs.js';

/**
 * Output sets pruned per graph of a session. Each costs every activation that runs it an onnxruntime session (its
 * arena and kernels; the weights are shared), so the bound keeps a caller that varies its `outputs` from growing
 * memory without end.
 */
export const MAX_PRUNED_GRAPHS = 8;

/** A pruned graph as an activation loads it (see `ToWorker`'s `pruned`). */
export interface PrunedGraph {
  /** tells this pruned graph apart from the session's others (stable for the life of the session) */
  key: number;
  /** the pruned model file */
  modelPath: string;
  /** the inputs it reads, a subset of its graph's (the others are fed to nobody) */
  inputNames: string[];
  /** nodes removed from the full graph */
  removedNodes: number;
  /** how its weights are reached: 'linked' (the full graph's file, hard-linked), 'inline' (a copy in the model) */
  weights: 'linked' | 'inline' | 'none';
}

/** The session's pruned graphs, made on first use (see the module comment). */
export class PrunedGraphs {
  #dir: string | undefined;
  readonly #byKey = new Map<string, PrunedGraph | QaicError>();
  readonly #perGraph = new Map<number, number>();
  #next = 1;
  #warned = false;

  /**
   * The pruned graph that computes `outputs` of graph `graph` (whose file is `modelPath`, which has
   * `graphOutputCount` outputs), made now when it is new; undefined when the run should use the full graph: `outputs` names
   * every output, the bound is reached, or the pruned model could not be made (the session warns once).
   */
  select(graph: number, modelPath: string, outputs: readonly string[], graphOutputCount: number): PrunedGraph | undefined {
    // the names were checked distinct and known: as many as the graph has means all of them
    if (outputs.length >= graphOutputCount) return undefined;
    const sorted = [...outputs].sort();
    const id = `${graph}\0${modelPath}\0${sorted.join('\0')}`;
    const known = this.#byKey.get(id);
    if (known !== undefined) return known instanceof QaicError ? undefined : known;
    const count = this.#perGraph.get(graph) ?? 0;
    if (count >= MAX_PRUNED_GRAPHS) {
      this.#warn(`graph ${graph} already has ${MAX_PRUNED_GRAPHS} pruned output sets (the bound per graph): this one (${sorted.join(', ')}) runs the whole graph, fetching only those outputs`);
      return undefined;
    }
    let made: PrunedGraph | QaicError;
    try {
      made = this.#make(modelPath, sorted);
    } catch (error) {
      made = error instanceof QaicError ? error : new QaicError('QAIC_INTERNAL', (error as Error)?.message ?? String(error), { cause: error });
      this.#warn(`the graph for outputs ${sorted.join(', ')} of graph ${graph} could not be pruned (${made.message}): those runs compute the whole graph, fetching only those outputs`);
    }
    this.#byKey.set(id, made);
    this.#perGraph.set(graph, count + 1);
    return made instanceof QaicError ? undefined : made;
  }

  /** Remove the pruned model files (and the links to weights: never the weights' own files). */
  close(): void {
    if (this.#dir !== undefined) removeOwnedDir(this.#dir);
    this.#dir = undefined;
    this.#byKey.clear();
    this.#perGraph.clear();
  }

  #warn(message: string): void {
    // once per session: a caller that keeps asking for unpruned sets would otherwise be told on every run
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(`qaic: ${message}`, { code: 'QAIC_OUTPUTS_NOT_PRUNED', type: 'QaicWarning' });
  }

  #make(modelPath: string, outputs: readonly string[]): PrunedGraph {
    const { model } = readModelFile(modelPath);
    const pruned = pruneModel(model, outputs);
    if (this.#dir === undefined) {
      const dir = mkdtempSync(join(tmpdir(), 'qaic-pruned-'));
      removeAtExit(dir);
      this.#dir = dir;
    }
    const key = this.#next++;
    const folder = join(this.#dir, `pruned-${key}`);
    mkdirSync(folder);
    const weights = placeWeights(pruned.model.graph?.initializer ?? [], dirname(modelPath), folder);
    if (weights.inline.size > 0) {
      // the copies replace their tensors in the pruned model only (the decoded model is not shared with anyone)
      pruned.model.graph!.initializer = pruned.model.graph!.initializer!.map((t) => weights.inline.get(t) ?? t);
    }
    const file = join(folder, 'model.onnx');
    writeFileSync(file, encodeModel(pruned.model));
    return {
      key, modelPath: file, inputNames: pruned.inputNames, removedNodes: pruned.removedNodes,
      weights: weights.linked > 0 ? 'linked' : weights.inline.size > 0 ? 'inline' : 'none',
    };
  }
}

/** The value of one of a tensor's external data entries. */
function externalEntry(t: TensorProto, key: string): string | undefined {
  return t.external_data?.find((e) => e.key === key)?.value;
}

/**
 * Make the external data of `tensors` (files relative to `from`) reachable from `to`: each file hard-linked there;
 * where that fails, the tensors of that file read into inline copies (returned by tensor).
 */
function placeWeights(tensors: readonly TensorProto[], from: string, to: string): { linked: number; inline: Map<TensorProto, TensorProto> } {
  const byFile = new Map<string, TensorProto[]>();
  for (const t of tensors) {
    if (t.data_location !== 1) continue;
    const location = externalEntry(t, 'location');
    if (location === undefined || location === '' || isAbsolute(location) || normalize(location).split(sep).includes('..')) {
      throw new QaicError('QAIC_MODEL_INVALID', `initializer '${t.name ?? ''}' keeps its data at '${location ?? ''}', which is not a file beside the model`);
    }
    const list = byFile.get(location) ?? [];
    list.push(t);
    byFile.set(location, list);
  }
  let linked = 0;
  const inline = new Map<TensorProto, TensorProto>();
  for (const [location, list] of byFile) {
    const source = realpathSync(join(from, location));
    // a regular file only (never a device or FIFO, even through a link), whose size bounds the inline copies below
    const size = checkRegularFile(source, { what: 'external data file', maxBytes: Number.MAX_SAFE_INTEGER });
    const target = join(to, location);
    try {
      mkdirSync(dirname(target), { recursive: true });
      linkSync(source, target);
      linked++;
    } catch {
      for (const t of list) inline.set(t, inlineCopy(t, source, size));
    }
  }
  return { linked, inline };
}

/** `t` with its external bytes read from `file` (a regular file of `size` bytes) into `raw_data`. */
function inlineCopy(t: TensorProto, file: string, size: number): TensorProto {
  const offset = Number(externalEntry(t, 'offset') ?? '0');
  const length = Number(externalEntry(t, 'length') ?? 'NaN');
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new QaicError('QAIC_MODEL_INVALID', `initializer '${t.name ?? ''}' has no usable external data offset and length`);
  }
  // checked before allocating: a damaged entry must not make a huge buffer
  if (offset + length > size) {
    throw new QaicError('QAIC_MODEL_INVALID', `initializer '${t.name ?? ''}' reaches past the end of its external data file (${offset} + ${length} > ${size} bytes)`);
  }
  const bytes = new Uint8Array(length);
  const fd = openSync(file, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, bytes, done, length - done, offset + done);
      if (n === 0) throw new QaicError('QAIC_MODEL_INVALID', `initializer '${t.name ?? ''}' reaches past the end of its external data file`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  const { external_data: _e, data_location: _l, ...rest } = t;
  return { ...rest, raw_data: bytes };
}
