import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addOneModel } from '../fixtures/models.js';
import { availableComputeUnits } from '../../lib/runtime/compute-units.js';
import { qaicExec } from './qaic-exec-helpers.js';

// qaic-exec -compute-unit=gpu,cpu prints the units and the partition report measured at compile (where this host has
// the GPU), or why there is none (where it does not): the printout answers on both kinds of host.
t.test('qaic-exec -compute-unit=gpu,cpu prints the units and the placement measured at compile, or why not', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'qaic-exec-units-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const { code, stdout, stderr } = await qaicExec([`-m=${addOneModel([2, 4])}`, '-compute-unit=gpu,cpu', `-aic-binary-dir=${join(out, 'prog')}`]);
  t.equal(code, 0, stderr);
  t.match(stdout, /^Compute units: gpu, cpu$/m);
  if ((await availableComputeUnits()).status.gpu.available) {
    t.match(stdout, /^ ---- Placement \(where onnxruntime ran each node, measured at compile\) ----$/m);
    t.match(stdout, /^gpu: 1 node\(s\) in 1 subnet\(s\)/m, 'the Add node on the GPU');
    t.match(stdout, /^\(measured on zeros of x 2x4\)$/m);
  } else {
    t.match(stdout, /^Placement: not measured: no listed accelerator is available on this host \(gpu: .+\)$/m);
  }
});
