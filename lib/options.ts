/**
 * Session and compiler options: names, defaults, YAML files and validation, in one place.
 *
 * Names are the Python API's (snake_case). camelCase (`numActivations`) and the kebab-case spelling that SDK YAML
 * files mix in (`multicast-weights`) are accepted and mean the same option. An unknown name is an error that
 * suggests the closest known one; a wrong type or range is an error naming the option, what was expected and what
 * was given. Compiler flags that mean nothing on the onnxruntime CPU backend are accepted, recorded in
 * {@link ResolvedOptions.ignored}, and reported once by the session as having no effect.
 *
 * Precedence: options passed in code win over the same keys in the `options_path` YAML file, which win over
 * defaults. (The Python API does not document its precedence; "explicit argument beats file" is the rule every
 * CLI tool follows, so we chose it.)
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { QaicError, describeValue } from './errors.js';
import { readRegularTextFileSync } from './files.js';
import type { Inputs } from './tensor.js';
import { checkSpecializations, parseSpecializationConfig } from './specializations.js';
import { COMPUTE_UNITS, type ComputeUnit } from './runtime/compute-units.js';

/** A `compute_unit` entry: a unit, or `'all'` (every unit in AI Hub's order: npu, gpu, cpu). */
export type ComputeUnitName = ComputeUnit | 'all';

/** A fixed value for a symbolic dimension: `{batch: 1}` or `[['batch', 1]]` (the Python doc's list of pairs). */
export type SymbolDefinitions = Record<string, number> | Array<[string, number]>;

/**
 * Options a {@link Session} accepts, in the Python API's snake_case spelling: the options this backend implements
 * ({@link BaseSessionOptions}) and the SDK's flags that it accepts with no effect ({@link NoEffectFlags}). Every key
 * is also accepted in camelCase (see {@link SessionOptionsCamel}). The set of names is closed: a misspelt option or a
 * value of the wrong type is a compile-time error (and, from YAML or untyped code, a `QAIC_INVALID_OPTION` at run
 * time).
 */
export type SessionOptions = BaseSessionOptions & NoEffectFlags;

