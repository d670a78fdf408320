import t from 'tap';
import { emptyHistogram, addValues } from '../../../lib/compiler/quant/histogram.js';
import { estimateNodeErrors, relativeActivationError, stemNodes } from '../../../lib/compiler/quant/keep-stem.js';
import { quantizeGraph } from '../../../lib/compiler/quant/qdq.js';
import { calibrate } from '../../../lib/compiler/quant/calibrate.js';
import { calibratedRange } from '../../../lib/compiler/quant/ranges.js';
import { cnnInputs, smallCnn, writeTemp } from './helpers.js';

// The estimate behind keep_stem_nodes' report, on hand-computed cases, and what it keeps: the first quantized nodes in
// graph order (the stem), which measured worst on PP-OCRv4.

t.test('relativeActivationError: rounding noise over the range, against the histogram RMS', async (t) => {
  const h = emptyHistogram(4);
  // four values at the bin centres of [-2, 2]: -1.5, -0.5, 0.5, 1.5; mean square 1.25
  addValues(h, Float32Array.of(-2, 2));
  h.counts.fill(0);
  h.counts.set([1, 1, 1, 1]);
  h.total = 4;
  const step = 4 / 255;
  t.ok(Math.abs(relativeActivationError(h, -2, 2) - Math.sqrt((step * step) / 12 / 1.25)) < 1e-12, 'in range: step^2 / 12 against the mean square');
  // a range of [-1, 1] clips the outer two values by 0.5 each
  const clipped = Math.sqrt((2 * 0.25 + 2 * (2 / 255) ** 2 / 12) / 5);
  t.ok(Math.abs(relativeActivationError(h, -1, 1) - clipped) < 1e-12, 'clipping outside the range counts fully');
  h.counts.fill(0);
  t.equal(relativeActivationError(h, -1, 1), 0, 'an all-zero tensor has no relative error');
});

t.test('every quantized node gets a finite estimate, in graph order; stemNodes takes the first ones', async (t) => {
  const float = smallCnn();
  const profile = await calibrate(writeTemp(float, 'cnn'), cnnInputs(4, 1), { num_histogram_bins: 128 });
  const ranges = new Map([...profile.tensors].map(([name, h]) => [name, calibratedRange(h, 'None')]));
  const q = quantizeGraph(float, { ranges, channelwise: true, operators: ['Conv', 'MatMul', 'Gemm'] });
  const estimates = estimateNodeErrors(q.model, { histograms: profile.tensors, ranges, quantized: new Set(q.int8Nodes) });
  t.same(estimates.map((e) => e.node), ['conv1', 'conv2', 'head'], 'the three quantized nodes, in graph order');
  for (const e of estimates) t.ok(Number.isFinite(e.estimate) && e.estimate > 0 && e.estimate < 0.5, `${e.node}: ${e.estimate.toExponential(2)}`);
  t.same(estimates.map((e) => e.readsInput), [true, false, false], 'conv1 reads the graph input');
  t.equal(estimates[0]!.output, 'r1', "conv1's output is the Relu's it absorbed: the tensor really quantized");
  t.same(stemNodes(estimates, 2).map((e) => e.node), ['conv1', 'conv2']);
  t.same(stemNodes(estimates, 0), []);
});
