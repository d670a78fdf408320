import t from 'tap';
import { join } from 'node:path';
import { compile } from '../../lib/compiler/compile.js';
import { formatReport, type CompileReport } from '../../lib/compiler/report.js';
import { readManifestSync } from '../../lib/program/open.js';
import { CLS_MODEL } from '../fixtures/models.js';
import { skipWithoutGpu } from '../fixtures/gpu.js';

// Compiling PP-OCR cls for ['gpu', 'cpu'] measures where onnxruntime places the stored graph's nodes with those
// providers: the same report session.placement gives (Clip, which the WebGPU provider has no kernel for, on the CPU),
// in the compile report, the program's manifest and qaic-exec's printout. Fails in CI without an adapter.
const skip = await skipWithoutGpu(t);

t.test("compiling cls for ['gpu', 'cpu'] records the placement onnxruntime made, in the report and the manifest", { skip }, async (t) => {
  const result = await compile(CLS_MODEL, { compute_unit: ['gpu', 'cpu'] });
  const placement = result.report.placement;
  if (placement === undefined) return void t.fail(`no placement: ${result.report.placementUnmeasured}`);
  t.equal(result.report.placementUnmeasured, undefined);
  const cpu = placement.subnets.filter((s) => s.unit === 'cpu');
  t.ok(cpu.length > 0 && cpu.every((s) => s.nodes.every((n) => n.op === 'Clip')), `the CPU subnets hold only Clip nodes (${placement.totals.cpu?.nodes})`);
  t.ok((placement.totals.gpu?.nodes ?? 0) > 100, `the rest is on the GPU (${placement.totals.gpu?.nodes})`);
  t.ok(cpu.every((s) => s.copiesIn.length > 0), 'each CPU subnet starts with a copy from the GPU');
  const stored = readManifestSync(join(result.programDir, 'programqpc.bin')).manifest.graphs[0]!.report as CompileReport;
  t.same(stored.placement, placement, 'the manifest stores the same report');
  const text = formatReport(result.report);
  t.match(text, /^Compute units: gpu, cpu$/m);
  t.match(text, /^ ---- Placement \(where onnxruntime ran each node, measured at compile\) ----$/m);
  t.match(text, /^cpu: \d+ node\(s\) in \d+ subnet\(s\), \d+ B copied in per inference$/m);
});
