import t from 'tap';
import { readFileSync, writeFileSync, copyFileSync, mkdirSync, rmSync, symlinkSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Session } from '../../lib/session.js';
import { isQaicError } from '../../lib/errors.js';
import { graph, initializer, model, node, tensorInfo } from '../../lib/onnx/builder.js';
import { modelIO } from '../../lib/onnx/model.js';
import { openProgram, writeProgram } from '../../lib/program/index.js';
import { decodeHeader, encodeHeader, sha256Hex, type Manifest } from '../../lib/program/format.js';
import { lcgFloats, tempDir } from './helpers.js';

// A small program with a page-sized weight, a small weight, an inline scalar and two graphs: every region kind.
async function buildProgram(dir: string): Promise<Uint8Array> {
  const g = (scale: number) => {
    const m = model(graph({
      nodes: [node('MatMul', ['x', 'w'], ['h']), node('Add', ['h', 'b'], ['h2']), node('Mul', ['h2', 's'], ['y'])],
      inputs: [tensorInfo('x', 'float32', [1, 64])],
      outputs: [tensorInfo('y', 'float32', [1, 32])],
      initializers: [
        initializer('w', 'float32', [64, 32], lcgFloats(64 * 32, 3)),
        initializer('b', 'float32', [32], lcgFloats(32, scale)),
        initializer('s', 'float32', [], new Float32Array([scale])),
      ],
    }));
    const io = modelIO(m);
    return { name: `g${scale}`, model: m, inputs: io.inputs, outputs: io.outputs, batchSize: 1, sessionOptions: {}, hostFeatures: [] };
  };
  await writeProgram(dir, [g(1), g(2)], { sources: [{ path: 'gen.onnx', sha256: '0'.repeat(64) }], compileOptions: {} });
  // a real copy: Buffer#slice() would return views, and every flip would land in the original
  return new Uint8Array(readFileSync(join(dir, 'programqpc.bin')));
}

/** Open the program at `dir` and return the typed error it must throw. */
async function openError(t: { fail: (message: string) => void }, dir: string): Promise<{ code: string; message: string }> {
  try {
    await openProgram(dir);
  } catch (error) {
    if (!isQaicError(error)) {
      t.fail(`untyped error: ${String(error)}`);
      return { code: 'untyped', message: String(error) };
    }
    return { code: error.code, message: error.message };
  }
  return { code: 'none', message: 'opened without error' };
}

/** Rewrite the manifest (and re-hash it, so only the bounds checks can catch the forgery). */
function forge(bytes: Uint8Array, edit: (m: Manifest) => void): Uint8Array {
  const h = decodeHeader(bytes, bytes.byteLength, 1);
  if ('problem' in h) throw new Error(h.problem);
  const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(h.manifestOffset, h.manifestOffset + h.manifestLength))) as Manifest;
  edit(manifest);
  const mBytes = new TextEncoder().encode(JSON.stringify(manifest));
  const out = new Uint8Array(h.manifestOffset + mBytes.byteLength);
  out.set(bytes.subarray(0, h.manifestOffset));
  out.set(mBytes, h.manifestOffset);
  out.set(encodeHeader({ major: 1, minor: 0, fileBytes: out.byteLength, manifestOffset: h.manifestOffset, manifestLength: mBytes.byteLength, manifestSha256: sha256Hex(mBytes) }), 0);
  return out;
}

function variant(root: string, name: string, bytes: Uint8Array): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'programqpc.bin'), bytes);
  return dir;
}

