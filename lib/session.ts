/**
 * The Session: what users hold. It owns the options, the prepared graph, the activations and the dispatcher.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QaicError, describeValue } from './errors.js';
import {
  checkBackendUpdate, checkCoreBudget, resolveOptions, withBackendOptions,
  type BackendOptions, type ResolvedOptions, type SessionOptions, type SessionOptionsCamel,
} from './options.js';
import type { DType } from './dtypes.js';
import type { Dim, ValueSpec } from './onnx/model.js';
import { fixShape, normaliseInputs, prepareTransfer, type Inputs, type OutputTensor, type WireTensor } from './tensor.js';
import { describeSource, peekIO, prepareGraph, type PreparedGraph, type SourceDescription } from './graph-source.js';
import { ActivationPool } from './runtime/pool.js';
import { createRuntime } from './runtime/create-runtime.js';
import { chooseEngine, requestedEngine, type Engine } from './runtime/engine.js';
import type { RunRequest, Runtime } from './runtime/runtime.js';
import type { RunObserver, RunTrace } from './runtime/trace.js';
import { nowNs } from './runtime/clock.js';
import { forcedCpuNodeNames, planComputeUnits } from './runtime/compute-unit-plan.js';
import type { PlacementReport } from './runtime/placement.js';
import { warnOnce } from './warnings.js';
import { SessionMeasurements } from './metrics/session-metrics.js';
import type { PythonMetrics, MetricsReport } from './metrics/report.js';
import type { MetricsDocument } from './metrics/export.js';
import type { BenchmarkArgs, BenchmarkResult } from './metrics/benchmark.js';
import { runScenario, type ScenarioResult } from './loadgen/scenarios.js';
import { findPeakOn, type FindPeakArgs, type PeakResult } from './loadgen/find-peak.js';
import type { ScenarioArgs } from './loadgen/settings.js';
import type { OperatorRow } from './profiling/ort-profile.js';
import { checkOutputSelection, checkRunOptions } from './run-arguments.js';
import { allowedShapesOf, pickGraph, padToSpecialization, specializationNames, type AllowedShape, type PaddedInputs } from './specializations.js';
import { readManifestSync } from './program/open.js';
import { servedGraphNames } from './graph-source.js';
import { PrunedGraphs } from './runtime/pruned-graphs.js';

/** `{name: [shape, dtype]}`, as the Python API's `model_input_shape_dict`. */
export type ShapeDict = Record<string, [Dim[], DType | string]>;

/** Options of a single `run()` call. */
export interface RunOptions {
  /** Abort the request: a queued request is dropped; an in-flight one is rejected and its result discarded. */
  signal?: AbortSignal;
  /**
   * Compute and return only these outputs. When they are fewer than the graph's, the run goes to the graph pruned
   * to them: the nodes they do not need (transitively) are removed, with the initializers and inputs nothing kept
   * reads, so onnxruntime does not compute the other outputs at all (it runs every node of a graph it loaded, whatever
   * a run fetches). The inputs are checked as for any run (every input of the graph is still required); those the
   * pruned graph does not read are accepted and not fed to it. Each output equals the full graph's.
   *
   * The pruned graph is made on the first run with that output set (one small model file in this session's own temp
   * folder; its weights are the program's own file, hard-linked, so onnxruntime maps the same pages) and each
   * activation loads it into an onnxruntime session of its own on its first run of it: that run is slower, as a
   * graph's first run is. At most 8 output sets per graph are pruned per session (`MAX_PRUNED_GRAPHS`); runs of
   * further sets compute the whole graph and fetch only the named outputs, with a `QAIC_OUTPUTS_NOT_PRUNED` warning
   * (once per session). Absent: every output. An unknown name is a `QAIC_INVALID_ARGUMENT` listing the graph's
   * outputs.
   *
   * @remarks Python parity: QEfficient's `skip_buffers(names)` binds empty buffers for the outputs to skip (the
   * device still computes them and skips the transfer); this names the ones kept, and skips their compute too.
   */
  outputs?: readonly string[];
}

/** Lifecycle state of a session. */
export type SessionState = 'created' | 'activating' | 'active' | 'closed';

/**
 * An inference session on one model or program, after `qaic.Session` of the Python API.
 *
 * ```ts
 * const session = new Session('model.onnx', { num_activations: 2 });
 * const out = await session.run({ x: new Float32Array(3 * 256 * 384) });
 * await session.close();
 * ```
 *
 * The constructor is synchronous: it validates the options and checks that the model exists. Activation is lazy:
 * the first `run()` starts the activations (say `await session.setup()` to do it earlier). All inference happens
 * on worker threads; the caller's event loop is never blocked by onnxruntime.
 *
 * Process lifetime: an idle session does not keep the process alive (its worker threads are unref'd while they
 * have nothing in flight), so a script that forgets `close()` still exits when its own work is done; a `run()` in
 * flight does keep it alive until it settles. Not closing still holds each activation's thread and model memory
 * until the process ends (a session is not garbage-collected while its workers run): call `close()`, or use
 * `await using`, when a long-lived process is done with a session.
 *
 * @remarks Python parity: methods have camelCase names with the Python snake_case names as aliases
 * (`run_benchmark`, `get_metrics`, ...); what Python does by blocking, this class does by returning promises.
 */
export class Session implements AsyncDisposable {
  #options: ResolvedOptions;
  readonly #source: SourceDescription;
  #state: SessionState = 'created';
  #graph: PreparedGraph | undefined;
  #preparing: Promise<PreparedGraph> | undefined;
  #runtime: Runtime | undefined;
  #activating: Promise<void> | undefined;
  /** Bumped by reset() and close(): an activation that started in an older epoch must not install its runtime. */
  #epoch = 0;
  #peeked: { inputs: ValueSpec[]; outputs: ValueSpec[] } | undefined;
  #observers = new Set<RunObserver>();
  /** {@link Session.run}'s input specs for the graph they were resolved from */
  #specCache: { inputs: readonly ValueSpec[]; specs: readonly ValueSpec[] } | undefined;
  readonly #measure: SessionMeasurements;
  #activationCount = 0;
  /** the activation count when the first-inference warning was last given */
  #warnedActivation = -1;
  /** the graphs pruned to the output sets runs asked for (files of this session's own, removed by close()) */
  readonly #pruned = new PrunedGraphs();
  #lastActivationMs: number | undefined;

