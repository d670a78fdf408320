/**
 * Link, after the AI Hub's example: compile the detector twice, for landscape (1x3x256x384) and portrait
 * (1x3x384x256) pages, and link both into one program whose two graphs share one copy of the weights. A session
 * picks a graph with the `graph` option. The example checks the weights are stored once and that each graph
 * detects the words of a page of its orientation.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, compile, link } from 'qaic';
import { check, detectionContrast, ocrModel, textPage } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'qaic-link-'));
const dims = (h: number, w: number): Record<string, number> => ({ 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': h, 'p2o.DynamicDimension.2': w });
try {
  const landscape = await compile(ocrModel('det'), { onnx_define_symbol: dims(256, 384), output_dir: join(dir, 'det-landscape') });
  const portrait = await compile(ocrModel('det'), { onnx_define_symbol: dims(384, 256), output_dir: join(dir, 'det-portrait') });
  const linked = await link([landscape.programDir, portrait.programDir], { output_dir: join(dir, 'det-linked') });
  const separate = statSync(landscape.programPath).size + statSync(portrait.programPath).size;
  console.log(`linked graphs ${JSON.stringify(linked.graphs)}: ${linked.fileBytes} bytes (two separate programs: ${separate} bytes), ` +
    `${linked.sharedWeights} of ${linked.weightCount} weights shared, ${linked.dedupedBytes} bytes saved`);
  check(linked.graphs.join(',') === 'det-landscape,det-portrait', 'the graphs are named after their program folders');
  check(linked.sharedWeights === linked.weightCount && linked.weightCount > 0, 'every weight is stored once and shared by both graphs');
  check(linked.fileBytes < separate * 0.6, 'the linked program is much smaller than the two programs together');

  for (const [graph, height, width] of [['det-landscape', 256, 384], ['det-portrait', 384, 256]] as const) {
    const session = new Session(join(dir, 'det-linked'), { graph });
    try {
      const shape = session.modelInputShapeDict.x![0];
      check(shape.join('x') === `1x3x${height}x${width}`, `graph ${graph} takes 1x3x${height}x${width} (got [${shape.join(', ')}])`);
      const page = textPage(height, width);
      await session.setup();
      const out = await session.run({ x: page.input });
      const map = out['sigmoid_0.tmp_0']!;
      const { words, background } = detectionContrast(map.data as Float32Array, page);
      check(Math.min(...words) > 0.5 && background < 0.05, `graph ${graph} finds all ${words.length} words and no background`);
    } finally {
      await session.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
