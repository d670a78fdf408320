// readModelFile reads through the library's untrusted-file reader: a missing path, a folder or a FIFO is a typed
// error naming the path, and a regular file that is not a model is QAIC_MODEL_INVALID naming it.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelFile } from '../../lib/onnx/model.js';
import { DET_MODEL } from '../fixtures/models.js';

const dir = mkdtempSync(join(tmpdir(), 'qaic-read-model-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('a model file: its model and its bytes', async (t) => {
  const { model, bytes } = readModelFile(DET_MODEL);
  t.equal(model.ir_version, 8);
  t.equal(bytes.length, 4745517);
});

t.test('what is not a readable model file', async (t) => {
  const missing = join(dir, 'missing.onnx');
  t.throws(() => readModelFile(missing), { code: 'QAIC_FILE_NOT_FOUND', message: new RegExp(missing) });
  t.throws(() => readModelFile(dir), { code: 'QAIC_FILE_INVALID', message: new RegExp(dir) });
  const fifo = join(dir, 'pipe.onnx');
  execFileSync('mkfifo', [fifo]);
  t.throws(() => readModelFile(fifo), { code: 'QAIC_FILE_INVALID' }, 'a FIFO is refused without blocking');
  const junk = join(dir, 'junk.onnx');
  writeFileSync(junk, 'not a model at all');
  t.throws(() => readModelFile(junk), { code: 'QAIC_MODEL_INVALID', message: /junk\.onnx/ });
});
