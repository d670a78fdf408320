import t from 'tap';
import { join } from 'node:path';
import { convertToFp16, fp16Accuracy } from '../../../lib/compiler/fp16/index.js';
import { encodeModel, readModelFile } from '../../../lib/onnx/model.js';
import { PPOCR_DIR, syntheticPage, values } from './helpers.js';

const cases = [
  { file: 'ch_PP-OCRv4_det_infer.onnx', dims: [1, 3, 320, 320] },
  { file: 'ch_PP-OCRv4_rec_infer.onnx', dims: [1, 3, 48, 320] },
  { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [2, 3, 48, 192] },
];

for (const { file, dims } of cases) {
  t.test(`${file} converts to float16 with weights at most 0.55x and runs`, async (t) => {
    const { model, bytes } = readModelFile(join(PPOCR_DIR, file));
    const { model: converted, report } = convertToFp16(model);
    const out = encodeModel(converted);
    t.ok(report.weightBytesAfter <= 0.55 * report.weightBytesBefore,
      `weights ${report.weightBytesAfter} <= 0.55 x ${report.weightBytesBefore} (${(report.weightBytesAfter / report.weightBytesBefore).toFixed(3)})`);
    t.ok(out.byteLength <= 0.62 * bytes.byteLength, `file ${out.byteLength} vs ${bytes.byteLength}`);
    t.same(Object.keys(report.tensorIssues.filter((i) => i.overflow > 0)), [], 'no constant overflows');
    const count = dims.reduce((a, b) => a * b, 1);
    const data = file.includes('det') ? syntheticPage(dims[2]!, dims[3]!) : values(count, 11);
    const accuracy = await fp16Accuracy(bytes, out, { inputs: { x: { data, dims } }, threads: 2 });
    const o = accuracy.outputs[0]!;
    t.equal(o.nonFinite, 0, 'no inf/NaN in the float16 outputs');
    t.comment(`${file}: relative L2 ${o.relativeL2Error.toExponential(2)}, max abs ${o.maxAbsError.toExponential(2)}`
      + (o.top1Agreement === undefined ? '' : `, top-1 ${o.top1Agreement}`));
    if (file.includes('det')) t.ok(o.relativeL2Error <= 1e-2, `det relative L2 error ${o.relativeL2Error} <= 1e-2`);
    else t.ok(o.relativeL2Error <= 2e-2, `relative L2 error ${o.relativeL2Error}`);
    if (o.top1Agreement !== undefined) t.equal(o.top1Agreement, 1);
  });
}
