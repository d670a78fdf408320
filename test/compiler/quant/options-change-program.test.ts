import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../lib/compiler/compile.js';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { readManifestSync } from '../../../lib/program/open.js';
import { readProfile } from '../../../lib/compiler/quant/profile.js';
import { cnnInputs, smallCnn, writeTemp } from './helpers.js';

// The int8 options marked `program: true` in the option table really change the int8 program (the general check,
// test/options/program-flag-matches-program.test.ts, cannot vary them: they need a profile of the compiled model).

let n = 0;
async function weights(file: string, dir: string, options: Record<string, unknown>): Promise<string> {
  const result = await compile(file, { ...options, output_dir: join(dir, `p${n++}`) } as never);
  const { manifest } = readManifestSync(result.programPath);
  return JSON.stringify([manifest.weights.map((w) => [w.name, w.dataType, w.dims, w.sha256]), manifest.sections.map((s) => s.sha256)]);
}

t.test('each int8 option changes the int8 program; num_histogram_bins changes the profile', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-int8-options-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const profile = join(dir, 'profile.json');
  await calibrate(file, cnnInputs(6, 1), { dump_profile: profile });
  const base = { load_profile: profile };
  const plain = await weights(file, dir, base);
  t.not(await weights(file, dir, {}), plain, 'load_profile changes the program');
  const variations: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['quantization_schema_activations', {}, { quantization_schema_activations: 'asymmetric' }],
    ['quantization_schema_constants', {}, { quantization_schema_constants: 'asymmetric' }],
    ['quantization_calibration', {}, { quantization_calibration: 'Percentile', percentile_calibration_value: 99 }],
    ['percentile_calibration_value', { quantization_calibration: 'Percentile', percentile_calibration_value: 99 }, { quantization_calibration: 'Percentile', percentile_calibration_value: 95 }],
    ['quantization_precision_bias', {}, { quantization_precision_bias: 'Int8' }],
    ['enable_channelwise', {}, { enable_channelwise: false }],
    ['enable_rowwise', {}, { enable_rowwise: true }],
    ['keep_original_precision_for_nodes', {}, { keep_original_precision_for_nodes: ['conv2'] }],
  ];
  for (const [name, before, after] of variations) {
    t.not(await weights(file, dir, { ...base, ...after }), await weights(file, dir, { ...base, ...before }), name);
  }
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  await weights(file, dir, { dump_profile: a, calibration_inputs: cnnInputs(2, 1), num_histogram_bins: 64 });
  await weights(file, dir, { dump_profile: b, calibration_inputs: cnnInputs(2, 1), num_histogram_bins: 32 });
  t.equal(readProfile(a).bins, 64, 'dump_profile and calibration_inputs write the profile; num_histogram_bins sets its bins');
  t.equal(readProfile(b).bins, 32);
  t.not(await weights(file, dir, { convert_to_quantize: true, calibration_inputs: cnnInputs(4, 1) }), await weights(file, dir, {}), 'convert_to_quantize changes the program');
});
