// Type tests: this file is never run, only type-checked (test/types/type-checks.test.ts runs tsc on this folder).
// Each line under `@ts-expect-error` must fail to compile; a line that compiles there fails the check. Every other
// line must compile.
import { Session, compile, type BaseSessionOptions, type SessionOptions, type SessionOptionsCamel } from '../../../lib/index.js';
import type { OptionName } from '../../../lib/options.js';

// --- what must compile: snake_case, camelCase, both mixed, the no-effect SDK flags in either spelling
new Session('m.onnx', { num_activations: 2, set_size: 10, enable_metrics: true });
new Session('m.onnx', { numActivations: 2, setSize: 10, enableMetrics: true });
new Session('m.onnx', { num_activations: 2, setSize: 10 });
new Session('m.onnx', { onnx_define_symbol: { batch: 1 }, convert_to_fp16: true, keep_original_precision_for_nodes: ['Softmax'] });
new Session('m.onnx', { onnxDefineSymbol: [['batch', 1]], outputDir: 'out', activationTimeoutMs: 1000 });
new Session('m.onnx', { mos: 2, aic_hw: true, multicastWeights: true, aicHwVersion: '2.0' });
new Session('m.onnx');
const snake: SessionOptions = { set_size: 4, fp16_clip: true };
const camel: SessionOptionsCamel = { setSize: 4, fp16Clip: true };
new Session('m.onnx', snake);
new Session('m.onnx', camel);
void compile('m.onnx', { onnx_define_symbol: { batch: 1 }, output_dir: 'out', compile_only: true });
void compile('m.onnx', { load_profile: 'p.json', quantization_schema_activations: 'asymmetric', quantization_calibration: 'Percentile', percentile_calibration_value: 99.99 });
new Session('m.onnx', { convertToQuantize: true, calibrationInputs: [{ x: new Float32Array(4) }], enableChannelwise: false, quantizationPrecisionBias: 'Int32' });

// --- wrong value types
// @ts-expect-error set_size is a number
new Session('m.onnx', { set_size: 'ten' });
// @ts-expect-error setSize is a number
new Session('m.onnx', { setSize: 'ten' });
// @ts-expect-error num_activations is a number
new Session('m.onnx', { num_activations: 'two' });
// @ts-expect-error enable_metrics is a boolean
new Session('m.onnx', { num_activations: 2, enable_metrics: 'yes' });
// @ts-expect-error enableMetrics is a boolean, also beside a snake_case key
new Session('m.onnx', { num_activations: 2, enableMetrics: 'yes' });
// @ts-expect-error numActivations is a number, also beside a camelCase key
new Session('m.onnx', { numActivations: 'two', setSize: 3 });
// @ts-expect-error onnx_define_symbol sizes are numbers
new Session('m.onnx', { onnx_define_symbol: { batch: '1' } });
// @ts-expect-error keep_original_precision_for_nodes is a list
new Session('m.onnx', { keep_original_precision_for_nodes: 'Softmax' });
// @ts-expect-error batchsize is a number, in compile() too
void compile('m.onnx', { batchsize: '1' });
// @ts-expect-error quantization schemas are the SDK's four names
void compile('m.onnx', { load_profile: 'p.json', quantization_schema_constants: 'int8' });
// @ts-expect-error calibration methods are the SDK's names
new Session('m.onnx', { quantizationCalibration: 'minmax' });
// @ts-expect-error a typed options object holds typed values
const wrong: SessionOptions = { copy_inputs: 1 };

// --- unknown names (no open index signature: only the options and the SDK's no-effect flags exist)
// @ts-expect-error a misspelt option
new Session('m.onnx', { set_sise: 10 });
// @ts-expect-error a misspelt camelCase option
new Session('m.onnx', { numActivation: 2 });
// @ts-expect-error a name that is neither an option nor an SDK flag
void compile('m.onnx', { optimize: true });

void wrong;

// --- one set of names: the options a caller may give are exactly the options of the table (and of ResolvedOptions)
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const sameNames: Equal<keyof BaseSessionOptions, OptionName> = true;
// @ts-expect-error the check above can fail: these two sets differ
const differentNames: Equal<keyof BaseSessionOptions, Exclude<OptionName, 'set_size'>> = true;
void [sameNames, differentNames];
