import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRegularFile, readRegularFile, readRegularFileSync } from '../../lib/files.js';

const dir = mkdtempSync(join(tmpdir(), 'qaic-files-'));
const plain = join(dir, 'plain.bin');
writeFileSync(plain, Buffer.from([1, 2, 3, 4]));

t.test('a regular file within its limits is read whole, sync and async', async (t) => {
  t.same([...readRegularFileSync(plain, { what: 'test file' })], [1, 2, 3, 4]);
  t.same([...await readRegularFile(plain, { what: 'test file', expectedBytes: 4 })], [1, 2, 3, 4]);
  t.equal(checkRegularFile(plain, { what: 'test file' }), 4);
  const link = join(dir, 'link.bin');
  symlinkSync(plain, link);
  t.same([...readRegularFileSync(link, { what: 'test file' })], [1, 2, 3, 4], 'a symlink to a regular file is followed');
});

t.test('a file of the wrong size is refused before reading, naming the file and both sizes', async (t) => {
  t.throws(() => readRegularFileSync(plain, { what: "input file for 'x'", expectedBytes: 8 }), { code: 'QAIC_FILE_INVALID', message: /input file for 'x' '.*plain\.bin' is 4 bytes, expected exactly 8/ });
  await t.rejects(readRegularFile(plain, { what: 'options file', maxBytes: 3 }), { code: 'QAIC_FILE_INVALID', message: /is 4 bytes, more than the 3 allowed/ });
});

t.test('devices, FIFOs and folders are refused at once with QAIC_FILE_INVALID, never read', async (t) => {
  const zero = join(dir, 'zero.onnx');
  symlinkSync('/dev/zero', zero);
  t.throws(() => readRegularFileSync(zero, { what: 'model file' }), { code: 'QAIC_FILE_INVALID', message: /model file '.*zero\.onnx' is a character device, expected a regular file/ });
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  // a FIFO with no writer would block a plain open or read forever; here it is refused at once
  await t.rejects(readRegularFile(fifo, { what: 'graph file' }), { code: 'QAIC_FILE_INVALID', message: /is a FIFO/ });
  t.throws(() => checkRegularFile(fifo, { what: 'graph file' }), { code: 'QAIC_FILE_INVALID' });
  t.throws(() => readRegularFileSync(dir, { what: 'program file' }), { code: 'QAIC_FILE_INVALID', message: /folder/ });
});

t.test('a missing file is QAIC_FILE_NOT_FOUND naming it', async (t) => {
  t.throws(() => readRegularFileSync(join(dir, 'nope'), { what: 'model file' }), { code: 'QAIC_FILE_NOT_FOUND', message: /cannot read the model file '.*nope': no such file/ });
});
