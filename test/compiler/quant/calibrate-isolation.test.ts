/**
 * Calibration runs the float graph on activations; with isolation: 'process' they are child processes, so a fault
 * inside onnxruntime while calibrating (an int32 Div of MIN by -1 raises SIGFPE) is a typed error and the host
 * lives on, as when compiling. The risky part runs in a child process with a time limit (see fixtures/isolated.ts).
 */
import t from 'tap';
import { finished, isolated } from '../../fixtures/isolated.js';

t.test("a fault while calibrating with isolation: 'process' is a typed error naming the signal", async (t) => {
  const result = finished(t, await isolated(`
    const { calibrate } = await lib('compiler/quant/calibrate.js');
    const { calibrationFaultModel, faultingInputs, harmlessInputs } = await fixtures('fault-models.js');
    const file = calibrationFaultModel();
    const fault = await attempt(() => calibrate(file, [faultingInputs('int32')], { isolation: 'process' }));
    const fine = await attempt(async () => Object.keys((await calibrate(file, [harmlessInputs('int32')], { isolation: 'process' })).tensors ?? {}).length);
    report({ fault, fine, alive: process.pid });
  `, { timeoutMs: 120_000 }));
  t.equal(result.fault.ok, false, 'the faulting calibration is refused');
  t.equal(result.fault.typed, true, 'with a QaicError');
  t.equal(result.fault.code, 'QAIC_ACTIVATION_CRASHED');
  t.match(result.fault.message, /SIGFPE/, 'naming the signal');
  t.equal(result.fine.ok, true, `a later calibration in the same process works: ${JSON.stringify(result.fine)}`);
  t.ok(result.alive > 0, 'the host process survived to report');
});
