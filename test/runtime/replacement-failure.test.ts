import t from 'tap';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { slowModel, within } from '../fixtures/models.js';

t.test('when a crashed activation cannot be replaced, waiting and later runs reject instead of hanging', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'model.onnx');
  copyFileSync(slowModel(80), path); // ~85 ms runs: the kill must land while the first one is in flight, even under load
  // compile: false: activations load this very file, so deleting it makes the replacement fail
  const session = new Session(path, { compile: false, set_size: 1 });
  t.teardown(() => session.close());
  await session.setup();
  const first = session.run({ x: new Float32Array(512 * 512) }).then(() => 'ok', (e: { code?: string }) => e.code);
  const queued = session.run({ x: new Float32Array(512 * 512) }).then(() => 'ok', (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`);
  rmSync(path);
  await session._pool!.activations[0]!.killForTesting();
  t.equal(await within(first, 10_000, 'the in-flight run'), 'QAIC_ACTIVATION_CRASHED');
  t.match(await within(queued, 30_000, 'the queued run'), /^QAIC_ACTIVATION_FAILED: .*model\.onnx/, 'the queued run gets the reason');
  const later = await within(session.run({ x: new Float32Array(512 * 512) }).then(() => 'ok', (e: { code?: string }) => e.code), 30_000, 'a later run');
  t.equal(later, 'QAIC_ACTIVATION_FAILED', 'a later run is refused with the reason, not left pending');
});
