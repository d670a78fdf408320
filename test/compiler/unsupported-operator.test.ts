import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../lib/compiler/compile.js';
import { compileWorkersStarted } from '../../lib/compiler/optimizer.js';
import { checkOperators, formatSupportedOperators, unsupportedFromOrtMessage } from '../../lib/compiler/operators.js';
import { encodeModel } from '../../lib/onnx/model.js';
import { graph, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { tempDir } from '../program/helpers.js';

function addModel(opset: number, domainOp?: { domain: string; op: string }) {
  return model(graph({
    nodes: [
      node('Relu', ['x'], ['r'], {}, { name: 'first' }),
      domainOp === undefined ? node('Add', ['r', 'x'], ['y'], {}, { name: 'the_add' }) : node(domainOp.op, ['r'], ['y'], {}, { name: 'custom', domain: domainOp.domain }),
    ],
    inputs: [tensorInfo('x', 'float32', [2])],
    outputs: [tensorInfo('y', 'float32', [2])],
  }), { opset, extraOpsets: domainOp === undefined ? {} : { [domainOp.domain]: 1 } });
}

t.test('BAD CALL - an operator below its supported opset is named with its node, before any worker starts', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'old.onnx');
  writeFileSync(path, encodeModel(addModel(6)));
  await t.rejects(compile(path, { output_dir: join(dir, 'out') }), {
    code: 'QAIC_UNSUPPORTED_OPERATOR',
    message: /node 'the_add' uses operator Add at opset 6 .* implements Add for opset versions 7\+ only/,
    details: { operator: 'Add', version: 6, node: 'the_add' },
  });
  t.equal(compileWorkersStarted(), 0, 'no compile worker was started');
});

t.test('BAD CALL - an operator of a domain the CPU provider lacks is named', async (t) => {
  t.throws(() => checkOperators(addModel(17, { domain: 'ai.onnx.preview.training', op: 'Gradient' }), 'g.onnx'), {
    code: 'QAIC_UNSUPPORTED_OPERATOR', message: /node 'custom' uses operator Gradient .*domain 'ai.onnx.preview.training'/,
  });
});

t.test('a supported model passes the check, and a local function is not mistaken for an unknown operator', async (t) => {
  t.doesNotThrow(() => checkOperators(addModel(17), 'ok.onnx'));
  const m = addModel(17, { domain: 'my.funcs', op: 'Twice' });
  m.functions = [{ name: 'Twice', domain: 'my.funcs', input: ['a'], output: ['b'], node: [node('Add', ['a', 'a'], ['b'])], opset_import: [{ domain: '', version: 17 }] }];
  t.doesNotThrow(() => checkOperators(m, 'f.onnx'));
});

t.test("onnxruntime's own no-kernel error maps to the same code", async (t) => {
  const e = unsupportedFromOrtMessage("Could not find an implementation for AveragePool(1) node with name 'pool0'", 'p.onnx');
  t.match(e, { code: 'QAIC_UNSUPPORTED_OPERATOR', details: { operator: 'AveragePool', version: 1, node: 'pool0' } });
  t.equal(unsupportedFromOrtMessage('some other failure', 'p.onnx'), undefined);
});

t.test('the supported-operator listing has domains and version ranges', async (t) => {
  const text = formatSupportedOperators();
  t.match(text, /ai\.onnx\s+Conv\s+1\+/);
  t.match(text, /ai\.onnx\s+Upsample\s+7-9/);
  t.match(text, /com\.microsoft\s+FusedConv\s+1\+/);
});
