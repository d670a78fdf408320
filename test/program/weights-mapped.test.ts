import t from 'tap';
import { readFileSync } from 'node:fs';
import { Session } from '../../lib/session.js';
import { openProgram, writeProgram } from '../../lib/program/index.js';
import { DET, provenanceOf, rawGraph, tempDir } from './helpers.js';

/** Bytes of this process's mappings of `file` (from /proc/self/smaps: address ranges of VMAs backed by it). */
function mappedBytes(file: string): { bytes: number; mappings: number } {
  let bytes = 0;
  let mappings = 0;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s+(.*)$/.exec(line);
    if (m !== null && m[3] === file) {
      bytes += parseInt(m[2]!, 16) - parseInt(m[1]!, 16);
      mappings++;
    }
  }
  return { bytes, mappings };
}

t.test('every activation maps the weights from programqpc.bin instead of copying them', { skip: process.platform !== 'linux' ? 'needs /proc/self/smaps' : false }, async (t) => {
  const dir = tempDir(t);
  // the session options compiled graphs carry: no load-time rewrite of weights, no prepacked copies
  const g = { ...rawGraph(DET), sessionOptions: { graphOptimizationLevel: 'disabled', extra: { session: { disable_prepacking: '1' } } } };
  await writeProgram(dir, [g], provenanceOf(DET));
  const program = await openProgram(dir);
  t.equal(mappedBytes(program.path).mappings, 0, 'nothing maps the program before activation');

  const session = new Session(dir, { num_activations: 2 });
  t.teardown(() => session.close());
  await session.setup();
  const mapped = mappedBytes(program.path);
  t.ok(mapped.mappings > 0, `${mapped.mappings} mappings of programqpc.bin`);
  t.ok(mapped.bytes >= 2 * program.weightBytes, `both activations map every weight: ${mapped.bytes} mapped bytes for ${program.weightBytes} weight bytes`);
  await session.close();
  t.equal(mappedBytes(program.path).mappings, 0, 'closing the session unmaps them');
});
