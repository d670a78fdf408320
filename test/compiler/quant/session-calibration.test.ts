import t from 'tap';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../../lib/session.js';
import { readProfile } from '../../../lib/compiler/quant/profile.js';
import { cnnInputs, relativeL2, smallCnn, writeTemp } from './helpers.js';

// The Python way: a Session with dump_profile and calibration inputs profiles, then compiles (float32); with
// convert_to_quantize it profiles and compiles int8 in one step.

t.test('Session with dump_profile + calibration_inputs writes the profile, then runs the float32 program', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-session-profile-'));
  const file = writeTemp(smallCnn(), 'cnn');
  const profilePath = join(dir, 'profile.json');
  const session = new Session(file, { dump_profile: profilePath, calibration_inputs: cnnInputs(5, 1), num_histogram_bins: 128, output_dir: join(dir, 'p') });
  t.teardown(() => session.close());
  await session.setup();
  t.ok(existsSync(profilePath), 'the profile was written');
  const profile = readProfile(profilePath);
  t.equal(profile.calibrationInputs, 5);
  t.equal(profile.bins, 128, 'num_histogram_bins reached the profile');
  const out = await session.run(cnnInputs(1, 50)[0]!);
  t.same(out['y']!.shape, [1, 10]);
});

t.test('Session with convert_to_quantize + calibration_inputs runs an int8 program close to float32', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-session-int8-'));
  const file = writeTemp(smallCnn(), 'cnn');
  async function* stream() {
    yield* cnnInputs(6, 1);
  }
  const int8 = new Session(file, { convertToQuantize: true, calibrationInputs: stream(), outputDir: join(dir, 'int8') });
  const float = new Session(file, { output_dir: join(dir, 'float') });
  t.teardown(async () => {
    await int8.close();
    await float.close();
  });
  const input = cnnInputs(1, 77)[0]!;
  const a = (await float.run({ x: { data: input.x.data.slice(), shape: input.x.shape } }))['y']!.data as Float32Array;
  const b = (await int8.run({ x: { data: input.x.data.slice(), shape: input.x.shape } }))['y']!.data as Float32Array;
  t.ok(relativeL2(a, b) < 0.1, `int8 within 10 % of float32 (relative L2 ${relativeL2(a, b).toFixed(4)})`);
  t.not(Array.from(a).join(), Array.from(b).join(), 'and not the float32 program itself');
});