  /**
   * @param modelPath an `.onnx` model, a program folder, or a program's `programqpc.bin`
   * @param options Python option names (snake_case or camelCase); see {@link SessionOptions}
   * @throws QaicError `QAIC_FILE_NOT_FOUND` when the model is missing, `QAIC_INVALID_OPTION` for bad options,
   *   `QAIC_OVERSUBSCRIBED` when the activations would need more cores than the machine has
   */
  constructor(modelPath: string, options?: SessionOptions | SessionOptionsCamel) {
    this.#options = resolveOptions(options);
    // a bad QAIC_ENGINE is a bad option value: refused here with the others, not at the first activation
    requestedEngine(this.#options.engine);
    this.#source = describeSource(modelPath);
    this.#measure = new SessionMeasurements(this, () => this.#runtime);
    const ignored = Object.keys(this.options.ignored);
    if (ignored.length > 0) {
      warnOnce(`no-effect:${ignored.sort().join(',')}`, 'QAIC_OPTION_NO_EFFECT',
        `option(s) ${ignored.map((k) => `'${k}'`).join(', ')} have no effect on the onnxruntime CPU backend; they are recorded in session.options.ignored`);
    }
  }

  /**
   * The options after YAML, defaults and validation: read-only and frozen, all the way down. `updateBackendOptions()`
   * is the way to change `num_activations`, `set_size` or `dev_id` (this then returns a new object).
   */
  get options(): ResolvedOptions {
    return this.#options;
  }

  /** Lifecycle state: `created` (no activations), `activating`, `active`, or `closed`. */
  get state(): SessionState {
    return this.#state;
  }

  /** The path given to the constructor, classified. */
  get source(): Readonly<SourceDescription> {
    return this.#source;
  }

  /** The prepared graph, once `setup()` or the first `run()` has prepared it. */
  get graph(): Readonly<PreparedGraph> | undefined {
    return this.#graph;
  }

  /**
   * Where onnxruntime placed the graph's nodes across the compute units in use (the Snapdragon AIP runtime's subnet
   * view): per subnet its unit, its nodes in execution order and the tensors copied into it from another unit (with
   * their bytes), and totals per unit. Measured at activation from one profiled inference on zeros in a session of
   * its own (onnxruntime's profile names each node's provider), so it is what onnxruntime did, not a guess.
   * `undefined` until the session is active, after `reset()`, and when `compute_unit` is the CPU alone (every node
   * runs there). Not a Python API property.
   */
  get placement(): PlacementReport | undefined {
    return this.#runtime?.placement.report;
  }

  /**
   * The engine that runs this session's activations (see the `engine` option): `'native'` or `'worker'`, as decided at
   * the last activation (the option, `QAIC_ENGINE`, the compute units in use, `isolation` and whether the native
   * addon loads); `undefined` before the first activation. Not a Python API property.
   */
  get engine(): Engine | undefined {
    return this.#engine;
  }

  /** Batch size of the graph (1 when the model does not say). */
  get batchSize(): number {
    return this.#graph?.batchSize ?? 1;
  }

  /** How long the last activation took, from start to every activation ready, in milliseconds. */
  get lastActivationMs(): number | undefined {
    return this.#lastActivationMs;
  }

  #assertOpen(method: string): void {
    if (this.#state === 'closed') {
      throw new QaicError('QAIC_SESSION_CLOSED', `${method}() was called on a closed session; create a new Session`, {
        details: { method },
      });
    }
  }

  #specs(): { inputs: ValueSpec[]; outputs: ValueSpec[] } {
    if (this.#graph !== undefined) return this.#graph;
    this.#peeked ??= peekIO(this.#source, this.options.graph);
    return this.#peeked;
  }

