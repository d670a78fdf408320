import t from 'tap';
import { formatOperatorTable, operatorTable, type OrtEvent } from '../../lib/profiling/ort-profile.js';
import { buildTrace } from '../../lib/profiling/trace-file.js';
import { formatUnitTimes, unitTimes } from '../../lib/profiling/units.js';
import { placementFromProfile } from '../../lib/runtime/placement.js';

// Time per compute unit and per subnet, and one trace track per unit, from onnxruntime's node events (as its profiler
// writes them: `<node>_kernel_time`, args.provider) and the partition report built from the same kind of events.
const GPU = 'WebGpuExecutionProvider';
const CPU = 'CPUExecutionProvider';
const node = (ts: number, dur: number, name: string, op: string, provider: string): OrtEvent => ({
  cat: 'Node', name: `${name}_kernel_time`, ph: 'X', ts, dur, args: { op_name: op, provider, input_type_shape: [{ float: [1, 8] }] },
});
/** One inference: conv (GPU), a copy to the host, clip (CPU), a copy back, add (GPU). */
const inference = (at: number): OrtEvent[] => [
  { cat: 'Session', name: 'model_run', ph: 'X', ts: at, dur: 100 },
  node(at + 1, 10, 'conv', 'Conv', GPU),
  node(at + 11, 2, 'm1', 'MemcpyToHost', GPU),
  node(at + 13, 20, 'clip', 'Clip', CPU),
  node(at + 33, 3, 'm2', 'MemcpyFromHost', GPU),
  node(at + 36, 5, 'add', 'Add', GPU),
];
const placement = placementFromProfile(inference(0));

t.test('time per unit counts kernels on their unit and copies on the unit they enter; per subnet follows the report', async (t) => {
  const times = unitTimes([[...inference(0), ...inference(1000)], inference(0)], placement);
  const round = (x: number): number => Math.round(x * 1e9) / 1e9;
  t.same(times.units.map((r) => [r.unit, r.calls, round(r.total), r.copies, round(r.copyTotal)]), [
    ['cpu', 3, 60e-6, 3, 6e-6],
    ['gpu', 6, 45e-6, 3, 9e-6],
  ], 'three inferences over two activations, most time first');
  t.equal(round(times.units[0]!.share + times.units[1]!.share), 1, 'the shares add up');
  t.same(times.subnets.map((s) => [s.subnet, s.unit, s.nodes, round(s.total), round(s.copyTotal)]), [
    [0, 'gpu', 1, 30e-6, 0],
    [1, 'cpu', 1, 60e-6, 6e-6],
    [2, 'gpu', 1, 15e-6, 9e-6],
  ]);
  t.equal(times.unplaced, 0);
  const other = unitTimes([[node(0, 4, 'elsewhere', 'Mul', GPU)]], placement);
  t.equal(other.unplaced, 1, 'a node the report does not name counts for its unit only');
  t.same(other.subnets.map((s) => s.total), [0, 0, 0]);
  t.same(unitTimes([inference(0)]).subnets, [], 'no subnets without a report');

  const lines = formatUnitTimes(times, 2);
  t.match(lines[0], /^Time per compute unit/);
  t.match(lines[1], /^unit\s+calls\s+total \(s\)\s+copies in\s+copy time \(s\)\s+share$/);
  t.match(lines[3], /^cpu\s+3\s+0\.000060\s+3\s+0\.000006\s+55\.00 %$/);
  t.match(lines.join('\n'), /^subnet\s+unit\s+nodes\s+total \(s\)\s+copy time in \(s\)\s+share$/m);
  t.match(lines[lines.length - 1], /^\.\.\. 1 more subnets, \d+\.\d\d % of kernel time$/, 'cut at the maximum');
});

t.test('the operator table names each node\'s unit, and its subnet only where there is a report', async (t) => {
  const rows = operatorTable([inference(0)], placement);
  t.same(rows.map((r) => [r.node, r.unit, r.subnet]), [['clip', 'cpu', 1], ['conv', 'gpu', 0], ['add', 'gpu', 2], ['m2', 'gpu', 2], ['m1', 'gpu', 1]]);
  t.match(formatOperatorTable(rows, 10)[0], /^op type\s+node\s+provider\s+subnet\s+calls/);
  const plain = operatorTable([inference(0)]);
  t.ok(plain.every((r) => r.subnet === undefined));
  t.match(formatOperatorTable(plain, 10)[0], /^op type\s+node\s+provider\s+calls/, 'without a report the table is as before');
});

t.test('the trace has one track per unit for node events when nodes ran beyond the CPU; a CPU trace is as before', async (t) => {
  const doc = buildTrace([], [{ activation: 0, createStartNs: 0, events: inference(0) }], placement);
  const names = doc.traceEvents.filter((e) => e.name === 'thread_name').map((e) => [e.tid, (e.args as { name: string }).name]);
  t.same(names, [[1, 'host stages'], [2, 'onnxruntime'], [4, 'onnxruntime gpu'], [3, 'onnxruntime cpu']]);
  const placed = Object.fromEntries(doc.traceEvents.filter((e) => e.ph === 'X').map((e) => [e.name, [e.tid, e.args?.unit, e.args?.subnet]]));
  t.same(placed, {
    model_run: [2, undefined, undefined],
    conv_kernel_time: [4, 'gpu', 0],
    m1_kernel_time: [3, 'cpu', 1],
    clip_kernel_time: [3, 'cpu', 1],
    m2_kernel_time: [4, 'gpu', 2],
    add_kernel_time: [4, 'gpu', 2],
  }, 'session events stay on the onnxruntime track; copies go with the unit they enter');
  const cpuOnly = buildTrace([], [{ activation: 0, createStartNs: 0, events: [node(0, 5, 'clip', 'Clip', CPU)] }]);
  t.same(cpuOnly.traceEvents.filter((e) => e.ph === 'X').map((e) => [e.tid, e.args]), [[2, { op_name: 'Clip', provider: CPU }]]);
  t.notOk(cpuOnly.traceEvents.some((e) => e.tid > 2), 'no unit tracks for the CPU alone');
});