t.test('every single-bit flip anywhere in the file is a typed corruption error', async (t) => {
  const root = tempDir(t);
  const good = await buildProgram(join(root, 'good'));
  t.ok(good.byteLength > 8192, `program is ${good.byteLength} bytes`);
  t.equal((await openError(t, join(root, 'good'))).code, 'none', 'the intact program opens');
  // Deterministic positions spread over the whole file (header, padding, weights, graphs, manifest), plus every bit
  // of the header.
  const positions: Array<[number, number]> = [];
  for (let i = 0; i < 128; i++) positions.push([i, (i * 5) % 8]);
  let s = 12345;
  for (let i = 0; i < 400; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    positions.push([s % good.byteLength, (s >>> 24) % 8]);
  }
  const dir = join(root, 'flip');
  mkdirSync(dir);
  const codes = new Map<string, number>();
  let unnamed = 0;
  for (const [pos, bit] of positions) {
    const bad = good.slice();
    bad[pos]! ^= 1 << bit;
    writeFileSync(join(dir, 'programqpc.bin'), bad);
    const { code, message } = await openError(t, dir);
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (code !== 'QAIC_PROGRAM_CORRUPT' && code !== 'QAIC_PROGRAM_VERSION') t.fail(`flip at byte ${pos} bit ${bit}: ${code} ${message}`);
    if (!message.includes(join(dir, 'programqpc.bin'))) unnamed++;
  }
  t.same([...codes.keys()], ['QAIC_PROGRAM_CORRUPT'], `${positions.length} flips, all refused as corrupt`);
  t.equal(unnamed, 0, 'every message names the file');
});

t.test('truncation at any offset is a typed corruption error', async (t) => {
  const root = tempDir(t);
  const good = await buildProgram(join(root, 'good'));
  const dir = join(root, 'cut');
  mkdirSync(dir);
  const offsets = [0, 1, 7, 8, 64, 127, 128, 129, 4095, 4096, 4097];
  for (let o = 200; o < good.byteLength; o += 331) offsets.push(o);
  offsets.push(good.byteLength - 1);
  for (const o of offsets) {
    writeFileSync(join(dir, 'programqpc.bin'), good.subarray(0, o));
    const { code, message } = await openError(t, dir);
    if (code !== 'QAIC_PROGRAM_CORRUPT') t.fail(`truncated to ${o} bytes: ${code} ${message}`);
    else if (o >= 128 && !/truncated/.test(message)) t.fail(`truncated to ${o} bytes: message does not say truncated: ${message}`);
  }
  t.pass(`${offsets.length} truncations refused`);
  const appended = new Uint8Array(good.byteLength + 3);
  appended.set(good);
  writeFileSync(join(dir, 'programqpc.bin'), appended);
  t.match((await openError(t, dir)).message, /extra bytes appended/);
});

t.test('wrong magic, other format version, forged manifests and absurd sizes', async (t) => {
  const root = tempDir(t);
  const good = await buildProgram(join(root, 'good'));
  const h = decodeHeader(good, good.byteLength, 1);
  if ('problem' in h) throw new Error(h.problem);

  const notProgram = new TextEncoder().encode('ONNX? no, just text that is long enough to have a header. '.repeat(4));
  let e = await openError(t, variant(root, 'magic', notProgram));
  t.equal(e.code, 'QAIC_PROGRAM_CORRUPT');
  t.match(e.message, /magic "QAICPROG"/);

  const v2 = good.slice();
  v2.set(encodeHeader({ ...h, major: 2, minor: 0 }), 0);
  e = await openError(t, variant(root, 'v2', v2));
  t.equal(e.code, 'QAIC_PROGRAM_VERSION');
  t.match(e.message, /version 2\.0.*reads version 1\.x/);

  const newerMinor = good.slice();
  newerMinor.set(encodeHeader({ ...h, minor: 7 }), 0);
  e = await openError(t, variant(root, 'minor', newerMinor));
  t.equal(e.code, 'none', 'a newer minor version of the same major opens (minor versions only add)');

  const hugeManifest = good.slice();
  hugeManifest.set(encodeHeader({ ...h, manifestLength: 2 ** 52 }), 0);
  e = await openError(t, variant(root, 'huge-manifest', hugeManifest));
  t.equal(e.code, 'QAIC_PROGRAM_CORRUPT');
  t.match(e.message, /outside the file/, 'an absurd manifest size is refused before any allocation');

  const cases: Array<[string, (m: Manifest) => void, RegExp]> = [
    ['section-past-end', (m) => { m.sections[1]!.offset = good.byteLength + 100; }, /past the end/],
    ['absurd-section', (m) => { m.sections[0]!.length = 2 ** 50; }, /past the end/],
    ['weight-outside', (m) => { m.weights[0]!.offset = 0; }, /outside the weight section/],
    ['absurd-weight', (m) => { m.weights[0]!.length = Number.MAX_SAFE_INTEGER; }, /outside the weight section/],
    ['overlap', (m) => { m.sections[2]!.offset = m.sections[1]!.offset; }, /overlap/],
    ['into-header', (m) => { m.sections[1]!.offset = 16; }, /overlap/],
    ['no-graphs', (m) => { m.graphs = []; }, /no graphs/],
    ['dup-graph', (m) => { m.graphs[1]!.name = m.graphs[0]!.name; }, /twice/],
    ['bad-name', (m) => { m.graphs[0]!.name = '../escape'; }, /invalid name/],
    ['negative', (m) => { m.sections[0]!.offset = -4096; }, /malformed section/],
    ['bad-batch', (m) => { m.graphs[0]!.batchSize = 0; }, /batch size/],
    ['no-section', (m) => { m.sections = m.sections.filter((s) => s.graph !== 'g2'); }, /no section for graph 'g2'/],
  ];
  for (const [name, edit, pattern] of cases) {
    e = await openError(t, variant(root, name, forge(good, edit)));
    t.equal(e.code, 'QAIC_PROGRAM_CORRUPT', `${name}: typed error`);
    t.match(e.message, pattern, `${name}: the message names the problem`);
  }

  const padded = good.slice();
  padded[200] = 1; // between the header and the weight section
  e = await openError(t, variant(root, 'padding', padded));
  t.match(e.message, /padding at bytes 128\.\.4096 is not zero/);
});

