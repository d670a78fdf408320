/**
 * isolation: 'process' (issue 12): an integer Div or Mod of the smallest value by -1 raises SIGFPE inside
 * onnxruntime. With threads it ends the whole process; with child processes it ends that activation's child only:
 * run() rejects with QAIC_ACTIVATION_CRASHED naming the signal, the activation is replaced, and the same session
 * serves the next run. The risky part runs in a child process with a time limit (see fixtures/isolated.ts).
 */
import t from 'tap';
import { finished, isolated } from '../fixtures/isolated.js';

for (const dtype of ['int32', 'int64'] as const) {
  t.test(`${dtype} Div and Mod of MIN by -1: a typed crash naming SIGFPE, and the session keeps serving`, async (t) => {
    const result = finished(t, await isolated(`
      const { Session } = await lib('session.js');
      const { divideModel, faultingInputs, harmlessInputs } = await fixtures('fault-models.js');
      const out = {};
      for (const op of ['Div', 'Mod']) {
        const session = new Session(divideModel(${JSON.stringify(dtype)}, op), { isolation: 'process', compile: false });
        const crash = await attempt(() => session.run(faultingInputs(${JSON.stringify(dtype)})));
        const next = await attempt(async () => String((await session.run(harmlessInputs(${JSON.stringify(dtype)}))).y.data[0]));
        await session.close();
        out[op] = { crash, next };
      }
      report({ ...out, alive: process.pid });
    `, { timeoutMs: 120_000 }));
    for (const op of ['Div', 'Mod'] as const) {
      const { crash, next } = result[op];
      t.equal(crash.ok, false, `${op}: the faulting run is refused`);
      t.equal(crash.typed, true, `${op}: with a QaicError`);
      t.equal(crash.code, 'QAIC_ACTIVATION_CRASHED', `${op}: QAIC_ACTIVATION_CRASHED`);
      t.match(crash.message, /SIGFPE/, `${op}: the message names the signal`);
      t.same(next, { ok: true, value: op === 'Div' ? '3' : '1' }, `${op}: the replaced activation answers the next run`);
    }
    t.ok(result.alive > 0, 'the host process survived to report');
  });
}
