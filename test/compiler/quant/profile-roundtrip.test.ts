import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { checkProfileMatches, parseProfile, readProfile, serializeProfile } from '../../../lib/compiler/quant/profile.js';
import { cnnInputs, smallCnn, writeTemp } from './helpers.js';

t.test('calibrate writes a profile that reads back identical, and checks it against the model', async (t) => {
  const file = writeTemp(smallCnn(), 'cnn');
  const out = join(mkdtempSync(join(tmpdir(), 'qaic-profile-')), 'profile.json');
  const inputs = cnnInputs(6, 1);
  async function* stream() {
    for (const i of inputs) yield i;
  }
  const profile = await calibrate(file, stream(), { num_histogram_bins: 32, num_activations: 2, dump_profile: out });
  t.equal(profile.calibrationInputs, 6);
  t.same([...profile.tensors.keys()], ['x', 'c1', 'r1', 'c2', 'a', 'g', 'f', 'y'], 'every float activation, in graph order');
  t.equal(inputs[0]!.x.data.length, 8 * 16 * 16, "the caller's inputs are copied, not transferred away");
  const back = readProfile(out);
  t.same(serializeProfile(back), serializeProfile(profile), 'the file round-trips exactly');
  const r1 = back.tensors.get('r1')!;
  t.equal(r1.min, 0, 'a Relu output starts at 0');
  t.equal(Math.round(r1.counts.reduce((a, b) => a + b, 0)), r1.total, 'the histogram holds every value');
  t.doesNotThrow(() => checkProfileMatches(back, out, profile.model.sha256, {}, ['c1', 'r1']));
  t.throws(() => checkProfileMatches(back, out, '0'.repeat(64), {}, []), { code: 'QAIC_PROFILE_MISMATCH', message: /recorded on another model/ });
  t.throws(() => checkProfileMatches(back, out, profile.model.sha256, {}, ['c1', 'nope']), { code: 'QAIC_PROFILE_MISMATCH', message: /no range for 1 tensor\(s\).*'nope'/ });
});

t.test('a malformed or hostile profile is refused with QAIC_PROFILE_INVALID naming the problem', async (t) => {
  const good = JSON.parse(serializeProfile(await calibrate(writeTemp(smallCnn(), 'cnn'), cnnInputs(2, 5), { num_histogram_bins: 8 }))) as Record<string, unknown>;
  const variant = (f: (p: Record<string, any>) => void) => {
    const p = structuredClone(good) as Record<string, any>;
    f(p);
    return JSON.stringify(p);
  };
  t.throws(() => parseProfile('{', 'p'), { code: 'QAIC_PROFILE_INVALID', message: /not JSON/ });
  t.throws(() => parseProfile(variant((p) => { p['version'] = 2; }), 'p'), { code: 'QAIC_PROFILE_INVALID', message: /format version 2/ });
  t.throws(() => parseProfile(variant((p) => { p['tensors'][0].histogram = [1, 2]; }), 'p'), { code: 'QAIC_PROFILE_INVALID', message: /histogram of 8 counts/ });
  t.throws(() => parseProfile(variant((p) => { p['tensors'][0].min = 'x'; }), 'p'), { code: 'QAIC_PROFILE_INVALID', message: /"min"/ });
  t.throws(() => parseProfile(variant((p) => { p['tensors'][1].name = p['tensors'][0].name; }), 'p'), { code: 'QAIC_PROFILE_INVALID', message: /appears twice/ });
  t.throws(() => parseProfile(variant((p) => { p['tensors'][0].lo = 1e9; }), 'p'), { code: 'QAIC_PROFILE_INVALID', message: /lo <= min <= max <= hi/ });
  t.throws(() => parseProfile(variant((p) => { p['tensors'] = []; }), 'p'), { code: 'QAIC_PROFILE_INVALID', message: /no tensor/ });
  const dir = mkdtempSync(join(tmpdir(), 'qaic-profile-'));
  t.throws(() => readProfile(dir), { code: 'QAIC_FILE_INVALID' }, 'a folder is not read as a profile');
  writeFileSync(join(dir, 'p.json'), variant((p) => { p['model'].sha256 = 'abc'; }));
  t.throws(() => readProfile(join(dir, 'p.json')), { code: 'QAIC_PROFILE_INVALID', message: /model.sha256/ });
});

t.test('calibration refuses empty data, non-iterables and inputs of the wrong shape with typed errors', async (t) => {
  const file = writeTemp(smallCnn(), 'cnn');
  await t.rejects(calibrate(file, []), { code: 'QAIC_INVALID_ARGUMENT', message: /no calibration inputs/ });
  await t.rejects(calibrate(file, 42 as never), { code: 'QAIC_INVALID_ARGUMENT', message: /iterable/ });
  await t.rejects(calibrate(file, [{ x: { data: new Float32Array(10), shape: [1, 10] } }]), { code: 'QAIC_INPUT_SHAPE', message: /calibration input set 0/ });
  await t.rejects(calibrate(file, cnnInputs(1, 1), { num_histogram_bins: 1 }), { code: 'QAIC_INVALID_OPTION', message: /num_histogram_bins/ });
});
