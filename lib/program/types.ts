/**
 * The contract between the compiler (which produces graphs) and the program container (which stores, verifies,
 * links and loads them). The compiler hands {@link GraphToStore}s to `writeProgram()`; sessions and the runner
 * open programs with `openProgram()` and ask it for a {@link LoadableGraph}.
 */
import type { ValueSpec } from '../onnx/model.js';
import type { ModelProto } from '../onnx/schema.js';

/** Version of the container format this code writes. Readers refuse other major versions. */
export const PROGRAM_FORMAT_VERSION = 1;

/** A graph in a program's manifest: everything about it but its model bytes. */
export interface ManifestGraph {
  /** graph name, unique within the program (`'main'` for a single compiled model) */
  name: string;
  /** fixed input specs of the compiled graph (what `run()` validates inputs against) */
  inputs: ValueSpec[];
  /** output specs of the compiled graph (dims the compiler could not measure may stay symbolic) */
  outputs: ValueSpec[];
  /**
   * samples per inference: the first dim of the first input when it is fixed, else 1 (the compiler's rule). Metrics
   * count inferences times this, like the Python API's `batch_size`.
   */
  batchSize: number;
  /** onnxruntime session options activations must load this graph with (e.g. graph optimization level) */
  sessionOptions: Record<string, unknown>;
  /** CPU features the graph's stored optimizations rely on (`/proc/cpuinfo` names); empty when portable */
  hostFeatures: string[];
  /** the compile report (plain JSON; a `CompileReport` for programs written by `compile()`) */
  report?: unknown;
}

/** One compiled graph, as the compiler hands it to the writer: its manifest entry plus the model. */
export interface GraphToStore extends ManifestGraph {
  /** the compiled graph with its initializers inline; the writer moves weights out into the shared section */
  model: ModelProto;
}

/** Facts about where a program came from, recorded in its manifest. */
export interface ProgramProvenance {
  /** source models with their SHA-256 */
  sources: Array<{
    /** the model path as given to the compiler (absolute for `compile()`) */
    path: string;
    /** SHA-256 of the model file's bytes, lowercase hex */
    sha256: string;
  }>;
  /** the compile options used (plain JSON) */
  compileOptions: Record<string, unknown>;
}

/** What a session or runner needs to start activations of one graph. */
export interface LoadableGraph extends ManifestGraph {
  /** the file onnxruntime loads (its weights resolve into the program's weight section) */
  modelPath: string;
  /** the program's `programqpc.bin` */
  programPath: string;
}

/** An opened, verified program. */
export interface OpenedProgram {
  /** path of `programqpc.bin` */
  path: string;
  /** the program folder */
  dir: string;
  /** major version of the container format (this code reads `PROGRAM_FORMAT_VERSION`, 1) */
  formatVersion: number;
  /** the graphs it holds, in manifest order (the first is the default of `loadable()`) */
  graphs: ManifestGraph[];
  /** where the program came from */
  provenance: ProgramProvenance;
  /** onnxruntime version the program was built with */
  onnxruntimeVersion: string;
  /** bytes of weight data in the weight section (shared weights counted once, alignment padding excluded) */
  weightBytes: number;
  /** how many weight tensors the weight section holds (shared ones counted once) */
  weightCount: number;
  /** file size in bytes */
  fileBytes: number;
  /**
   * Make one graph loadable by onnxruntime (default: the first graph).
   *
   * @throws QaicError `QAIC_GRAPH_NOT_FOUND` listing the available graph names; `QAIC_PROGRAM_HOST_MISMATCH` when
   *   the graph needs CPU features this host lacks (unless the program was opened with `allowHostMismatch`)
   */
  loadable(graphName?: string): Promise<LoadableGraph>;
}
