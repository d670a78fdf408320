/**
 * Quick start: open the PP-OCRv4 text detector, run it on a synthetic page, and check that the detection map is
 * high on the text lines and low on the white background.
 *
 * Run: `npm run example` (builds, then `node dist/examples/quickstart.js`).
 */
import { Session } from 'qaic';
import { check, detectionContrast, ocrModel, textPage } from './support.js';

const page = textPage(256, 384);
const session = new Session(ocrModel('det'));
try {
  console.log('inputs ', session.modelInputShapeDict);
  // Activate now (load the program into its worker thread), so that run() does not pay for it.
  await session.setup();
  const out = await session.run({ x: { data: page.input, shape: page.shape } });
  const [name] = Object.keys(out);
  const map = out[name!]!;
  console.log(`output ${name}: shape [${map.shape.join(', ')}], ${map.dtype}`);
  check(map.shape.join('x') === '1x1x256x384', 'the detection map has the page size 1x1x256x384');
  const { words, background } = detectionContrast(map.data as Float32Array, page);
  const weakest = Math.min(...words);
  console.log(`${words.length} words: weakest word score ${weakest.toFixed(3)}; mean probability on background ${background.toFixed(4)}`);
  check(weakest > 0.5, `every one of the ${words.length} words is detected (word score > 0.5)`);
  check(background < 0.05, 'the white background is not (mean probability < 0.05)');
} finally {
  await session.close();
}