/** The options this backend implements, in the Python API's snake_case spelling (see {@link SessionOptions}). */
export interface BaseSessionOptions {
  /** YAML file with the same keys as these options. Keys given in code win over the file's. */
  options_path?: string;
  /** Backend name. `'qaic'` (default) and `'aic'` are accepted; both mean onnxruntime's CPU provider here. */
  backend?: string;
  /** Device id. This backend has one device, the host CPU, id 0. @defaultValue 0 */
  dev_id?: number;
  /** Worker-thread activations of the graph, running side by side. @defaultValue 1 */
  num_activations?: number;
  /** Requests each activation accepts in flight (the SDK's "set size"). @defaultValue 10 */
  set_size?: number;
  /** CPU cores (onnxruntime intra-op threads) per activation. @defaultValue 1 */
  aic_num_cores?: number;
  /**
   * Allow `aic_num_cores × num_activations` above the machine's cores (not a Python option: the device refuses
   * such a configuration). When allowed, onnxruntime's spin-waiting is turned off. @defaultValue false
   */
  allow_oversubscription?: boolean;
  /**
   * Pin each activation's worker thread (and onnxruntime's pool threads) to its own `aic_num_cores` cores, like
   * the device gives each activation its own cores. Needs the native engine addon (built at install, or the prebuilt
   * one; `npm run build:native`), on either engine; without it a warning says pinning is off and why, and everything
   * runs unpinned. Not a Python option.
   * @defaultValue false
   */
  pin_cores?: boolean;
  /** Record per-inference latencies for `getMetrics()`. Cannot be combined with `enable_profiling`. */
  enable_metrics?: boolean;
  /** Profile inferences (stages and operators); also records metrics. Cannot be combined with `enable_metrics`. */
  enable_profiling?: boolean;
  /** Where the compiled program (and `options.yaml`) is written; also where profiles go. */
  output_dir?: string;
  /** Compile an `.onnx` model on creation (the Python API's hidden `compile` flag). @defaultValue true */
  compile?: boolean;
  /** Fixed values for symbolic dimensions, e.g. `{batch: 1}`. */
  onnx_define_symbol?: SymbolDefinitions;
  /** Batch size: fixes the first dimension of every input whose first dimension is symbolic. */
  batchsize?: number;
  /** Store weights and compute in float16 where the backend allows. */
  convert_to_fp16?: boolean;
  /** Operator types or node names kept in float32 by `convert_to_fp16` (the SDK's option of the same name). */
  keep_original_precision_for_nodes?: string[];
  /**
   * With `convert_to_fp16`: clip constants beyond the float16 range to +-65504 instead of letting them become
   * infinity (what the SDK recipes' `fix_onnx_fp16` helper does by hand; not a Python option). @defaultValue false
   */
  fp16_clip?: boolean;
  /**
   * Graph of a linked program to run, or `'auto'`: each `run()` goes to the graph whose input shapes and dtypes equal
   * the given ones (every activation loads a graph on its first run of it). Graphs whose inputs take the same shapes
   * and dtypes cannot be picked per run: `'auto'` (and the default) then throw `QAIC_INVALID_OPTION` naming them.
   * @defaultValue `'auto'` when the program's graphs share input and output names (a program of specializations, a
   * link of one model at several shapes), else the program's first graph
   */
  graph?: string;
  /**
   * Compile one graph per entry, each fixing the named symbolic dims (`[{ seq_len: 32 }, { seq_len: 128 }]`), into
   * one program whose graphs share every weight; with `graph: 'auto'` one session serves them all. Sizes may be
   * decimal strings, as QEfficient's `specializations.json` writes them. With int8 (`load_profile`,
   * `convert_to_quantize`), every graph is quantized with the same profile (ranges are per tensor name, which the
   * shapes do not change), so their int8 weights are equal and stored once; the profile may be recorded at any of the
   * shapes, or with the specialized symbols left free on inputs of several shapes.
   */
  specializations?: Array<Record<string, number | string>>;
  /**
   * A QEfficient-style JSON file `{"specializations": [{...}, ...]}` read as {@link specializations} (the SDK's
   * `qaic-exec -network-specialization-config=`). Its content, not its path, enters the compile key.
   */
  network_specialization_config?: string;
  /**
   * Copy input buffers at `run()` instead of taking them over. By default `run()` detaches the caller's typed arrays
   * (their `length` becomes 0): their memory goes to the activation without a copy (a worker thread is sent it; a
   * native thread reads it in place). With `copy_inputs` the arrays stay usable, at the cost of one copy per run.
   * The same on both engines. @defaultValue false
   */
  copy_inputs?: boolean;
  /**
   * Milliseconds an activation may take to load its graph before `setup()`/`run()` fail with `QAIC_TIMEOUT`. It also
   * bounds each load of a graph an activation makes on its first use (`graph: 'auto'`): when one overruns, that
   * graph's runs on the activation fail with `QAIC_TIMEOUT`, and the activation is replaced, since onnxruntime cannot
   * be interrupted inside a load (its other runs in flight fail with `QAIC_ACTIVATION_CRASHED`); later runs of that
   * graph fail at once with `QAIC_TIMEOUT` until `reset()`, rather than hang another activation. @defaultValue 120000
   */
  activation_timeout_ms?: number;
  /**
   * Where activations (and compiling) run. `'thread'`: worker threads of this process, the fastest; a fault inside
   * onnxruntime (an integer division of the smallest value by -1 raises SIGFPE) ends the whole process, and an
   * inference that never returns cannot be stopped. `'process'`: a child process per activation, and one per compile;
   * such a fault rejects that activation's runs with `QAIC_ACTIVATION_CRASHED` naming the signal and the activation
   * is replaced, and a run that overruns `run_timeout`, is aborted, or is still running at `reset()`/`close()` ends
   * with its child killed. Costs a copy of inputs and outputs through a pipe per run (see the README's "Isolation").
   * Not a Python option (the device isolates activations in hardware). @defaultValue 'thread'
   */
  isolation?: 'thread' | 'process';
  /**
   * What runs the activations. `'native'`: a native thread of this library's addon (`qaic_engine`) per activation,
   * calling onnxruntime's C API with the execution providers `compute_unit` maps to (WebGPU or CUDA appended before
   * the CPU provider, as on the worker engine, with the same placement report): less dispatch overhead and memory per activation than a
   * worker thread, and a run in flight can be ended (an AbortSignal or `run_timeout` terminates it inside
   * onnxruntime and frees its activation within milliseconds; `reset()`/`close()` end what is running). Inputs are
   * taken over as on the worker engine (detached unless `copy_inputs`) and read in place by the thread. `'worker'`: a
   * worker thread (or, with `isolation: 'process'`, a child process) holding an onnxruntime-node session.
   * Absent: the environment variable `QAIC_ENGINE` (`native` or `worker`; another value makes the `Session` constructor
   * throw `QAIC_INVALID_OPTION`) when set, else `'native'` where it
   * applies and loads. `'native'` does not apply with `isolation: 'process'`: the worker engine runs then (asked-for `'native'` warns `QAIC_ENGINE_FALLBACK` saying why); an addon
   * that cannot be loaded (not built, or an onnxruntime older than it) also means the worker engine, with a
   * `QAIC_ENGINE_FALLBACK` warning once per process giving the reason. `session.engine` says which engine runs.
   * Not a Python option (the device has one runtime): it is this library's. @defaultValue `'native'` where it
   * applies and loads, else `'worker'`
   */
  engine?: 'native' | 'worker';
  /**
   * Where nodes run, as AI Hub's `--compute_unit`: `'cpu'`, `'gpu'` (onnxruntime's CUDA provider where installed,
   * else its WebGPU provider), `'npu'` (never available here), `'all'` (npu, gpu, cpu), or an ordered list (an array,
   * or a comma-separated string such as `'gpu,cpu'`). onnxruntime gives each node to the first listed unit that can
   * run it. A listed unit this host lacks (see `availableComputeUnits()`) is skipped with a `QAIC_COMPUTE_UNIT_FALLBACK`
   * warning giving the reason when another listed unit is available, and is `QAIC_COMPUTE_UNIT_UNAVAILABLE` when none
   * is. A list without `'cpu'` is mandatory: a node no listed unit can run fails activation with
   * `QAIC_COMPUTE_UNIT_UNAVAILABLE`. The units enter the compile key: a program for the GPU is optimized at
   * onnxruntime's provider-independent 'basic' level (and finished at load for the providers in use), a CPU program
   * at 'all'. With the GPU, the shaders its first inference compiles are cached in `shaders/` of the compile cache
   * folder (`MESA_SHADER_CACHE_DIR`, unless set by the user). @defaultValue 'cpu'
   */
  compute_unit?: ComputeUnitName | readonly ComputeUnitName[] | `${ComputeUnitName},${string}`;
  /**
   * Direct the partition per node, like the SDK's per-node precision lists: `{ cpu: ['Softmax', 'head/Sigmoid'] }`
   * runs the nodes of those operator types or names on the CPU although a listed GPU could run them (onnxruntime's
   * WebGPU provider option `forceCpuNodeNames`; `session.placement` shows the result). Only `cpu` can be forced. An
   * entry that matches no node of the graph is `QAIC_INVALID_OPTION`. Has no effect while the GPU is not in use.
   * Not a Python option. @defaultValue `{ cpu: [] }`
   */
  compute_unit_for_nodes?: {
    /** operator types or node names kept on the CPU */
    cpu?: string[];
  };
  /**
   * Milliseconds a `run()` may take before it is rejected with `QAIC_TIMEOUT`; 0 means no limit. Counted from when
   * the run is handed to the activations (after its inputs are checked and, for a `run()` that activates the session,
   * after the activation, which `activation_timeout_ms` bounds) to its answer: time queued for a free activation, or
   * for a replacement activation to load, is included. With `isolation: 'process'` the activation running it is
   * killed and replaced (its other runs in flight are rejected with `QAIC_ACTIVATION_CRASHED`); with threads the
   * inference goes on inside onnxruntime, holding its slot until it returns. Not a Python option. @defaultValue 0
   */
  run_timeout?: number;
  /**
   * Quantize with this profile (written by `dump_profile` or `calibrate()`): the model is compiled into an int8 QDQ
   * program that onnxruntime fuses into int8 kernels. The profile must be of this very model (its SHA-256) at the
   * same fixed dims. Its content, not its path, enters the compile cache key. With `convert_to_fp16`, what stays
   * float (operators without an int8 kernel, kept nodes) becomes float16 and the quantized part stays int8. Cannot be
   * combined with `convert_to_quantize` or `calibration_inputs`.
   */
  load_profile?: string;
  /**
   * Write the calibration profile of `calibration_inputs` to this file, then compile in float32 (as the Python API
   * does: profiling is followed by compiling; `qaic-exec -dump-profile` only profiles). Compile with `load_profile`
   * set to this file to quantize.
   */
  dump_profile?: string;
  /**
   * Inputs to calibrate on (not a Python option: the SDK's `-input-list-file`): an iterable or async iterable of
   * input dicts, as `run()` takes them, read once. Needs `dump_profile` or `convert_to_quantize`.
   */
  calibration_inputs?: Iterable<Inputs> | AsyncIterable<Inputs>;
  /**
   * Profile `calibration_inputs` and compile quantized in one step (the SDK's `-convert-to-quantize`). Cannot be
   * combined with `dump_profile` or `load_profile`, as in the SDK. @defaultValue false
   */
  convert_to_quantize?: boolean;
  /** Quantized precision. Only `'Int8'` is supported (as the Python API documents); `'Int16'` is refused. @defaultValue 'Int8' */
  quantization_precision?: 'Int8' | 'Int16';
  /** How activations map to 8 bits (the SDK's four schemas). @defaultValue 'symmetric_with_uint8' (the SDK's) */
  quantization_schema_activations?: QuantizationSchemaName;
  /** How weights map to 8 bits (the SDK's four schemas). @defaultValue 'symmetric_with_uint8' (the SDK's) */
  quantization_schema_constants?: QuantizationSchemaName;
  /** How a range is chosen from each profiled histogram. @defaultValue 'None' (min and max, the SDK's default) */
  quantization_calibration?: 'None' | 'Percentile' | 'KLMinimization' | 'KLMinimizationV2' | 'MSE' | 'SQNR';
  /** Percentile kept by `quantization_calibration: 'Percentile'`, in [90, 100]. @defaultValue 100 */
  percentile_calibration_value?: number;
  /** Precision of Conv/Gemm biases: `'Int32'` (fused by onnxruntime) or `'Int8'` (left unfused). @defaultValue 'Int32' */
  quantization_precision_bias?: 'Int8' | 'Int32';
  /**
   * One weight scale per output channel of Conv/ConvTranspose. The SDK says "set by compiler"; this compiler sets it
   * on, because per-tensor scales ruin depthwise convolutions (PP-OCRv4 det loses most of its accuracy) and
   * onnxruntime's QLinearConv runs per-channel weights at the same speed. @defaultValue true
   */
  enable_channelwise?: boolean;
  /** One weight scale per output column of MatMul/Gemm (the SDK's row-wise FullyConnected). @defaultValue false */
  enable_rowwise?: boolean;
  /** Histogram bins per tensor when profiling (`dump_profile`, `convert_to_quantize`), 2 to 1048576. @defaultValue 512 */
  num_histogram_bins?: number;
  /**
   * Keep this many quantized nodes in float: the first ones in graph order, the stem that reads the graph input
   * (`lib/compiler/quant/keep-stem.ts`; the report lists each, reason `stem`, with the error the profile predicts
   * for it). This is the int8 pass's default for what hurts accuracy most: one node per {@link KEEP_STEM_PER_NODES}
   * nodes it would quantize, rounded down (PP-OCRv4 det 4, rec 3, cls 3; a model of fewer than 15 quantized nodes
   * keeps none). Measured on PP-OCRv4 with 8-bit weights on an AVX-512 VNNI host (README, int8 section), it takes
   * det's thresholded-map IoU from 0.60 to 0.98 and leaves cls at 99-100 % top-1, but costs rec about 1 point of
   * arg-max agreement (95.1 % to 94.0 %; rec misses 97 % either way). On a host without VNNI (7-bit weights) it is
   * not enough for det (0.90; 6 kept: 0.98) and costs cls its target (100 % to 97.5 %). `0` turns it off: every
   * node the pass can quantize is quantized, as the SDK does. Not a Python option. @defaultValue one per
   * {@link KEEP_STEM_PER_NODES} quantized nodes, rounded down
   */
  keep_stem_nodes?: number;
  /**
   * The SDK's node-precision-info YAML file: `FP16NodeInstanceNames` lists the first output name of each node to run
   * in FP16 instead of int8. Here those nodes stay out of int8 and run in float32, or in float16 where the float16
   * pass converts them when `convert_to_fp16` is set too. Only with `load_profile` or `convert_to_quantize`; its content, not its path, enters the compile cache
   * key; an output name no node writes is refused (`QAIC_INVALID_OPTION`).
   */
  node_precision_info_file?: string;
}

