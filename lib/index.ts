/**
 * qaic for Node.js: compile ONNX models into programs, run them on worker-thread activations, and measure them,
 * with the names and behaviour of the Qualcomm Cloud AI `qaic` Python API.
 *
 * @packageDocumentation
 */
export { Session } from './session.js';
export type { RunOptions, SessionState, ShapeDict } from './session.js';
export { QAIC_ERROR_CODES, QaicError, isQaicError } from './errors.js';
export type { QaicErrorCode, QaicErrorDetails } from './errors.js';
export { DEFAULT_OPTIONS, KEEP_STEM_PER_NODES, NO_EFFECT_OPTIONS, resolveOptions } from './options.js';
export type {
  BackendOptions, BaseSessionOptions, CamelCase, ComputeUnitName, NoEffectFlags, NoEffectOption, QuantizationSchemaName, ResolvedOptions, SessionOptions, SessionOptionsCamel, SymbolDefinitions,
} from './options.js';
export { DTYPES } from './dtypes.js';
export type { DType, TensorData } from './dtypes.js';
export type { InputTensor, InputValue, Inputs, OrtTensorLike, OutputTensor } from './tensor.js';
export type { Dim, ValueSpec } from './onnx/model.js';
export type { RunObserver, RunTrace } from './runtime/trace.js';
export type { WorkerTimes } from './runtime/protocol.js';
export type { PreparedGraph, ServedGraph, SourceDescription, SourceKind } from './graph-source.js';
export { AUTO_GRAPH } from './graph-source.js';
export { padToSpecialization, MAX_PAD_ELEMENTS, MAX_SPECIALIZATIONS, type AllowedShape, type PadOptions, type PaddedInputs, type Specialization } from './specializations.js';
export * as onnx from './onnx/index.js';
export * as report from './report/index.js';
export { configure, writeOptionsYaml, formatConfigureTable, type ConfigureOptions, type ConfigureResult, type ConfigureRow, type ConfigureGoal, type Candidate } from './tuning/configure.js';
export { availableComputeUnits, COMPUTE_UNITS, PROBE_TIMEOUT_MS, type AvailableComputeUnits, type ComputeUnit, type ComputeUnitProvider, type ComputeUnitStatus } from './runtime/compute-units.js';
export type { PlacementReport, PlacementCopy, PlacedNode, Subnet, UnitTotals } from './runtime/placement.js';
export { loadAffinity, type Pinning, type PinningOn, type PinningOff } from './runtime/affinity.js';
export { compile, type CompileResult } from './compiler/compile.js';
export { link, openProgram, writeProgram, type LinkOptions, type LinkResult, type OpenProgramOptions, type WrittenProgram, type GraphToStore, type LoadableGraph, type ManifestGraph, type OpenedProgram, type OpenedProgramWithManifest, type Manifest, type ManifestSection, type ManifestWeight, type ProgramProvenance } from './program/index.js';
export type { CompileReport, MacCount, QuantizationReport } from './compiler/report.js';
export { calibrate, type CalibrateOptions } from './compiler/quant/calibrate.js';
export { int8Accuracy, type Int8AccuracyOptions, type Int8AccuracyReport, type Int8OutputAccuracy, type Int8NodeError } from './compiler/quant/accuracy.js';
export { readProfile, MAX_PROFILE_BYTES, PROFILE_FORMAT, PROFILE_VERSION, type QuantizationProfile, type ProfileTensor } from './compiler/quant/profile.js';
export type { TensorHistogram } from './compiler/quant/histogram.js';
export type { QdqReport, FloatReason } from './compiler/quant/qdq.js';
export type { NodeErrorEstimate } from './compiler/quant/keep-stem.js';
export { ENGINES, type Engine } from './runtime/engine.js';
export * as metrics from './metrics/index.js';
export { convertToFp16, fp16Accuracy, storeWeightsAsFloat16, type Fp16Options, type Fp16Report, type AccuracyOptions, type AccuracyReport, type OutputAccuracy, type AccuracyInput, type Fp16TensorIssue, type KeepReason, type WeightStorageReport } from './compiler/fp16/index.js';
export * as loadgen from './loadgen/index.js';
export type { FindPeakArgs, LoadgenDetails, PeakResult, PeakTrial, Scenario, ScenarioArgs, ScenarioResult, ScenarioSettings } from './loadgen/index.js';
