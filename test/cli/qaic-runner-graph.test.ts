import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess } from './runner-in-process.js';
import { tempDir } from '../program/helpers.js';
import { addGraph, programOf } from '../specializations/helpers.js';

// qaic-runner --graph <name> benchmarks one graph of a program of several (a link, or compiled specializations).

const run = runInProcess;

t.test('--graph picks the graph to benchmark; an unknown one lists those there are', async (t) => {
  const dir = tempDir(t);
  const program = await programOf(join(dir, 'p'), [addGraph('wide', 'float32', 1, [1, 4]), addGraph('tall', 'float32', 10, [4, 1])]);
  const json = join(dir, 'run.json');
  const tall = await run(['-t', program, '--graph', 'tall', '-n', '6', '-S', '1', '--json', json]);
  t.equal(tall.status, 0, tall.stderr);
  t.match(tall.stdout, /^Loaded tall on 1 activation\(s\)/m, 'the named graph was loaded');
  t.match(tall.stdout, /^InferenceCnt 6 /m);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as { options: { graph?: string }; benchmark: { graph: string } };
  t.equal(doc.options.graph, 'tall');
  t.equal(doc.benchmark.graph, 'tall', 'and benchmarked');
  const first = await run(['-t', program, '-n', '2', '-S', '1']);
  t.equal(first.status, 0, first.stderr);
  t.match(first.stdout, /^Loaded wide /m, 'default: the first graph');
  const unknown = await run(['-t', program, '--graph', 'square', '-n', '2']);
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, /QAIC_GRAPH_NOT_FOUND.*no graph named 'square'; available graphs: 'wide', 'tall'/);
});

t.test('a program whose graphs take the same inputs needs --graph', async (t) => {
  const dir = tempDir(t);
  const program = await programOf(join(dir, 'p'), [addGraph('one', 'float32', 1), addGraph('ten', 'float32', 10)]);
  const refused = await run(['-t', program, '-n', '2']);
  t.equal(refused.status, 2, 'a command line to complete');
  t.match(refused.stderr, /QAIC_INVALID_OPTION.*graphs 'one' .* and 'ten' .* take the same ones.*pass graph: one of 'one', 'ten' \[on the command line: graph is --graph\]/);
  const named = await run(['-t', program, '--graph', 'ten', '-n', '2', '-S', '1']);
  t.equal(named.status, 0, named.stderr);
});