/**
 * The default of `keep_stem_nodes`: one node kept in float per this many nodes the int8 pass would quantize. Chosen
 * on PP-OCRv4 (README, int8 section): det needs its first 4 convolutions in float to reach map IoU 0.95 (3 gave
 * 0.93, Conv.1-3 0.97), and 15 is the largest divisor that still keeps 4 of det's 62; a model of fewer than 15
 * quantized nodes keeps none, as each kept node would cost a large share of its int8 speed.
 */
export const KEEP_STEM_PER_NODES = 15;

/** The SDK's quantization schemas (`quantization_schema_activations`, `quantization_schema_constants`). */
export type QuantizationSchemaName = 'asymmetric' | 'symmetric' | 'symmetric_with_uint8' | 'symmetric_with_power2_scale';

/** The camelCase spelling of {@link SessionOptions}; both spellings may be mixed. */
export type SessionOptionsCamel = { [K in keyof SessionOptions as K extends string ? CamelCase<K> : K]?: SessionOptions[K] };
/** Type-level snake_case → camelCase conversion of an option name: `CamelCase<'set_size'>` is `'setSize'`. */
export type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

/**
 * Options after defaults, YAML and validation. All keys snake_case. Read-only all the way down: a session's options
 * change only through `updateBackendOptions()`.
 */
export interface ResolvedOptions {
  /** Backend name, `'qaic'` or `'aic'` (both onnxruntime's CPU provider). See {@link BaseSessionOptions.backend}. */
  readonly backend: string;
  /** Device id; always 0 (the host CPU). */
  readonly dev_id: number;
  /** Worker-thread activations, 1 to 1024. */
  readonly num_activations: number;
  /** Requests each activation accepts in flight, 1 to 100000. */
  readonly set_size: number;
  /** onnxruntime intra-op threads (CPU cores) per activation, 1 to 1024. */
  readonly aic_num_cores: number;
  /** Whether `aic_num_cores × num_activations` may exceed the machine's cores. */
  readonly allow_oversubscription: boolean;
  /** Whether activations are pinned to their own cores (needs the native addon). */
  readonly pin_cores: boolean;
  /** Whether per-inference latencies are recorded for `getMetrics()`. */
  readonly enable_metrics: boolean;
  /** Whether inferences are profiled (implies metrics). */
  readonly enable_profiling: boolean;
  /** Absolute path where the program is written, or `undefined` for the compile cache. */
  readonly output_dir: string | undefined;
  /** Absolute path of the YAML options file that was read, or `undefined` when none was given. */
  readonly options_path: string | undefined;
  /** Whether an `.onnx` model is compiled into a program on creation (else loaded as it is). */
  readonly compile: boolean;
  /** Fixed values of symbolic dimensions, by symbol name (a list of pairs is normalised to this record). */
  readonly onnx_define_symbol: Readonly<Record<string, number>>;
  /** Batch size for inputs whose first dimension is symbolic, or `undefined` to leave them as declared. */
  readonly batchsize: number | undefined;
  /** Whether weights and compute are converted to float16. */
  readonly convert_to_fp16: boolean;
  /** Operator types or node names kept in float32 by `convert_to_fp16`; `[]` by default. */
  readonly keep_original_precision_for_nodes: readonly string[];
  /** Whether `convert_to_fp16` clips out-of-range constants to ±65504. */
  readonly fp16_clip: boolean;
  /** Graph of a linked program to run, `'auto'` to pick one per run by shape, or `undefined` for the default. */
  readonly graph: string | undefined;
  /** The specializations to compile (from code or from `network_specialization_config`), or `undefined` for one graph. */
  readonly specializations: readonly Readonly<Record<string, number>>[] | undefined;
  /** Absolute path of the specializations file that was read, or `undefined`. */
  readonly network_specialization_config: string | undefined;
  /** Whether input buffers are copied (`true`) or transferred (`false`, detaching them) to activations. */
  readonly copy_inputs: boolean;
  /** Milliseconds an activation may take to load its graph (at start, or a graph on its first use), 1 to 3600000 (one hour). */
  readonly activation_timeout_ms: number;
  /** Where activations and compiling run: `'thread'` or `'process'` (see {@link BaseSessionOptions.isolation}). */
  readonly isolation: 'thread' | 'process';
  /**
   * The engine asked for (see {@link BaseSessionOptions.engine}), or `undefined` for the default (`QAIC_ENGINE`, else
   * native where it applies and loads); `session.engine` says which one runs.
   */
  readonly engine: 'native' | 'worker' | undefined;
  /** The compute units in fallback order, `'all'` expanded and repeats dropped (see {@link BaseSessionOptions.compute_unit}). */
  readonly compute_unit: readonly ComputeUnit[];
  /** Operator types or node names forced onto the CPU (see {@link BaseSessionOptions.compute_unit_for_nodes}). */
  readonly compute_unit_for_nodes: Readonly<{
    /** operator types or node names kept on the CPU; `[]` by default */
    cpu: readonly string[];
  }>;
  /** Milliseconds a `run()` may take before `QAIC_TIMEOUT`, 0 (no limit) to 86400000 (one day). */
  readonly run_timeout: number;
  /** Absolute path of the quantization profile to compile int8 with, or `undefined`. */
  readonly load_profile: string | undefined;
  /** Absolute path the calibration profile is written to, or `undefined`. */
  readonly dump_profile: string | undefined;
  /** Absolute path of the node-precision-info file (nodes kept out of int8), or `undefined`. */
  readonly node_precision_info_file: string | undefined;
  /** Inputs to calibrate on, or `undefined`. */
  readonly calibration_inputs: Iterable<Inputs> | AsyncIterable<Inputs> | undefined;
  /** Whether `calibration_inputs` are profiled and the model compiled int8 in one step. */
  readonly convert_to_quantize: boolean;
  /** Quantized precision: always `'Int8'` (`'Int16'` is refused). */
  readonly quantization_precision: 'Int8' | 'Int16';
  /** Activation schema. */
  readonly quantization_schema_activations: QuantizationSchemaName;
  /** Weight schema. */
  readonly quantization_schema_constants: QuantizationSchemaName;
  /** Calibration method. */
  readonly quantization_calibration: 'None' | 'Percentile' | 'KLMinimization' | 'KLMinimizationV2' | 'MSE' | 'SQNR';
  /** Percentile of the 'Percentile' method, 90 to 100. */
  readonly percentile_calibration_value: number;
  /** Bias precision. */
  readonly quantization_precision_bias: 'Int8' | 'Int32';
  /** Whether Conv weights have one scale per output channel. */
  readonly enable_channelwise: boolean;
  /** Whether MatMul/Gemm weights have one scale per output column. */
  readonly enable_rowwise: boolean;
  /** Histogram bins per profiled tensor. */
  readonly num_histogram_bins: number;
  /**
   * Quantized nodes kept in float, the first in graph order (0: none), or `undefined` for the default (one per
   * {@link KEEP_STEM_PER_NODES} quantized nodes; see the option).
   */
  readonly keep_stem_nodes: number | undefined;
  /** Compiler flags accepted for compatibility that have no effect on this backend, with their values. */
  readonly ignored: Readonly<Record<string, unknown>>;
}

