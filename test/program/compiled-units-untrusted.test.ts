import t from 'tap';
import { join } from 'node:path';
import { describeSource, prepareGraph } from '../../lib/graph-source.js';
import { resolveOptions } from '../../lib/options.js';
import { resealFile, writeMatmulProgram } from './forge.js';
import { tempDir } from './helpers.js';

// The compute units a program was compiled for come from its manifest, which is untrusted: only a list of known unit
// names counts; a program that records none is a CPU program (the only kind before units were recorded); anything
// else is "unknown", so that no warning is claimed on a forged record.
const cases: Array<[string, unknown, readonly string[] | undefined]> = [
  ['no report', undefined, ['cpu']],
  ['a report that records no units', { optimization: { level: 'all' } }, ['cpu']],
  ['units gpu,cpu', { optimization: { level: 'basic', computeUnits: ['gpu', 'cpu'] } }, ['gpu', 'cpu']],
  ['units as a string', { optimization: { computeUnits: 'gpu' } }, undefined],
  ['an unknown unit', { optimization: { computeUnits: ['gpu', 'tpu'] } }, undefined],
  ['an empty list', { optimization: { computeUnits: [] } }, undefined],
];

for (const [what, report, expected] of cases) {
  t.test(`UNTRUSTED - a program whose manifest has ${what}: compiled for ${expected === undefined ? 'unknown units' : expected.join(',')}`, async (t) => {
    const dir = join(tempDir(t), 'prog');
    await writeMatmulProgram(dir);
    resealFile(dir, { manifest: (m) => { if (report === undefined) delete m.graphs[0]!.report; else m.graphs[0]!.report = report; } });
    const graph = await prepareGraph(describeSource(dir), resolveOptions({}));
    t.same(graph.compiledFor, expected);
    if (graph.compiledFor !== undefined) t.ok(Object.isFrozen(graph.compiledFor));
  });
}
