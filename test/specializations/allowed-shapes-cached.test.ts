import t from 'tap';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../lib/session.js';
import { compile } from '../../lib/compiler/compile.js';
import { tempDir } from '../program/helpers.js';
import { convModel } from './helpers.js';

// A program is immutable, so allowedShapes reads its manifest once, not on every access before activation; each
// access still returns fresh objects, so a caller editing one cannot change what the session reports.
t.test('allowedShapes reads the manifest once before activation and hands out copies', async (t) => {
  const root = tempDir(t);
  const dir = join(root, 'p');
  await compile(convModel(), { specializations: [{ H: 4, W: 6 }, { H: 6, W: 4 }], output_dir: dir });
  const session = new Session(dir);
  t.teardown(() => session.close());
  const expected = [
    { graph: '4x6', inputs: { x: [1, 2, 4, 6] } },
    { graph: '6x4', inputs: { x: [1, 2, 6, 4] } },
  ];
  const first = session.allowedShapes;
  t.same(first, expected);
  first[0]!.inputs.x![2] = 99;
  first.pop();
  t.same(session.allowedShapes, expected, "editing a returned list changes nothing the session reports");
  // with the program moved away, a second read of the manifest would fail: the answer comes from the first read
  renameSync(join(dir, 'programqpc.bin'), join(dir, 'moved.bin'));
  t.same(session.allowed_shapes, expected, 'answered without reading the manifest again');
  renameSync(join(dir, 'moved.bin'), join(dir, 'programqpc.bin'));
  await session.setup();
  t.same(session.allowedShapes, expected, 'after activation: the prepared graphs say the same');
});