/** The name of an option (not counting the no-effect SDK flags): a key of {@link SPECS}. */
export type OptionName = Exclude<keyof ResolvedOptions, 'ignored'>;

/**
 * How an option's value is checked: integer (with `min`/`max`), finite number (with `min`/`max`), boolean, non-empty
 * string, one of `values`, symbol map, string list, an iterable of input dicts, a list of specializations, or an
 * ordered list of compute units.
 */
export type OptionKind = 'int' | 'number' | 'bool' | 'string' | 'enum' | 'symbols' | 'string[]' | 'inputs' | 'specializations' | 'units' | 'unit-nodes';

/** One row of the option table: how the option is validated and whether it changes the compiled program. */
export interface OptionSpec {
  /** How the value is checked. */
  readonly kind: OptionKind;
  /** Smallest accepted value of an `int` or `number` option. */
  readonly min?: number;
  /** Largest accepted value of an `int` or `number` option. */
  readonly max?: number;
  /** The accepted values of an `enum` option. */
  readonly values?: readonly string[];
  /**
   * Whether the option changes the compiled program, and so is part of the compile cache key (see
   * {@link programOptions}). Required: an option added without saying would either reuse stale programs or
   * recompile for nothing.
   */
  readonly program: boolean;
  /**
   * For a program option that only matters while one of these options is on (`true`, or a path given):
   * `keep_original_precision_for_nodes` with `convert_to_fp16`, `load_profile` or `convert_to_quantize`. Its value
   * is left out of the key while they are all off.
   */
  readonly programOnlyWith?: readonly OptionName[];
  /**
   * The option names a file whose content, not its path, changes the program (`load_profile`): the key records only
   * that the option is given, and the compiler adds the file's SHA-256 to the key (see `compileKey`).
   */
  readonly contentKey?: boolean;
  /**
   * The option's default (`DEFAULT_OPTIONS`) is left out of the key, so that programs compiled before the option
   * existed keep their keys (`compute_unit: ['cpu']` is what every program was compiled for).
   */
  readonly keyOmitsDefault?: boolean;
}

/** Whether an option is "on" for {@link OptionSpec.programOnlyWith}: `true`, or any value other than false/undefined. */
function isOn(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/** Options that only matter when quantizing (`load_profile` or `convert_to_quantize`). */
const WITH_INT8: readonly OptionName[] = ['load_profile', 'convert_to_quantize'];


const SCHEMAS: readonly QuantizationSchemaName[] = ['asymmetric', 'symmetric', 'symmetric_with_uint8', 'symmetric_with_power2_scale'];

/**
 * The option table: every option's validation and whether it changes the compiled program. Its keys are exactly
 * {@link ResolvedOptions}' (the compiler refuses a table that misses one).
 */
export const SPECS: Readonly<Record<OptionName, OptionSpec>> = Object.freeze({
  backend: { kind: 'string', program: false },
  dev_id: { kind: 'int', min: 0, max: 0, program: false },
  num_activations: { kind: 'int', min: 1, max: 1024, program: false },
  set_size: { kind: 'int', min: 1, max: 100_000, program: false },
  // the stored graph is loaded with each activation's own thread count: the program does not depend on it
  aic_num_cores: { kind: 'int', min: 1, max: 1024, program: false },
  allow_oversubscription: { kind: 'bool', program: false },
  pin_cores: { kind: 'bool', program: false },
  enable_metrics: { kind: 'bool', program: false },
  enable_profiling: { kind: 'bool', program: false },
  output_dir: { kind: 'string', program: false },
  options_path: { kind: 'string', program: false },
  compile: { kind: 'bool', program: false },
  onnx_define_symbol: { kind: 'symbols', program: true },
  batchsize: { kind: 'int', min: 1, max: 1 << 20, program: true },
  convert_to_fp16: { kind: 'bool', program: true },
  keep_original_precision_for_nodes: { kind: 'string[]', program: true, programOnlyWith: ['convert_to_fp16', ...WITH_INT8] },
  fp16_clip: { kind: 'bool', program: true, programOnlyWith: ['convert_to_fp16'] },
  graph: { kind: 'string', program: false },
  specializations: { kind: 'specializations', program: true },
  // read at resolve time into `specializations`, which carries its content into the key: the path itself does not matter
  network_specialization_config: { kind: 'string', program: false },
  copy_inputs: { kind: 'bool', program: false },
  activation_timeout_ms: { kind: 'int', min: 1, max: 3_600_000, program: false },
  // where the compiler and activations run changes nothing they produce
  isolation: { kind: 'enum', values: ['thread', 'process'], program: false },
  // both engines run the same stored graph with the same onnxruntime providers
  engine: { kind: 'enum', values: ['native', 'worker'], program: false },
  // a GPU program is optimized at another level than a CPU one (see compute_unit's doc)
  compute_unit: { kind: 'units', program: true, keyOmitsDefault: true },
  // applied when the activations load the graph (a provider option): the stored program does not depend on it
  compute_unit_for_nodes: { kind: 'unit-nodes', program: false },
  run_timeout: { kind: 'int', min: 0, max: 86_400_000, program: false },
  load_profile: { kind: 'string', program: true, contentKey: true },
  node_precision_info_file: { kind: 'string', program: true, contentKey: true, programOnlyWith: WITH_INT8 },
  // the profile written is not the program; what it quantizes enters the key through load_profile's content
  dump_profile: { kind: 'string', program: false },
  // with convert_to_quantize, the profile these inputs give enters the key by content (compile.ts)
  calibration_inputs: { kind: 'inputs', program: false },
  convert_to_quantize: { kind: 'bool', program: true },
  quantization_precision: { kind: 'enum', values: ['Int8', 'Int16'], program: true, programOnlyWith: WITH_INT8 },
  quantization_schema_activations: { kind: 'enum', values: SCHEMAS, program: true, programOnlyWith: WITH_INT8 },
  quantization_schema_constants: { kind: 'enum', values: SCHEMAS, program: true, programOnlyWith: WITH_INT8 },
  quantization_calibration: { kind: 'enum', values: ['None', 'Percentile', 'KLMinimization', 'KLMinimizationV2', 'MSE', 'SQNR'], program: true, programOnlyWith: WITH_INT8 },
  percentile_calibration_value: { kind: 'number', min: 90, max: 100, program: true, programOnlyWith: WITH_INT8 },
  quantization_precision_bias: { kind: 'enum', values: ['Int32', 'Int8'], program: true, programOnlyWith: WITH_INT8 },
  enable_channelwise: { kind: 'bool', program: true, programOnlyWith: WITH_INT8 },
  enable_rowwise: { kind: 'bool', program: true, programOnlyWith: WITH_INT8 },
  // the profile records its own bins: they change the profile, and through its content the key
  num_histogram_bins: { kind: 'int', min: 2, max: 1 << 20, program: false },
  keep_stem_nodes: { kind: 'int', min: 0, max: 1 << 20, program: true, programOnlyWith: WITH_INT8 },
});

/**
 * The options that change the compiled program, read from the option table, in a canonical form (names sorted, symbol
 * maps as sorted pairs, name lists sorted, `undefined` as `null`) so that equal settings give equal JSON. This is what
 * the compile cache key hashes and what a program records as its compile options.
 */
export function programOptions(options: ResolvedOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of (Object.keys(SPECS) as OptionName[]).sort()) {
    const spec = SPECS[name];
    if (!spec.program || (spec.programOnlyWith !== undefined && !spec.programOnlyWith.some((o) => isOn(options[o])))) continue;
    const value: unknown = options[name];
    if (spec.keyOmitsDefault === true && JSON.stringify(value) === JSON.stringify(DEFAULT_OPTIONS[name])) continue;
    if (spec.contentKey === true) out[name] = value === undefined ? null : 'by-content';
    else if (spec.kind === 'symbols') out[name] = Object.entries(value as Record<string, number>).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    else if (spec.kind === 'string[]') out[name] = [...new Set(value as readonly string[])].sort();
    else out[name] = value ?? null;
  }
  return out;
}

