/**
 * The data plane of process activations (spill.ts): large tensors cross as files in a private folder. Round trips
 * keep types and bytes, small tensors stay in the message, and a reader refuses a name it did not write or a file
 * whose size is not what was announced.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPILL_MIN_BYTES, makeSpillDir, removeSpillDir, spillTensors, unspillTensors } from '../../lib/runtime/spill.js';
import type { WireTensor } from '../../lib/tensor.js';

t.test('large tensors round-trip through files; small ones and strings stay in the message', async (t) => {
  const dir = makeSpillDir();
  t.teardown(() => removeSpillDir(dir));
  const big = Float32Array.from({ length: SPILL_MIN_BYTES / 4 + 3 }, (_, i) => i * 0.5);
  const ids = BigInt64Array.from({ length: SPILL_MIN_BYTES / 8 }, (_, i) => BigInt(i) - 2n ** 62n);
  const feeds: WireTensor[] = [
    { type: 'float32', dims: [big.length], data: big.slice() },
    { type: 'int32', dims: [2], data: Int32Array.of(1, 2) },
    { type: 'int64', dims: [ids.length], data: ids.slice() },
    { type: 'string', dims: [1], data: ['s'] },
  ];
  const spilled = spillTensors(dir, 'in', 7, feeds as never);
  t.same(spilled.map((s) => s.key), [0, 2], 'only the two large typed arrays are written');
  t.equal(feeds[0]!.data.length, 0, 'a placeholder stays in the message');
  t.same(readdirSync(dir).sort(), ['in-7-0', 'in-7-1']);
  unspillTensors(dir, feeds as never, spilled);
  t.ok(feeds[0]!.data instanceof Float32Array && feeds[2]!.data instanceof BigInt64Array, 'types are kept');
  t.same(Array.from(feeds[0]!.data as Float32Array), Array.from(big), 'float32 bytes are kept');
  t.equal((feeds[2]!.data as BigInt64Array)[0], -(2n ** 62n), 'int64 values are kept');
  t.same(readdirSync(dir), [], 'files are deleted once read');

  const outputs: Record<string, WireTensor> = { y: { type: 'float32', dims: [big.length], data: big.slice() } };
  const out = spillTensors(dir, 'out', 8, outputs);
  unspillTensors(dir, outputs, out);
  t.same(Array.from(outputs.y!.data as Float32Array), Array.from(big), 'outputs by name too');
});

t.test('BAD INPUT - a name not written by spill.ts, or a file of another size, is refused', async (t) => {
  const dir = makeSpillDir();
  t.teardown(() => removeSpillDir(dir));
  const tensors: WireTensor[] = [{ type: 'float32', dims: [0], data: new Float32Array(0) }];
  t.throws(() => unspillTensors(dir, tensors as never, [{ key: 0, file: '../../etc/passwd', byteLength: 4 }]), { message: /refused a spilled tensor named/ });
  writeFileSync(join(dir, 'in-1-0'), Buffer.alloc(8));
  t.throws(() => unspillTensors(dir, tensors as never, [{ key: 0, file: 'in-1-0', byteLength: 4 }]), { code: 'QAIC_FILE_INVALID', message: /spilled tensor .* is 8 bytes, expected exactly 4/ });
  t.equal(existsSync(join(dir, 'in-1-0')), false, 'a refused file is removed too');
  execFileSync('mkfifo', [join(dir, 'in-2-0')]);
  t.throws(() => unspillTensors(dir, tensors as never, [{ key: 0, file: 'in-2-0', byteLength: 4 }]), { code: 'QAIC_FILE_INVALID' }, 'a FIFO is refused, not waited on');
  removeSpillDir(dir);
  t.equal(existsSync(dir), false, 'the folder is removed');
});

t.test('a spill that cannot be written leaves that tensor and the rest in the message, and no file behind', async (t) => {
  const dir = makeSpillDir();
  removeSpillDir(dir); // writing into a folder that is gone fails as a full tmpfs would
  const big = new Float32Array(SPILL_MIN_BYTES / 4).fill(2);
  const tensors: WireTensor[] = [{ type: 'float32', dims: [big.length], data: big }];
  t.same(spillTensors(dir, 'in', 1, tensors as never), [], 'nothing spilled');
  t.equal(tensors[0]!.data, big, 'the tensor stays in the message, whole');
});