  #shapeDict(specs: readonly ValueSpec[]): ShapeDict {
    const out: ShapeDict = {};
    for (const s of specs) {
      out[s.name] = [fixShape(s.shape, this.options.onnx_define_symbol) ?? [], s.dtype ?? `unsupported(${s.onnxType})`];
    }
    return out;
  }

  /**
   * `{input name: [shape, dtype]}` in the model's input order.
   *
   * Before activation this reads the model's declared specs (symbolic dims appear as their names, with
   * `onnx_define_symbol` values applied); once the graph is prepared it reports the prepared (compiled) specs.
   * An input with no declared shape has `[]`.
   *
   * @remarks Python parity: the SDK's docs call it a method and its examples use an attribute; here it is a
   * property, also reachable as `model_input_shape_dict`.
   */
  get modelInputShapeDict(): ShapeDict {
    return this.#shapeDict(this.#specs().inputs);
  }

  /** `{output name: [shape, dtype]}`; see {@link modelInputShapeDict}. */
  get modelOutputShapeDict(): ShapeDict {
    return this.#shapeDict(this.#specs().outputs);
  }

  /** Alias of {@link modelInputShapeDict}. */
  get model_input_shape_dict(): ShapeDict {
    return this.modelInputShapeDict;
  }

  /** Alias of {@link modelOutputShapeDict}. */
  get model_output_shape_dict(): ShapeDict {
    return this.modelOutputShapeDict;
  }

  /**
   * For each graph this session serves, its name and input shapes, in program order: several entries for a program
   * of specializations run with `graph: 'auto'` (the default when its graphs share input and output names), one
   * otherwise. Readable before activation (from the program's manifest, or for an `.onnx` model, from the model).
   *
   * @remarks Python parity: QEfficient's `QAICInferenceSession.allowed_shapes` (there a list, per specialization,
   * of `(itemsize, dims)` per binding; here input shapes by name, with the graph's name).
   * @throws QaicError `QAIC_INVALID_OPTION` for `graph: 'auto'` on a program whose graphs differ in input names, or
   *   for `'auto'` and the default on one whose graphs' inputs take the same shapes and dtypes,
   *   `QAIC_GRAPH_NOT_FOUND`, `QAIC_PROGRAM_CORRUPT` (read before activation)
   */
  get allowedShapes(): AllowedShape[] {
    // fresh objects from the cached graphs each time: a caller changing its copy changes nothing here
    return allowedShapesOf(this.#graph?.graphs ?? (this.#unpreparedGraphs ??= this.#graphsBeforePreparing()));
  }

  /**
   * The graphs this session will serve, with their input shapes, read before the graph is prepared: from the
   * program's manifest, or for an `.onnx` model from the model (one graph per specialization when compiling with
   * `specializations`). Read once: a program is immutable, and the options that choose graphs do not change.
   */
  #graphsBeforePreparing(): Array<{ name: string; inputs: readonly ValueSpec[] }> {
    if (this.#source.kind === 'program') {
      const { file, manifest } = readManifestSync(this.#source.path);
      const names = servedGraphNames(file, manifest.graphs, this.options.graph);
      return manifest.graphs.filter((g) => names.includes(g.name));
    }
    const specs = this.#specs();
    const specializations = this.options.specializations;
    if (specializations !== undefined) {
      // an .onnx model to be compiled into one graph per specialization: the shapes it will have, named as compile() names them
      const names = specializationNames(specializations);
      return specializations.map((sp, i) => ({
        name: names[i]!,
        inputs: specs.inputs.map((s) => ({ ...s, shape: fixShape(s.shape, { ...this.options.onnx_define_symbol, ...sp }) })),
      }));
    }
    return [{ name: 'main', inputs: resolvedInputs(specs.inputs, this.options) }];
  }
  #unpreparedGraphs: Array<{ name: string; inputs: readonly ValueSpec[] }> | undefined;

  /** Alias of {@link allowedShapes} (QEfficient's name). */
  get allowed_shapes(): AllowedShape[] {
    return this.allowedShapes;
  }

  /**
   * Pad `inputs` up to the smallest graph of {@link allowedShapes} that holds them (see `padToSpecialization` for
   * which models padding is valid for), ready for {@link run}. Each input's dtype is the model's (where every graph
   * gives that input the same one), so a float16 input is padded with the float16 bits of `value`.
   *
   * @throws QaicError `QAIC_INPUT_SHAPE` when no graph holds them, an input has no shape or one its data disagrees
   *   with; `QAIC_INPUT_DTYPE` for an input without a typed array or whose container cannot hold the model's dtype;
   *   `QAIC_INVALID_ARGUMENT` for a `value` an input cannot hold (see `padToSpecialization`)
   */
  padToSpecialization(inputs: Inputs, value = 0): PaddedInputs {
    const graphs = this.#graph?.graphs ?? (this.#unpreparedGraphs ??= this.#graphsBeforePreparing());
    const dtypes: Record<string, DType> = {};
    const mixed = new Set<string>();
    for (const g of graphs) {
      for (const s of g.inputs) {
        if (s.dtype === undefined || mixed.has(s.name)) continue;
        const seen = dtypes[s.name];
        if (seen === undefined) dtypes[s.name] = s.dtype;
        else if (seen !== s.dtype) {
          // graphs that differ in this input's dtype: the input's own dtype (or its container) has to say
          delete dtypes[s.name];
          mixed.add(s.name);
        }
      }
    }
    return padToSpecialization(this.allowedShapes, inputs, value, { dtypes });
  }

  /**
   * The input specs of the served graph `name` (the first graph's when absent), for the benchmark's random inputs,
   * and `load` to make it loadable (graphs after the first are made so on first use) and get its file.
   *
   * @internal
   * @throws QaicError `QAIC_GRAPH_NOT_FOUND` listing the graphs served
   */
  _graphIndex(name: string | undefined): { index: number; shapes: ShapeDict; batchSize: number; name: string; load: () => Promise<string> } {
    const graph = this.#graph;
    if (graph === undefined) throw new QaicError('QAIC_INTERNAL', 'the session has no prepared graph');
    const index = name === undefined ? 0 : graph.graphs.findIndex((g) => g.name === name);
    if (index < 0) {
      throw new QaicError('QAIC_GRAPH_NOT_FOUND', `runBenchmark(): this session serves no graph named '${name}'; it serves ${graph.graphs.map((g) => `'${g.name}'`).join(', ')}`, {
        details: { argument: 'graph', graph: name, available: graph.graphs.map((g) => g.name) },
      });
    }
    const served = graph.graphs[index]!;
    return {
      index, shapes: this.#shapeDict(index === 0 ? this.#inputSpecs(graph) : served.inputs), batchSize: index === 0 ? this.batchSize : served.batchSize, name: served.name,
      load: () => graph.loadGraph(index),
    };
  }

  async #prepare(): Promise<PreparedGraph> {
    if (this.#graph !== undefined) return this.#graph;
    // with compile off, the specs the shape dicts already read are the model's own: no second read of the file
    this.#preparing ??= prepareGraph(this.#source, this.options, this.options.compile ? undefined : this.#peeked).then(
      (graph) => {
        this.#graph = graph;
        return graph;
      },
      (error: unknown) => {
        this.#preparing = undefined;
        throw error;
      },
    );
    return this.#preparing;
  }

  /** Where profiles are written: `<output_dir>/profiling`, or a folder under the OS temp dir. */
  get profileDir(): string {
    return this.#profileDir ??= profileDirFor(this.options.output_dir);
  }
  #profileDir: string | undefined;
  /** the engine of the last activation (see {@link engine}) */
  #engine: Engine | undefined;

  /**
   * Activate now (load the graph into `num_activations` worker threads), so that the first `run()` does not pay
   * for it. Idempotent; concurrent calls share one activation.
   *
   * @throws QaicError `QAIC_SESSION_CLOSED`, `QAIC_ACTIVATION_FAILED` (with onnxruntime's reason),
   *   `QAIC_TIMEOUT`, or a compile/model error
   */
  async setup(): Promise<void> {
    this.#assertOpen('setup');
    if (this.#runtime !== undefined && this.#state === 'active') return;
    if (this.#activating === undefined) {
      const activating: Promise<void> = this.#activate().finally(() => {
        if (this.#activating === activating) this.#activating = undefined;
      });
      this.#activating = activating;
    }
    return this.#activating;
  }

  async #activate(): Promise<void> {
    const epoch = this.#epoch;
    this.#state = 'activating';
    const t0 = performance.now();
    let runtime: Runtime | undefined;
    try {
      const graph = await this.#prepare();
      if (this.#epoch !== epoch) throw this.#interrupted();
      const o = this.options;
      checkCoreBudget(o.num_activations, o.aic_num_cores, o.allow_oversubscription);
      const computeUnits = await planComputeUnits(o.compute_unit);
      if (this.#epoch !== epoch) throw this.#interrupted();
      if (computeUnits.units.some((u) => u !== 'cpu') && graph.compiledFor?.every((u) => u === 'cpu') === true) {
        // A CPU program's graph is optimized at level 'all' for the CPU provider (NCHWc layouts, CPU-only fused
        // kernels) and loaded as stored: the GPU provider cannot take those nodes, so most would run on the CPU, with
        // copies between. It still runs correctly, so this warns rather than refuses (see the README's "Compute units").
        warnOnce(`program-units:${graph.programDir ?? ''}:${o.compute_unit.join(',')}`, 'QAIC_PROGRAM_COMPUTE_UNITS',
          `option 'compute_unit' (${o.compute_unit.join(',')}) asks for more than the CPU, but the program in '${graph.programDir ?? ''}' was compiled for the CPU: its graph is optimized for the CPU provider, so the GPU can take few of its nodes (see session.placement). Compile the .onnx model with this compute_unit (qaic-exec -compute-unit=${o.compute_unit.join(',')}) for a graph the GPU can run`);
      }
      // the first inference of a GPU activation compiles shaders: the metrics say so (sticky: those already recorded did)
      if (computeUnits.units.includes('gpu')) this.#measure.onGpu = true;
      const forced = o.compute_unit_for_nodes.cpu;
      const forceCpuNodeNames = forced.length > 0 && computeUnits.executionProviders?.includes('webgpu') === true
        ? forcedCpuNodeNames(forced, graph.graphs.map((g) => g.modelPath))
        : undefined;
      // both engines append the providers of computeUnits and measure the placement report (session.placement)
      const engine = chooseEngine(requestedEngine(o.engine), { isolation: o.isolation });
      runtime = createRuntime({
        engine,
        computeUnits,
        forceCpuNodeNames,
        modelPath: graph.modelPath,
        inputNames: graph.inputs.map((s) => s.name),
        sessionOptions: graph.sessionOptions,
        graphs: graph.graphs.length > 1
          ? graph.graphs.slice(1).map((g) => ({ modelPath: g.modelPath, inputNames: g.inputs.map((s) => s.name), sessionOptions: g.sessionOptions }))
          : undefined,
        numActivations: o.num_activations,
        coresPerActivation: o.aic_num_cores,
        setSize: o.set_size,
        timeoutMs: o.activation_timeout_ms,
        isolation: o.isolation,
        runTimeoutMs: o.run_timeout,
        pinCores: o.pin_cores,
        profileDir: o.enable_profiling ? this.profileDir : undefined,
        onActivationDeath: (index, error) => {
          warnOnce(`death:${index}:${error.message}`, 'QAIC_ACTIVATION_REPLACED', `activation ${index} died (${error.message}); it is being replaced`);
        },
      });
      // Installed before it starts so that reset()/close() can stop activations that are still loading.
      this.#runtime = runtime;
      await runtime.start();
      if (this.#epoch !== epoch) throw this.#interrupted();
      const placementError = runtime.placement.error;
      if (placementError !== undefined) {
        warnOnce(`placement:${placementError}`, 'QAIC_PLACEMENT_UNMEASURED', `session.placement is not available: measuring where onnxruntime placed the nodes failed (${placementError})`);
      }
      this.#engine = engine;
      this.#activationCount++;
      this.#lastActivationMs = performance.now() - t0;
      this.#state = 'active';
    } catch (error) {
      if (this.#epoch !== epoch) {
        // reset()/close() owns the state now (and may already have started a new activation): touch nothing of it.
        await runtime?.stop(this.#interrupted());
        throw this.#interrupted();
      }
      this.#state = 'created';
      if (this.#runtime === runtime) this.#runtime = undefined;
      throw error;
    }
  }

  /** The error for calls waiting on an activation that reset() or close() interrupted. */
  #interrupted(): QaicError {
    return this.#state === 'closed'
      ? new QaicError('QAIC_SESSION_CLOSED', 'the session was closed while activating')
      : new QaicError('QAIC_ABORTED', 'the session was reset while activating; call setup() or run() again');
  }

  /**
   * Run one inference.
   *
   * Inputs are checked against the model before anything is sent. Input buffers are transferred to the activation
   * (they are detached afterwards) unless `copy_inputs` is set; views on shared or larger buffers are copied.
   *
   * With several graphs served (`graph: 'auto'`), the run goes to the graph whose input shapes and dtypes equal the
   * given ones (give `{data, shape}`: bare typed arrays match by element count, which landscape and portrait share).
   *
   * @param inputs `{name: TypedArray | {data, shape} | ort.Tensor}`
   * @param options `signal` to abort; `outputs` to return only the named outputs
   * @returns `{name: {data, shape, dtype}}` for every output (or every one named in `outputs`)
   * @throws QaicError `QAIC_INPUT_*` for inputs that disagree with the model (the session stays usable); with
   *   several graphs, `QAIC_INPUT_SHAPE` listing the allowed shapes next to the passed ones when no graph matches;
   *   `QAIC_INVALID_ARGUMENT` for an `outputs` entry the graph lacks (listing its outputs),
   *   `QAIC_INVALID_ARGUMENT` for malformed options (a `signal` that is no AbortSignal) or inputs that throw when read,
   *   `QAIC_SESSION_CLOSED`, `QAIC_ABORTED`, `QAIC_RUN_FAILED`, `QAIC_ACTIVATION_CRASHED`,
   *   `QAIC_ACTIVATION_FAILED`
   */
  run(inputs: Inputs, options: RunOptions = {}): Promise<Record<string, OutputTensor>> {
    return this.#run(inputs, options, false);
  }

  /**
   * `run()` for inputs the caller lends rather than hands over: they are neither detached nor copied here, and the
   * caller promises not to change them until the run settles. On the native engine the addon copies them when the
   * request is sent to an activation (into onnxruntime's memory, freed with the request), so nothing new lands on
   * V8's heap; on the worker engine they are copied as with `copy_inputs`. LoadGen's scenarios use it
   * for their performance samples, which they never change and reuse for every query.
   *
   * @internal
   */
  _runLent(inputs: Inputs): Promise<Record<string, OutputTensor>> {
    return this.#run(inputs, {}, true);
  }

  #run(inputs: Inputs, options: RunOptions, lent: boolean): Promise<Record<string, OutputTensor>> {
    // Not an async function: on the hot path (active session) the caller's promise is settled straight from the
    // worker's answer, without an await hop in between. Every error still arrives as a rejection.
    const callNs = nowNs();
    try {
      this.#assertOpen('run');
      options = checkRunOptions(options);
      // an already-aborted request must not pay for (or trigger) an activation
      if (options.signal?.aborted === true) {
        throw new QaicError('QAIC_ABORTED', 'run() was aborted by its AbortSignal', { cause: options.signal.reason });
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#state !== 'active') return this.#runAfterSetup(inputs, options, callNs, lent);
    return this.#dispatch(inputs, options, callNs, lent);
  }

  async #runAfterSetup(inputs: Inputs, options: RunOptions, callNs: number, lent: boolean): Promise<Record<string, OutputTensor>> {
    // once per activation of this session (not through warnOnce: its process-wide key set would grow by one
    // entry per session ever created)
    if (this.#activating === undefined && this.#warnedActivation !== this.#activationCount) {
      this.#warnedActivation = this.#activationCount;
      process.emitWarning('qaic: WARNING: Activating network, this will add up to time of first inference (call setup() to activate early)', {
        code: 'QAIC_FIRST_INFERENCE', type: 'QaicWarning',
      });
    }
    await this.setup();
    return this.#dispatch(inputs, options, callNs, lent);
  }

  /** Check the inputs and hand them to the runtime; the promise settles when the activation answers. */
  #dispatch(inputs: Inputs, options: RunOptions, callNs: number, lent: boolean): Promise<Record<string, OutputTensor>> {
    return new Promise((resolve, reject) => {
      // a throw in here (an input error) rejects the promise
      const graph = this.#graph!;
      const index = graph.auto ? pickGraph(inputs, graph.graphs) : 0;
      const served = graph.graphs[index]!;
      const feeds = normaliseInputs(inputs, index === 0 ? this.#inputSpecs(graph) : served.inputs);
      if (options.outputs !== undefined) checkOutputSelection(options.outputs, served.outputs, graph.graphs.length > 1 ? served.name : undefined);
      // the inputs' memory is the library's from here on, on every engine: detached from the caller's arrays, or
      // copied (copy_inputs, views, shared buffers); a worker activation is sent the buffers, a native one copies them
      // when the request is sent to it (they may wait in the pool's queue until then, so they must be ours first)
      // lent inputs (_runLent) stay the caller's: the native activation copies them when the request is sent to it, a
      // worker one gets them copied here
      const transfer = lent && this.#engine === 'native' ? [] : prepareTransfer(feeds, this.options.copy_inputs || lent);
      const validatedNs = nowNs();
      if (served.modelPath === '') {
        // a graph after the first, used for the first time: made loadable now (once), then sent
        // A failure here (the host cannot run the graph, its section is damaged, the session was reset meanwhile)
        // comes after the inputs were accepted: observers see it as a failed run, as they see one onnxruntime
        // rejected, not as nothing at all.
        const failed = (error: unknown): void => this.#failRun({ graph: index }, error, callNs, validatedNs, reject);
        graph.loadGraph(index).then((modelPath) => {
          try {
            this.#send(feeds, transfer, index, modelPath, options, callNs, validatedNs, resolve, reject);
          } catch (error) {
            failed(error);
          }
        }, failed);
        return;
      }
      this.#send(feeds, transfer, index, served.modelPath, options, callNs, validatedNs, resolve, reject);
    });
  }

  /** Hand checked feeds to the runtime; `resolve` or `reject` is called when the activation answers. */
  #send(
    feeds: WireTensor[], transfer: ArrayBuffer[], index: number, modelPath: string, options: RunOptions, callNs: number, validatedNs: number,
    resolve: (outputs: Record<string, OutputTensor>) => void, reject: (error: unknown) => void,
  ): void {
    const runtime = this.#runtime;
    if (runtime === undefined) {
      this.#assertOpen('run');
      throw new QaicError('QAIC_ABORTED', 'the session was reset while run() was starting');
    }
    const request: RunRequest = { feeds, transfer, signal: options.signal };
    if (index !== 0) {
      request.graph = index;
      // for activations that have not loaded it (they were given no file for a graph made loadable after they started)
      request.modelPath = modelPath;
    }
    if (options.outputs !== undefined) {
      request.outputs = options.outputs;
      // a strict subset of the outputs: the graph pruned to them, so that the others are not computed at all
      const pruned = this.#pruned.select(index, modelPath, options.outputs, this.#graph!.graphs[index]!.outputs.length);
      if (pruned !== undefined) request.pruned = { key: pruned.key, modelPath: pruned.modelPath, inputNames: pruned.inputNames };
    }
    runtime.dispatch(request, (result) => {
      let outputs: Record<string, OutputTensor>;
      try {
        const wire = result.outputs;
        outputs = {};
        for (const name in wire) {
          const t = wire[name]!;
          outputs[name] = { data: t.data, shape: t.dims, dtype: t.type };
        }
        this.#notify(request, result, callNs, validatedNs, true);
      } catch (error) {
        // an observer threw: the caller gets its error, as it would from an awaited call
        reject(error);
        return;
      }
      resolve(outputs);
    }, (error) => this.#failRun(request, error, callNs, validatedNs, reject));
  }

  /** Reject a run that failed after its inputs were accepted, once the observers have its (failed) trace. */
  #failRun(request: RunRequest | { graph: number }, error: unknown, callNs: number, validatedNs: number, reject: (error: unknown) => void): void {
    try {
      this.#notify(request, undefined, callNs, validatedNs, false, error instanceof QaicError ? error.code : 'QAIC_INTERNAL');
    } catch (observerError) {
      // an observer threw: the caller gets its error, as for a successful run
      reject(observerError);
      return;
    }
    reject(error);
  }

  /** The graph's input specs with `onnx_define_symbol` applied, computed once per prepared graph. */
  #inputSpecs(graph: PreparedGraph): readonly ValueSpec[] {
    const cached = this.#specCache;
    if (cached !== undefined && cached.inputs === graph.inputs) return cached.specs;
    const specs = resolvedInputs(graph.inputs, this.options);
    this.#specCache = { inputs: graph.inputs, specs };
    return specs;
  }

  #notify(
    request: { takenNs?: number; sentNs?: number; activation?: number; graph?: number },
    result: { times: RunTrace['worker']; receivedNs: number; first: boolean } | undefined,
    callNs: number,
    validatedNs: number,
    ok: boolean,
    failureCode?: string,
  ): void {
    if (this.#observers.size === 0) return;
    const doneNs = nowNs();
    const trace: RunTrace = {
      activation: request.activation ?? -1,
      first: result?.first ?? false,
      ok,
      callNs,
      validatedNs,
      takenNs: request.takenNs ?? doneNs,
      sentNs: request.sentNs ?? doneNs,
      worker: result?.times ?? { received: doneNs, runStart: doneNs, runEnd: doneNs, posted: doneNs },
      receivedNs: result?.receivedNs ?? doneNs,
      doneNs,
    };
    if (failureCode !== undefined) trace.errorCode = failureCode;
    const graph = this.#graph;
    if (graph?.auto === true) trace.graph = graph.graphs[request.graph ?? 0]!.name;
    for (const o of this.#observers) o.onRun(trace);
  }

  /** Subscribe to every inference's timeline (used by metrics and profiling). Returns the unsubscribe function. */
  observe(observer: RunObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /**
   * Release every activation. The session stays usable: the next `run()` or `setup()` activates again.
   * Requests in flight are rejected with `QAIC_ABORTED`.
   */
  async reset(): Promise<void> {
    this.#assertOpen('reset');
    this.#epoch++;
    await this.#stopRuntime(new QaicError('QAIC_ABORTED', 'the session was reset while this request was in flight'));
    if (this.#state !== 'closed') this.#state = 'created';
  }

  async #stopRuntime(error: QaicError): Promise<void> {
    const runtime = this.#runtime;
    this.#runtime = undefined;
    if (runtime !== undefined) await runtime.stop(error);
    if (this.#activating !== undefined) await this.#activating.catch(() => undefined);
  }

  /**
   * End the session: stop every activation and refuse further calls with `QAIC_SESSION_CLOSED`. Requests in
   * flight are rejected with `QAIC_SESSION_CLOSED` at once. With `isolation: 'process'` a child still running an
   * inference is killed, and the promise resolves once every child has exited. With threads it resolves when every
   * worker thread has exited, which waits for an inference already inside onnxruntime to return (it cannot be
   * interrupted; a worker terminated inside onnxruntime aborts the whole process), but for at most `CLOSE_WAIT_MS`
   * (10 s): a thread still busy then is left behind, and the process ends with SIGKILL at exit rather than hang in
   * Node's join of that thread (see the README's "Isolation"). Calling `close()` again does nothing.
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#epoch++;
    await this.#stopRuntime(new QaicError('QAIC_SESSION_CLOSED', 'the session was closed while this request was in flight'));
    this.#pruned.close();
  }

  /** `await using session = new Session(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * The options that may change after creation: `{num_activations, set_size, dev_id}`.
   *
   * @remarks Python parity: `backend_options()`.
   */
  backendOptions(): BackendOptions {
    return { num_activations: this.options.num_activations, set_size: this.options.set_size, dev_id: this.options.dev_id };
  }

  /**
   * Change `num_activations`, `set_size` or `dev_id` (snake or camel case; Python's `num_activation` too).
   * A new `set_size` applies at once; a new `num_activations` re-activates (after requests in flight finish
   * on the old activations) when the session is active.
   *
   * @throws QaicError `QAIC_INVALID_OPTION`, `QAIC_OVERSUBSCRIBED`, `QAIC_SESSION_CLOSED`
   */
  async updateBackendOptions(update: Partial<BackendOptions> | Record<string, unknown>): Promise<void> {
    this.#assertOpen('updateBackendOptions');
    const changes = checkBackendUpdate(update);
    const numActivations = changes.num_activations ?? this.options.num_activations;
    checkCoreBudget(numActivations, this.options.aic_num_cores, this.options.allow_oversubscription);
    const reactivate = changes.num_activations !== undefined && changes.num_activations !== this.options.num_activations;
    this.#options = withBackendOptions(this.#options, changes);
    if (changes.set_size !== undefined) this.#runtime?.setSetSize(changes.set_size);
    if (reactivate && (this.#state === 'active' || this.#state === 'activating')) {
      await this.#activating?.catch(() => undefined);
      this.#assertOpen('updateBackendOptions');
      // read after the wait: an activation that was in progress has only now installed its runtime
      const old = this.#runtime;
      if (old === undefined) return; // that activation failed or was reset: the next run activates with the new count
      this.#runtime = undefined;
      this.#state = 'created';
      await this.setup();
      await drainAndStop(old);
    }
  }

  /** Alias of {@link backendOptions} (Python name). */
  backend_options(): BackendOptions {
    return this.backendOptions();
  }

  /** Alias of {@link updateBackendOptions} (Python name). */
  update_backend_options(update: Partial<BackendOptions> | Record<string, unknown>): Promise<void> {
    return this.updateBackendOptions(update);
  }

  /**
   * Latency figures of the `run()` calls so far, as the Python `get_metrics()`: end to end (call to resolution),
   * steady state (each activation's first inference is excluded and reported by {@link getMetricsReport}), all in
   * seconds. Percentiles are HDR nearest-rank (at most 0.1 % above the exact sample); `num_of_inferences` is 0 before any steady-state
   * inference. `runBenchmark()` latencies are not mixed in (they are measured inside the activations): see the
   * report's `benchmark` stage.
   *
   * @throws QaicError `QAIC_METRICS_DISABLED` unless the session has `enable_metrics` or `enable_profiling`
   */
  getMetrics(): PythonMetrics {
    return this.#measure.getMetrics();
  }

  /** Alias of {@link getMetrics} (Python name). */
  get_metrics(): PythonMetrics {
    return this.getMetrics();
  }

  /**
   * The breakdown behind {@link getMetrics}: per stage (`e2e`, `queue`, `ort`, `benchmark`), merged and per
   * activation, with count, min/max/mean/stdev/CoV, percentiles (each with the samples it rests on and an
   * `undersampled` flag), the percentile method, and every activation's first inference apart. Seconds.
   *
   * @throws QaicError `QAIC_METRICS_DISABLED` as {@link getMetrics}
   */
  getMetricsReport(): MetricsReport {
    return this.#measure.getMetricsReport();
  }

  /**
   * Print {@link getMetrics} in the Python wording (`Number of inferences utilized for calculation are ...`), with
   * the P999 line the SDK's sample lacks and without its duplicated average line. With no `run()` recorded beyond
   * each activation's first (kept apart), it says so instead of printing zeros, and prints `runBenchmark()`'s
   * latencies under their own label when a benchmark recorded some ({@link getMetrics} stays the `run()` figures).
   * A session serving several graphs (`graph: 'auto'`) prints the total, then each graph's figures under a
   * `Graph '<name>':` line.
   *
   * @throws QaicError `QAIC_METRICS_DISABLED` as {@link getMetrics}
   */
  printMetrics(): void {
    this.#measure.printMetrics((line) => console.log(line));
  }

  /** Alias of {@link printMetrics} (Python name). */
  print_metrics(): void {
    this.printMetrics();
  }

  /**
   * The versioned JSON document of the metrics (summary, breakdown, last benchmark, environment, options,
   * compressed histograms); written to `path` too when given.
   *
   * @throws QaicError `QAIC_METRICS_DISABLED` as {@link getMetrics}
   */
  exportMetrics(path?: string): MetricsDocument {
    return path === undefined ? this.#measure.metricsDocument() : this.#measure.exportMetrics(path);
  }

  /**
   * Every latency histogram in the HdrHistogram log format (version 1.3), tagged `<stage>.act<activation>`, values in
   * ns: readable by any HdrHistogram implementation, to merge or compare runs. A session serving several graphs
   * (`graph: 'auto'`) adds each graph's, tagged `<graph>/<stage>.act<activation>` (as in {@link exportMetrics}'s
   * `histograms`).
   *
   * @throws QaicError `QAIC_METRICS_DISABLED` as {@link getMetrics}
   */
  histogramLog(): string {
    return this.#measure.histogramLog();
  }

  /**
   * Run one of MLPerf LoadGen's scenarios through {@link run} (LoadGen's setting names and units: `target_qps`,
   * `target_latency` in ms, `target_latency_percentile` in percent, `min_duration`/`max_duration` in ms,
   * `min_query_count`/`max_query_count`, `samples_per_query`, `schedule_rng_seed`, `performance_sample_count`;
   * LoadGen's struct defaults; `settings_path` reads a LoadGen `user.conf`-style file, arguments winning over it).
   * Server is an open loop with seeded Poisson arrivals, latency from each query's scheduled arrival.
   *
   * @returns the 4-tuple (samples, samples × batch per second, seconds, batch size) and `details.loadgen`: the
   *   verdict (`'VALID'`/`'INVALID'` with reasons), scheduled and completed QPS, LoadGen latency figures (ns),
   *   early stopping, schedule lateness, the settings and the raw per-query samples
   * @throws QaicError `QAIC_INVALID_ARGUMENT` for bad settings, `QAIC_INVALID_OPTION`/`QAIC_FILE_*` for a bad
   *   settings file, and the first error of a `run()` (bad inputs, a crashed activation)
   */
  runBenchmark(args: ScenarioArgs): Promise<ScenarioResult>;
  /**
   * Measure the activations, as the Python `run_benchmark()` (backed by the SDK's C++ benchmark API): the loop runs
   * inside every activation at once, `set_size` inferences deep, after a warm-up (default 1 inference per
   * activation) that is excluded and reported. Give `numInferences` (default 40, all activations together) or
   * `infTime` (seconds), not both; inputs are random (from the input specs) unless given. A number alone is taken as
   * `num_inferences`, as Python's first positional argument.
   *
   * Warnings (`process.emitWarning`, code `QAIC_BENCHMARK_WARNING`) say when the run was too short (under 1 s or
   * 100 inferences), unstable (latency CoV above 10 %) or too small for a percentile. With metrics on, each
   * latency is also recorded under the report's `benchmark` stage (not into {@link getMetrics}, which stays the
   * end-to-end figure of `run()`).
   *
   * @returns `[inf_completed, inf_rate, inf_time, batch_size]`: inferences measured, inferences per second counting
   *   the batch, seconds of the measured window, batch size; also as named fields, with `details`
   * @throws QaicError `QAIC_INVALID_ARGUMENT` for bad arguments, `QAIC_INPUT_*` for bad inputs, activation errors
   */
  runBenchmark(args?: BenchmarkArgs | number): Promise<BenchmarkResult>;
  async runBenchmark(args?: BenchmarkArgs | ScenarioArgs | number): Promise<BenchmarkResult | ScenarioResult> {
    // async: a closed session (like any bad call) rejects, as every other method does, instead of throwing
    this.#assertOpen('runBenchmark');
    // --- LoadGen scenarios (lib/loadgen): `scenario` present -> the scenario driver; absent -> the Python path ---
    if (typeof args === 'object' && args !== null && (args as { scenario?: unknown }).scenario !== undefined) {
      return runScenario(this, args as ScenarioArgs).then((r) => {
        this.#measure.lastBenchmark = r;
        return r;
      });
    }
    // --- end LoadGen scenarios ---
    return this.#measure.runBenchmark(typeof args === 'number' ? { num_inferences: args } : args as BenchmarkArgs | undefined);
  }

  /** Alias of {@link runBenchmark} (Python name), for a LoadGen scenario. */
  run_benchmark(args: ScenarioArgs): Promise<ScenarioResult>;
  /** Alias of {@link runBenchmark} (Python name). */
  run_benchmark(args?: BenchmarkArgs | number): Promise<BenchmarkResult>;
  run_benchmark(args?: BenchmarkArgs | ScenarioArgs | number): Promise<BenchmarkResult | ScenarioResult> {
    return this.runBenchmark(args as BenchmarkArgs);
  }

  /**
   * The highest Server `target_qps` that stays VALID under LoadGen's rules (latency bound at the percentile, early
   * stopping, minimum duration and queries, schedule lateness), searched by bisection as LoadGen's
   * FindPeakPerformance mode: a first trial at `target_qps` (or half a short closed-loop probe's rate), doubling or
   * halving to bracket the edge, then bisection to `precision` (default 5 %) or `max_trials` (default 12). Takes
   * the Server settings `runBenchmark({ scenario: 'Server' })` takes. Not in the Python API.
   *
   * @returns `{ target_qps, trials }`: the highest VALID rate tried (0 when none was), and every trial's rate,
   *   verdict, reasons, completed rate, percentile latency and p99 schedule lateness
   * @throws QaicError `QAIC_INVALID_ARGUMENT` for bad arguments or settings; run errors as {@link runBenchmark}
   */
  async findPeak(args: FindPeakArgs): Promise<PeakResult> {
    this.#assertOpen('findPeak');
    return findPeakOn(this, args);
  }

  /** Alias of {@link findPeak} (snake_case, as the other methods). */
  find_peak(args: FindPeakArgs): Promise<PeakResult> {
    return this.findPeak(args);
  }

  /**
   * Print where the time went: for the first `n` inferences, the six host stages (input checks, queue, transfer
   * in, onnxruntime run, transfer out, output building) in the Python sample's layout; then onnxruntime's
   * per-operator table over all activations (op type, node, provider, calls, total, mean, share).
   *
   * The operator table ends onnxruntime's profiling in the running activations: onnxruntime writes its profile
   * only then and cannot restart profiling, so later inferences have no operator data (`reset()` the session to
   * profile afresh). Python's method is synchronous; this one returns a promise because the activations answer
   * asynchronously.
   *
   * @param n inferences to show (default 5, as the SDK's example)
   * @throws QaicError `QAIC_METRICS_DISABLED` unless the session has `enable_profiling`; `QAIC_INVALID_ARGUMENT`
   */
  async printProfileData(n = 5, options: { maxOperators?: number } = {}): Promise<void> {
    return this.#measure.printProfileData(n, (line) => console.log(line), options.maxOperators ?? 25);
  }

  /** Alias of {@link printProfileData} (Python name). */
  print_profile_data(n = 5): Promise<void> {
    return this.printProfileData(n);
  }

  /**
   * onnxruntime's per-operator times as data (what {@link printProfileData} prints as its operator table): one row per
   * node over all activations, largest total first, times in seconds, `share` in 0..1. Ends onnxruntime profiling in
   * the running activations, as {@link printProfileData} does. Not in the Python API (its profile is printed only);
   * charts and reports use it.
   *
   * @throws QaicError `QAIC_METRICS_DISABLED` unless the session has `enable_profiling`
   */
  getOperatorProfile(): Promise<OperatorRow[]> {
    return this.#measure.operatorRows();
  }

  /**
   * Write a Chrome/Perfetto trace (open it in ui.perfetto.dev or chrome://tracing) merging the host stages of the
   * profiled inferences and every activation's onnxruntime events on one timeline, one process per activation.
   * Ends onnxruntime profiling as {@link printProfileData} does.
   *
   * @param path file to write (default `<profileDir>/trace.json`)
   * @returns the path written
   * @throws QaicError `QAIC_METRICS_DISABLED` unless the session has `enable_profiling`
   */
  writeTrace(path?: string): Promise<string> {
    return this.#measure.writeTrace(path);
  }

  /**
   * The worker-thread runtime of the running activations, for tests and diagnostics only (the library itself goes
   * through the {@link Runtime} interface); undefined when not activated or when another engine runs them.
   *
   * @internal
   */
  get _pool(): ActivationPool | undefined {
    return this.#runtime instanceof ActivationPool ? this.#runtime : undefined;
  }

  toString(): string {
    return `Session(${describeValue(this.#source.path)}, ${this.#state})`;
  }
}

/** Let the requests on `runtime` finish (for at most 60 s), then stop it. */
async function drainAndStop(runtime: Runtime): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([runtime.whenIdle(), new Promise((resolve) => { timer = setTimeout(resolve, 60_000); })]);
  clearTimeout(timer);
  await runtime.stop(new QaicError('QAIC_ABORTED', 'activations were replaced by updateBackendOptions()'));
}

function resolvedInputs(inputs: readonly ValueSpec[], options: ResolvedOptions): ValueSpec[] {
  if (Object.keys(options.onnx_define_symbol).length === 0) return inputs as ValueSpec[];
  return inputs.map((s) => ({ ...s, shape: fixShape(s.shape, options.onnx_define_symbol) }));
}

function profileDirFor(outputDir: string | undefined): string {
  return outputDir !== undefined ? join(outputDir, 'profiling') : join(tmpdir(), `qaic-profile-${process.pid}-${Date.now()}`);
}