/**
 * SDK compiler and runtime flags that are accepted for compatibility (YAML files written for the SDK use them)
 * and have no effect on the onnxruntime CPU backend.
 */
export const NO_EFFECT_OPTIONS = Object.freeze([
  'mos', 'ols', 'multicast_weights', 'aic_hw', 'aic_hw_version', 'stats_batchsize', 'compile_only',
  'allocator_dealloac_delay', 'size_split_granularity', 'vtcm_working_set_limit_ratio', 'execute_nodes_in_fp16',
  'custom_io_list_file', 'dump_custom_io_config_template_file',
  'external_quantization_file', 'load_embedding_tables', 'dump_embedding_tables', 'mdp_load_partition_config',
  'mdp_dump_partition_config', 'host_preproc', 'aic_preproc', 'aic_enable_depth_first', 'aic_depth_first_mem',
  'always_expand_onnx_functions', 'enable_debug', 'time_passes', 'io_crc', 'io_crc_stride', 'sdp_cluster_sizes',
  'profiling_threads', 'compile_threads', 'use_producer_dma', 'aic_perf_warnings', 'aic_perf_metrics',
  'aic_pmu_recipe', 'aic_pmu_events', 'dynamic_shape_input', 'ddr_stats', 'combine_inputs', 'combine_outputs',
  'output_node_names', 'model_inputs', 'oversubscription_name', 'mxfp6_matmul', 'retained_state',
  'aic_profiling_type', 'aic_binary_dir_relative', 'relative_path',
] as const);

/** The name of an SDK flag that is accepted and has no effect here: an entry of {@link NO_EFFECT_OPTIONS}. */
export type NoEffectOption = (typeof NO_EFFECT_OPTIONS)[number];

/**
 * The SDK's compiler and runtime flags that are accepted (any value), recorded in {@link ResolvedOptions.ignored}
 * and reported once as having no effect on this backend. Only these names: any other unknown name is an error.
 */
export type NoEffectFlags = {
  /** An SDK compiler or runtime flag: accepted with any value and recorded, with no effect on this backend. */
  [K in NoEffectOption]?: unknown;
};

const NO_EFFECT = new Set<string>(NO_EFFECT_OPTIONS);
const KNOWN = Object.keys(SPECS);

/** Defaults of every option. */
export const DEFAULT_OPTIONS: Omit<ResolvedOptions, 'ignored'> = Object.freeze({
  backend: 'qaic',
  dev_id: 0,
  num_activations: 1,
  set_size: 10,
  aic_num_cores: 1,
  allow_oversubscription: false,
  pin_cores: false,
  enable_metrics: false,
  enable_profiling: false,
  output_dir: undefined,
  options_path: undefined,
  compile: true,
  onnx_define_symbol: Object.freeze({}),
  batchsize: undefined,
  convert_to_fp16: false,
  keep_original_precision_for_nodes: Object.freeze([]),
  fp16_clip: false,
  graph: undefined,
  specializations: undefined,
  network_specialization_config: undefined,
  copy_inputs: false,
  activation_timeout_ms: 120_000,
  isolation: 'thread',
  engine: undefined,
  compute_unit: Object.freeze(['cpu'] as const),
  compute_unit_for_nodes: Object.freeze({ cpu: Object.freeze([]) }),
  run_timeout: 0,
  load_profile: undefined,
  dump_profile: undefined,
  node_precision_info_file: undefined,
  calibration_inputs: undefined,
  convert_to_quantize: false,
  quantization_precision: 'Int8',
  quantization_schema_activations: 'symmetric_with_uint8',
  quantization_schema_constants: 'symmetric_with_uint8',
  quantization_calibration: 'None',
  percentile_calibration_value: 100,
  quantization_precision_bias: 'Int32',
  enable_channelwise: true,
  enable_rowwise: false,
  num_histogram_bins: 512,
  keep_stem_nodes: undefined,
});