t.test('a Session on a damaged program fails with the typed error, and a missing one says so', async (t) => {
  const root = tempDir(t);
  const good = await buildProgram(join(root, 'good'));
  const bad = good.slice();
  bad[5000]! ^= 0x10;
  const dir = variant(root, 'bad', bad);
  const session = new Session(dir);
  await t.rejects(session.setup(), { code: 'QAIC_PROGRAM_CORRUPT', message: /weight section/ });
  await session.close();
  t.throws(() => new Session(join(root, 'nothing-here')), { code: 'QAIC_FILE_NOT_FOUND' });
  await t.rejects(openProgram(join(root, 'nothing-here')), { code: 'QAIC_FILE_NOT_FOUND' });
});

t.test('a damaged or missing graph file beside the program is regenerated from the verified program', async (t) => {
  const root = tempDir(t);
  const dir = join(root, 'p');
  await buildProgram(dir);
  writeFileSync(join(dir, 'programqpc.g1.onnx'), 'garbage');
  const program = await openProgram(dir);
  const loadable = await program.loadable('g1');
  t.not(readFileSync(loadable.modelPath, 'utf8'), 'garbage', 'the graph file was rewritten');
  const session = new Session(dir, { graph: 'g1' });
  t.teardown(() => session.close());
  const out = await session.run({ x: { data: new Float32Array(64), shape: [1, 64] } });
  t.equal(out.y!.data.length, 32);
  // a symlink to the program file loads, from a private folder: nothing is written beside the link's target
  symlinkSync(join(dir, 'programqpc.bin'), join(root, 'alias.bin'));
  const viaLink = await (await openProgram(join(root, 'alias.bin'))).loadable('g1');
  t.not(dirname(viaLink.modelPath), realpathSync(dir), 'a symlinked program does not write beside the real file');
  t.not(dirname(viaLink.modelPath), realpathSync(root), 'nor beside the link');
  const s1 = new Session(join(root, 'alias.bin'), { graph: 'g1' });
  t.teardown(() => s1.close());
  t.equal((await s1.run({ x: { data: new Float32Array(64), shape: [1, 64] } })).y!.data.length, 32);
  // a program file under another name is served from a temp folder holding a hard link to it
  copyFileSync(join(dir, 'programqpc.bin'), join(root, 'renamed.bin'));
  const renamed = await (await openProgram(join(root, 'renamed.bin'))).loadable('g2');
  t.equal(renamed.modelPath.startsWith(root), false, 'the graph file lives in a temp folder');
  t.teardown(() => rmSync(dirname(renamed.modelPath), { recursive: true, force: true }));
  const s2 = new Session(join(root, 'renamed.bin'), { graph: 'g2' });
  t.teardown(() => s2.close());
  t.equal((await s2.run({ x: { data: new Float32Array(64), shape: [1, 64] } })).y!.data.length, 32);
});
