import t from 'tap';
import { formatPlacement, placementFromProfile, placementProblem, unitOfProvider } from '../../lib/runtime/placement.js';

const GPU = 'WebGpuExecutionProvider';
const CPU = 'CPUExecutionProvider';
/** A node event as onnxruntime's profiler writes it (the fields the report reads). */
const node = (ts: number, name: string, op: string, provider: string, input: Record<string, number[]> = { float: [1, 8] }) => ({
  cat: 'Node', name: `${name}_kernel_time`, ts, args: { op_name: op, provider, input_type_shape: [input] },
});

t.test('subnets are runs of one unit in execution order; memcpy nodes are the copies between them, with bytes', async (t) => {
  const events = [
    // given out of order: the report sorts by timestamp
    node(40, 'mul', 'Mul', GPU),
    node(10, 'conv', 'Conv', GPU),
    node(20, 'Memcpy_1', 'MemcpyToHost', GPU, { float: [1, 8, 4] }),
    node(25, 'clip', 'Clip', CPU),
    node(30, 'Memcpy_2', 'MemcpyFromHost', GPU, { int64: [3] }),
    { cat: 'Session', name: 'model_run', ts: 5, args: {} },
    { cat: 'Node', name: 'conv_fence_before', ts: 9, args: { op_name: 'Conv' } },
    node(50, 'shape', 'Shape', CPU),
  ];
  const report = placementFromProfile(events);
  t.same(report.subnets.map((s) => [s.unit, s.nodes.map((n) => n.name)]), [['gpu', ['conv']], ['cpu', ['clip']], ['gpu', ['mul']], ['cpu', ['shape']]]);
  t.same(report.copies, [
    { from: 'gpu', to: 'cpu', node: 'Memcpy_1', dtype: 'float', shape: [1, 8, 4], bytes: 128 },
    { from: 'cpu', to: 'gpu', node: 'Memcpy_2', dtype: 'int64', shape: [3], bytes: 24 },
  ]);
  t.same(report.subnets[1]!.copiesIn.map((c) => c.node), ['Memcpy_1'], 'a copy belongs to the subnet it enters');
  t.same(report.subnets[2]!.copiesIn.map((c) => c.node), ['Memcpy_2']);
  t.same(report.subnets[3]!.copiesIn, [], 'a CPU node that needs no copy (shape ops) starts a subnet without one');
  t.same(report.totals, { gpu: { nodes: 2, subnets: 2, bytesIn: 24 }, cpu: { nodes: 2, subnets: 2, bytesIn: 128 } });
  t.ok(Object.isFrozen(report) && Object.isFrozen(report.subnets[0]!.nodes) && Object.isFrozen(report.totals.cpu));
});

t.test('a profile with no node events gives an empty report, and providers map to units', async (t) => {
  t.same(placementFromProfile([]), { subnets: [], copies: [], totals: {}, measuredWith: {} });
  t.same(placementFromProfile([], { x: [1, 3, 8, 8] }).measuredWith, { x: [1, 3, 8, 8] }, 'the shapes it was measured with are kept');
  t.equal(unitOfProvider(CPU), 'cpu');
  t.equal(unitOfProvider(GPU), 'gpu');
  t.equal(unitOfProvider('CUDAExecutionProvider'), 'gpu');
  t.equal(unitOfProvider('QNNExecutionProvider'), 'npu');
});

t.test('the printout gives totals per unit, then the subnets in order, cut at a maximum', async (t) => {
  const events = [node(1, 'a', 'Conv', GPU), node(2, 'm1', 'MemcpyToHost', GPU, { float: [2] }), node(3, 'b', 'Clip', CPU), node(4, 'm2', 'MemcpyFromHost', GPU, { float: [2] }), node(5, 'c', 'Add', GPU)];
  const lines = formatPlacement(placementFromProfile(events, { x: [1, 2] }), 2);
  t.same(lines, [
    ' ---- Placement (where onnxruntime ran each node, measured at activation) ----',
    'gpu: 2 node(s) in 2 subnet(s), 8 B copied in per inference',
    'cpu: 1 node(s) in 1 subnet(s), 8 B copied in per inference',
    '  subnet 0: gpu, 1 node(s) (Conv)',
    '  subnet 1: cpu, 1 node(s) (Clip), 8 B copied in',
    '  ... 1 more subnet(s)',
    '(measured on zeros of x 1x2)',
  ]);
});

t.test('UNTRUSTED - a stored report is accepted only when it is one, with totals its subnets give', async (t) => {
  const events = [node(1, 'a', 'Conv', GPU), node(2, 'm1', 'MemcpyToHost', GPU, { float: [2] }), node(3, 'b', 'Clip', CPU)];
  const good = JSON.parse(JSON.stringify(placementFromProfile(events, { x: [1, 2] }))) as Record<string, any>;
  t.equal(placementProblem(good), undefined, 'a report read back from JSON is sound');
  t.equal(placementProblem(placementFromProfile([])), undefined, 'so is an empty one');
  const bad: Array<[string, (r: Record<string, any>) => unknown, RegExp]> = [
    ['not an object', () => 'gpu', /not an object/],
    ['no subnets', (r) => ({ ...r, subnets: undefined }), /lacks subnets/],
    ['an unknown unit', (r) => { r.subnets[0].unit = 'tpu'; r.totals = { tpu: r.totals.gpu, cpu: r.totals.cpu }; return r; }, /subnet 0 is not a subnet/],
    ['a node without an op', (r) => { delete r.subnets[1].nodes[0].op; return r; }, /subnet 1 has a node without a name or op/],
    ['a negative byte count', (r) => { r.copies[0].bytes = -8; return r; }, /copy 0 is not a copy/],
    ['a copy with a fractional dim', (r) => { r.subnets[1].copiesIn[0].shape = [1.5]; return r; }, /copy 0 of subnet 1 is not a copy/],
    ['inflated totals', (r) => { r.totals.gpu.nodes = 175; return r; }, /totals for gpu are not the sums of its subnets/],
    ['a unit in the totals with no subnet', (r) => { r.totals.npu = { nodes: 0, subnets: 0, bytesIn: 0 }; return r; }, /totals name units/],
    ['a shape that is not one', (r) => { r.measuredWith.x = 'big'; return r; }, /measuredWith\.x is not a shape/],
  ];
  for (const [what, edit, expected] of bad) t.match(placementProblem(edit(structuredClone(good))), expected, what);
});

t.test('the printout says where it was measured', async (t) => {
  t.equal(formatPlacement(placementFromProfile([]), 12, 'at compile')[0], ' ---- Placement (where onnxruntime ran each node, measured at compile) ----');
});