/** The snake_case name of an option given as snake, camel or kebab case. */
export function canonicalOptionName(key: string): string {
  return key
    .replace(/-/g, '_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Names longer than this many characters get no "did you mean" (the longest option name is about 40). */
const MAX_SUGGESTED_NAME = 64;

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** An option name for a message: quoted, and cut short when it is long (a 5 MB key must not make a 5 MB message). */
function quoteName(key: string): string {
  return key.length > 100 ? `'${key.slice(0, 97)}...' (${key.length} characters)` : `'${key}'`;
}

/**
 * The candidate closest to `name`, when it is close enough to be a plausible typo. The cost is bounded: a name whose
 * length differs from a candidate's by more than the allowed distance cannot be within it, so such pairs are skipped
 * before the quadratic edit distance (a megabyte-long name costs one length comparison per candidate).
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const allowed = Math.max(2, Math.floor(name.length / 3));
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) > allowed || c.length > 3 * MAX_SUGGESTED_NAME || name.length > 3 * MAX_SUGGESTED_NAME) continue;
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function invalid(option: string, expected: string, given: unknown, source: string): QaicError {
  return new QaicError('QAIC_INVALID_OPTION', `option '${option}'${source}: expected ${expected}, got ${describeValue(given)}`, {
    details: { option, expected, given: typeof given === 'bigint' ? String(given) : given },
  });
}

function checkValue(name: string, spec: OptionSpec, value: unknown, source: string): unknown {
  switch (spec.kind) {
    case 'bool':
      if (typeof value !== 'boolean') throw invalid(name, 'a boolean', value, source);
      return value;
    case 'string':
      if (typeof value !== 'string' || value.length === 0) throw invalid(name, 'a non-empty string', value, source);
      return value;
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(name, 'an integer', value, source);
      const min = spec.min ?? -Infinity;
      const max = spec.max ?? Infinity;
      if (value < min || value > max) {
        const range = max === min ? `${min}` : `an integer from ${min} to ${max}`;
        if (name === 'dev_id') {
          throw new QaicError('QAIC_INVALID_OPTION', `option 'dev_id'${source}: device ${value} does not exist; this backend has one device, 0 (the host CPU)`, {
            details: { option: name, expected: 0, given: value },
          });
        }
        throw invalid(name, range, value, source);
      }
      return value;
    }
    case 'number': {
      const min = spec.min ?? -Infinity;
      const max = spec.max ?? Infinity;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw invalid(name, `a number from ${min} to ${max}`, value, source);
      return value;
    }
    case 'enum':
      if (typeof value !== 'string' || !spec.values!.includes(value)) {
        const suggestion = typeof value === 'string' ? closest(value, spec.values!) : undefined;
        throw invalid(name, `one of ${spec.values!.map((v) => `'${v}'`).join(', ')}${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`, value, source);
      }
      return value;
    case 'inputs':
      if (typeof value !== 'object' || value === null || (typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function' && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')) {
        throw invalid(name, 'an iterable or async iterable of input dicts (as run() takes them)', value, source);
      }
      return value;
    case 'string[]':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalid(name, 'an array of strings', value, source);
      return [...value];
    case 'symbols':
      return checkSymbols(value, source);
    case 'specializations':
      return checkSpecializations(value, name, source);
    case 'units':
      return checkComputeUnits(name, value, source);
    case 'unit-nodes': {
      const expected = "{ cpu: [operator types or node names] } (only the CPU can be forced)";
      if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).some((k) => k !== 'cpu')) throw invalid(name, expected, value, source);
      const cpu = (value as { cpu?: unknown }).cpu ?? [];
      if (!Array.isArray(cpu) || !cpu.every((v) => typeof v === 'string' && v.length > 0)) throw invalid(`${name}.cpu`, 'an array of non-empty strings (operator types or node names)', cpu, source);
      return Object.freeze({ cpu: Object.freeze([...new Set(cpu as string[])]) });
    }
  }
}

const UNIT_NAMES: readonly string[] = [...COMPUTE_UNITS, 'all'];

/** A `compute_unit` value as the ordered units it names: 'all' expanded, repeats dropped (frozen). */
function checkComputeUnits(name: string, value: unknown, source: string): readonly ComputeUnit[] {
  const expected = "'cpu', 'gpu', 'npu', 'all', or an ordered list of them (an array or a comma-separated string such as 'gpu,cpu')";
  const entries = typeof value === 'string' ? value.split(',').map((e) => e.trim()) : value;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > 16) throw invalid(name, expected, value, source);
  const out: ComputeUnit[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string' || !UNIT_NAMES.includes(entry.toLowerCase())) {
      const suggestion = typeof entry === 'string' ? closest(entry.toLowerCase(), UNIT_NAMES) : undefined;
      throw invalid(name, `${expected}${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`, value, source);
    }
    const unit = entry.toLowerCase();
    for (const u of unit === 'all' ? COMPUTE_UNITS : [unit as ComputeUnit]) if (!out.includes(u)) out.push(u);
  }
  return Object.freeze(out);
}

function checkSymbols(value: unknown, source: string): Record<string, number> {
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  const add = (symbol: unknown, size: unknown): void => {
    if (typeof symbol !== 'string' || symbol.length === 0) {
      throw invalid('onnx_define_symbol', 'symbol names as non-empty strings', symbol, source);
    }
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
      throw invalid(`onnx_define_symbol.${symbol}`, 'a positive integer size', size, source);
    }
    out[symbol] = size;
  };
  if (Array.isArray(value)) {
    for (const pair of value) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw invalid('onnx_define_symbol', "a {name: size} mapping or a list of [name, size] pairs", value, source);
      }
      add(pair[0], pair[1]);
    }
    return out;
  }
  if (typeof value === 'string') {
    // the SDK's flag and ORT-EP YAML spelling: "batch,1 seq,128"
    for (const part of value.split(/\s+/).filter(Boolean)) {
      const [symbol, size] = part.split(',');
      add(symbol, size === undefined ? undefined : Number(size));
    }
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [symbol, size] of Object.entries(value)) add(symbol, size);
    return out;
  }
  throw invalid('onnx_define_symbol', "a {name: size} mapping or a list of [name, size] pairs", value, source);
}

/** Largest options file read (options files are a few hundred bytes; 1 MiB leaves room for long node lists). */
export const MAX_OPTIONS_FILE_BYTES = 1024 * 1024;

/**
 * Most values (every array element, mapping entry and scalar counted each time it is reached) an options file may
 * expand to. YAML aliases (`*name`) share one value, so a 300-byte file can describe 10^9 leaves that every later
 * walk (validation, `options.yaml`, the program's provenance) would visit: such a file is refused at once.
 */
export const MAX_OPTIONS_NODES = 100_000;

/**
 * The largest no-effect SDK flag value: a scalar (a string of at most 4096 characters) or a list of at most 256
 * scalars. These flags are recorded and reported, never used, so nothing justifies a bigger value.
 */
export const NO_EFFECT_VALUE_LIMITS = Object.freeze({ maxStringLength: 4096, maxListLength: 256 });

/**
 * How many values `value` expands to, following shared references (YAML aliases) each time, counting string
 * characters too; stops at `limit + 1`, so a bomb or a cycle costs at most `limit` steps.
 */
function expandedSize(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const v = stack.pop();
    count += 1;
    if (typeof v === 'string') count += Math.floor(v.length / 64);
    else if (Array.isArray(v)) for (let i = 0; i < v.length && count + stack.length <= limit; i++) stack.push(v[i]);
    else if (typeof v === 'object' && v !== null) {
      for (const k of Object.keys(v)) {
        if (count + stack.length > limit) break;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
    if (count + stack.length > limit) return limit + 1;
  }
  return count;
}

/** Read an options YAML file into a plain object. Throws `QAIC_FILE_NOT_FOUND`, `QAIC_FILE_INVALID` or `QAIC_INVALID_OPTION`. */
export function readOptionsFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    // a regular file of bounded size only: '/dev/zero', a FIFO or a 1 GB file is refused before reading
    text = readRegularTextFileSync(path, { what: 'options file (options_path)', maxBytes: MAX_OPTIONS_FILE_BYTES });
  } catch (error) {
    if (error instanceof QaicError) {
      throw new QaicError(error.code, error.message, { cause: error, details: { ...error.details, file: path, option: 'options_path' } });
    }
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = loadYaml(text);
  } catch (error) {
    throw new QaicError('QAIC_INVALID_OPTION', `options file '${path}' is not valid YAML: ${(error as Error).message}`, {
      cause: error,
      details: { file: path, option: 'options_path' },
    });
  }
  if (parsed === undefined || parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new QaicError('QAIC_INVALID_OPTION', `options file '${path}' must hold a mapping of option names to values, got ${describeValue(parsed)}`, {
      details: { file: path, option: 'options_path' },
    });
  }
  if (expandedSize(parsed, MAX_OPTIONS_NODES) > MAX_OPTIONS_NODES) {
    throw new QaicError('QAIC_INVALID_OPTION', `options file '${path}' expands to more than ${MAX_OPTIONS_NODES} values (YAML aliases, *name, repeat what they name; an options file is a short mapping)`, {
      details: { file: path, option: 'options_path', maxValues: MAX_OPTIONS_NODES },
    });
  }
  return parsed as Record<string, unknown>;
}

function isShortScalar(v: unknown): boolean {
  if (typeof v === 'string') return v.length <= NO_EFFECT_VALUE_LIMITS.maxStringLength;
  return v === null || typeof v === 'number' || typeof v === 'boolean';
}

/** A no-effect flag's value, checked to be a scalar or a short list of scalars (see {@link NO_EFFECT_VALUE_LIMITS}). */
function checkNoEffectValue(name: string, value: unknown, source: string): unknown {
  if (isShortScalar(value)) return value;
  if (Array.isArray(value) && value.length <= NO_EFFECT_VALUE_LIMITS.maxListLength) {
    let ok = true;
    for (let i = 0; i < value.length && ok; i++) ok = isShortScalar(value[i]);
    if (ok) return [...(value as unknown[])];
  }
  throw invalid(name, `a scalar (strings up to ${NO_EFFECT_VALUE_LIMITS.maxStringLength} characters) or a list of at most ${NO_EFFECT_VALUE_LIMITS.maxListLength} scalars (it is an SDK flag without effect here)`, value, source);
}

/**
 * Normalise names and validate values of one layer of options (code or file). Returns known options and
 * no-effect flags separately. `source` is appended to messages (e.g. ` in 'config.yaml'`).
 */
function normaliseLayer(raw: Record<string, unknown>, source: string): { known: Record<string, unknown>; ignored: Record<string, unknown> } {
  const known: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const ignored: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const givenAs = new Map<string, string>();
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const name = canonicalOptionName(key);
    const earlier = givenAs.get(name);
    if (earlier !== undefined) {
      throw new QaicError('QAIC_INVALID_OPTION', `option '${name}'${source} is given twice, as '${earlier}' and '${key}'; give it once`, {
        details: { option: name },
      });
    }
    givenAs.set(name, key);
    if (Object.hasOwn(SPECS, name)) {
      known[name] = checkValue(name, SPECS[name as keyof typeof SPECS], value, source);
    } else if (NO_EFFECT.has(name)) {
      ignored[name] = checkNoEffectValue(name, value, source);
    } else {
      const suggestion = closest(name, [...KNOWN, ...NO_EFFECT_OPTIONS]);
      throw new QaicError('QAIC_INVALID_OPTION', `unknown option ${quoteName(key)}${source}${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`, {
        details: { option: key, ...(suggestion === undefined ? {} : { suggestion }) },
      });
    }
  }
  return { known, ignored };
}

/**
 * Resolve options given in code (and the YAML file they may name) into validated {@link ResolvedOptions}.
 * Relative `output_dir` in a YAML file is taken relative to the current directory, like the Python API.
 *
 * @throws QaicError `QAIC_INVALID_OPTION` for unknown names, wrong types, ranges or conflicting flags;
 *   `QAIC_FILE_NOT_FOUND` when `options_path` cannot be read.
 */
export function resolveOptions(options: SessionOptions | SessionOptionsCamel | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new QaicError('QAIC_INVALID_OPTION', `options must be an object of option names to values, got ${describeValue(options)}`, {
      details: { option: 'options' },
    });
  }
  let given: Record<string, unknown>;
  try {
    given = { ...(options ?? {}) };
  } catch (error) {
    // a getter or proxy trap of the caller's threw while the options were read
    throw new QaicError('QAIC_INVALID_OPTION', `options could not be read: ${error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error)}`, {
      cause: error, details: { option: 'options' },
    });
  }
  const code = normaliseLayer(given, '');
  let file = { known: {} as Record<string, unknown>, ignored: {} as Record<string, unknown> };
  const optionsPath = code.known.options_path as string | undefined;
  if (optionsPath !== undefined) {
    const raw = readOptionsFile(optionsPath);
    if (Object.hasOwn(raw, 'options_path') || Object.hasOwn(raw, 'optionsPath')) {
      throw new QaicError('QAIC_INVALID_OPTION', `options file '${optionsPath}' may not name another options file (options_path)`, {
        details: { option: 'options_path', file: optionsPath },
      });
    }
    file = normaliseLayer(raw, ` in '${optionsPath}'`);
  }
  const merged = { ...DEFAULT_OPTIONS, ...file.known, ...code.known } as Omit<ResolvedOptions, 'ignored'>;
  const resolved: { -readonly [K in keyof ResolvedOptions]: ResolvedOptions[K] } = { ...merged, ignored: { ...file.ignored, ...code.ignored } };
  if (resolved.backend !== 'qaic' && resolved.backend !== 'aic') {
    throw new QaicError('QAIC_INVALID_OPTION', `option 'backend': expected 'qaic' or 'aic' (both run on onnxruntime's CPU provider here), got ${describeValue(resolved.backend)}`, {
      details: { option: 'backend', given: resolved.backend },
    });
  }
  if (resolved.enable_metrics && resolved.enable_profiling) {
    throw new QaicError('QAIC_INVALID_OPTION', "options 'enable_metrics' and 'enable_profiling' cannot be combined (as in the Python API); enable_profiling records metrics too", {
      details: { option: 'enable_metrics' },
    });
  }
  if (resolved.network_specialization_config !== undefined) {
    resolved.network_specialization_config = resolve(resolved.network_specialization_config);
    resolved.specializations = readSpecializationConfig(resolved.network_specialization_config, resolved.specializations !== undefined);
  }
  checkQuantizationOptions(resolved);
  checkSpecializationOptions(resolved);
  if (resolved.output_dir !== undefined) resolved.output_dir = resolve(resolved.output_dir);
  if (resolved.load_profile !== undefined) resolved.load_profile = resolve(resolved.load_profile);
  if (resolved.dump_profile !== undefined) resolved.dump_profile = resolve(resolved.dump_profile);
  if (resolved.node_precision_info_file !== undefined) resolved.node_precision_info_file = resolve(resolved.node_precision_info_file);
  if (optionsPath !== undefined) resolved.options_path = resolve(optionsPath);
  checkCoreBudget(resolved.num_activations, resolved.aic_num_cores, resolved.allow_oversubscription);
  return frozen(resolved);
}

/**
 * The combinations of quantization options this backend refuses, each with the SDK's reason or this backend's.
 * @throws QaicError `QAIC_INVALID_OPTION`
 */
function checkQuantizationOptions(o: ResolvedOptions): void {
  const refuse = (option: string, message: string): never => {
    throw new QaicError('QAIC_INVALID_OPTION', message, { details: { option } });
  };
  if (o.quantization_precision !== 'Int8') {
    refuse('quantization_precision', `option 'quantization_precision': only 'Int8' is supported (as the Python API documents), got '${o.quantization_precision}'`);
  }
  const quantizing = o.load_profile !== undefined || o.convert_to_quantize;
  if (!o.compile && (quantizing || o.dump_profile !== undefined)) {
    refuse('compile', `option '${o.load_profile !== undefined ? 'load_profile' : o.convert_to_quantize ? 'convert_to_quantize' : 'dump_profile'}' works while compiling; it has no meaning with compile: false`);
  }
  if (o.node_precision_info_file !== undefined && !quantizing) {
    refuse('node_precision_info_file', "option 'node_precision_info_file' chooses nodes to keep out of int8: it needs 'load_profile' or 'convert_to_quantize' (as the SDK pairs it with profile-guided quantization)");
  }
  if (o.convert_to_quantize && (o.load_profile !== undefined || o.dump_profile !== undefined)) {
    refuse('convert_to_quantize', `option 'convert_to_quantize' profiles and quantizes in one step and cannot be combined with '${o.load_profile !== undefined ? 'load_profile' : 'dump_profile'}' (as in the SDK)`);
  }
  if (o.load_profile !== undefined && o.calibration_inputs !== undefined) {
    refuse('calibration_inputs', "options 'load_profile' and 'calibration_inputs' cannot be combined: the profile already holds the calibration; drop one");
  }
  if (o.calibration_inputs === undefined && (o.dump_profile !== undefined || o.convert_to_quantize)) {
    refuse('calibration_inputs', `option '${o.convert_to_quantize ? 'convert_to_quantize' : 'dump_profile'}' needs 'calibration_inputs' (an iterable of input dicts to profile the model on)`);
  }
  if (o.calibration_inputs !== undefined && o.dump_profile === undefined && !o.convert_to_quantize) {
    refuse('calibration_inputs', "option 'calibration_inputs' has no effect without 'dump_profile' (write the profile) or 'convert_to_quantize' (quantize with it)");
  }
}

/** Largest specializations file read (a list of a few dozen small objects). */
export const MAX_SPECIALIZATION_FILE_BYTES = 1024 * 1024;

/**
 * Read `network_specialization_config` (through `files.ts`: a regular file of bounded size).
 *
 * @throws QaicError `QAIC_INVALID_OPTION` when `specializations` is given too, or the content is bad;
 *   `QAIC_FILE_NOT_FOUND` / `QAIC_FILE_INVALID` naming the option when the file cannot be read
 */
function readSpecializationConfig(path: string, alsoInCode: boolean): readonly Readonly<Record<string, number>>[] {
  if (alsoInCode) {
    throw new QaicError('QAIC_INVALID_OPTION', "options 'specializations' and 'network_specialization_config' both give the specializations; give one", {
      details: { option: 'network_specialization_config', file: path },
    });
  }
  let text: string;
  try {
    text = readRegularTextFileSync(path, { what: 'specializations file (network_specialization_config)', maxBytes: MAX_SPECIALIZATION_FILE_BYTES });
  } catch (error) {
    if (error instanceof QaicError) {
      throw new QaicError(error.code, error.message, { cause: error, details: { ...error.details, file: path, option: 'network_specialization_config' } });
    }
    throw error;
  }
  return parseSpecializationConfig(text, path);
}

/**
 * Specializations are compiled graphs: they need compiling. (With int8, every graph is quantized with the one
 * profile: see `compile()`.) A symbol given both a fixed size and per-specialization sizes is ambiguous.
 *
 * @throws QaicError `QAIC_INVALID_OPTION`
 */
function checkSpecializationOptions(o: ResolvedOptions): void {
  const specs = o.specializations;
  if (specs === undefined) return;
  const option = o.network_specialization_config !== undefined ? 'network_specialization_config' : 'specializations';
  const refuse = (message: string): never => {
    throw new QaicError('QAIC_INVALID_OPTION', message, { details: { option } });
  };
  if (!o.compile) refuse(`option '${option}' compiles one graph per specialization; it has no meaning with compile: false`);
  for (const [i, spec] of specs.entries()) {
    for (const symbol of Object.keys(spec)) {
      if (Object.hasOwn(o.onnx_define_symbol, symbol)) {
        refuse(`option '${option}': specialization ${i} sizes '${symbol}', which onnx_define_symbol already fixes to ${o.onnx_define_symbol[symbol]}; size it in one place`);
      }
    }
  }
}

/** Freeze resolved options and the symbol map, name list and no-effect record they hold (not the flags' values). */
function frozen(options: ResolvedOptions): ResolvedOptions {
  Object.freeze(options.onnx_define_symbol);
  Object.freeze(options.keep_original_precision_for_nodes);
  Object.freeze(options.ignored);
  if (options.specializations !== undefined) Object.freeze(options.specializations);
  return Object.freeze(options);
}

/**
 * Resolved options with some backend options changed: a new frozen object (resolved options are never changed in
 * place). `changes` must come from {@link checkBackendUpdate}.
 */
export function withBackendOptions(options: ResolvedOptions, changes: Partial<BackendOptions>): ResolvedOptions {
  return frozen({ ...options, ...changes });
}

/** The number of cores activations may use: `os.availableParallelism()`. */
export function machineCores(): number {
  return availableParallelism();
}

/**
 * Refuse `num_activations × aic_num_cores` above the machine's cores unless oversubscription is allowed, like the
 * device refuses more cores than it has.
 *
 * @throws QaicError `QAIC_OVERSUBSCRIBED`
 */
export function checkCoreBudget(numActivations: number, coresPerActivation: number, allow: boolean): void {
  const cores = machineCores();
  const wanted = numActivations * coresPerActivation;
  if (wanted > cores && !allow) {
    throw new QaicError(
      'QAIC_OVERSUBSCRIBED',
      `num_activations (${numActivations}) × aic_num_cores (${coresPerActivation}) = ${wanted} cores, but this machine has ${cores}; ` +
        'lower one of them, or pass allow_oversubscription: true to share cores (onnxruntime spin-waiting is then turned off)',
      { details: { option: 'num_activations', num_activations: numActivations, aic_num_cores: coresPerActivation, cores } },
    );
  }
}

/** Whether activations will share cores (and so must not spin-wait). */
export function sharesCores(numActivations: number, coresPerActivation: number): boolean {
  return numActivations * coresPerActivation > machineCores();
}

/** Runtime options that `updateBackendOptions()` may change. */
export interface BackendOptions {
  /** Worker-thread activations, 1 to 1024; a change re-activates an active session with the new count. */
  num_activations: number;
  /** Requests each activation accepts in flight, 1 to 100000; a change applies at once. */
  set_size: number;
  /** Device id; only 0 (the host CPU) is valid. */
  dev_id: number;
}

/**
 * Validate an `updateBackendOptions()` argument (snake or camel case). Only `num_activations`, `set_size` and
 * `dev_id` may change after creation.
 *
 * @throws QaicError `QAIC_INVALID_OPTION`
 */
export function checkBackendUpdate(update: unknown): Partial<BackendOptions> {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw new QaicError('QAIC_INVALID_OPTION', `updateBackendOptions() takes an object such as {num_activations: 2}, got ${describeValue(update)}`, {
      details: { option: 'backend_options' },
    });
  }
  const out: Partial<BackendOptions> = {};
  const allowed = ['num_activations', 'set_size', 'dev_id'] as const;
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    let name = canonicalOptionName(key);
    if (name === 'num_activation') name = 'num_activations'; // the Python doc's spelling
    if (!(allowed as readonly string[]).includes(name)) {
      const suggestion = closest(name, allowed);
      throw new QaicError('QAIC_INVALID_OPTION', `option '${key}' cannot be changed after creation; backend options are ${allowed.join(', ')}${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`, {
        details: { option: key },
      });
    }
    (out as Record<string, unknown>)[name] = checkValue(name, SPECS[name as keyof typeof SPECS], value, '');
  }
  return out;
}
