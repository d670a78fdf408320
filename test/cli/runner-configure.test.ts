import t from 'tap';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { runRunner } from '../../lib/cli/qaic-runner.js';
import { addOneModel } from '../fixtures/models.js';
import { tempDir } from '../program/helpers.js';

function capture(): { io: { out: (s: string) => void; err: (s: string) => void; tty: boolean }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (s) => { out += s; }, err: (s) => { err += s; }, tty: false }, out: () => out, err: () => err };
}

t.test('qaic-runner --configure latency prints the table and writes the best settings as YAML', async (t) => {
  const yaml = join(tempDir(t), 'best.yaml');
  const c = capture();
  const code = await runRunner(['-t', addOneModel([1, 4]), '--configure', 'latency', '--time', '0.1', '--warmup', '1', '--configure-output', yaml], c.io);
  t.equal(code, 0, c.err());
  t.match(c.out(), /<- best \(latency\)/);
  t.match(c.out(), /Best for latency: -a 1 --aic-num-cores \d -S 1/);
  t.match(readFileSync(yaml, 'utf8'), /num_activations: 1\n/);
});

t.test('BAD CALL - --configure with an unknown goal, or --configure-output alone, is a usage error (exit 2)', async (t) => {
  const a = capture();
  t.equal(await runRunner(['-t', 'm.onnx', '--configure', 'fastest'], a.io), 2);
  t.match(a.err(), /--configure expects 'throughput' or 'latency', got 'fastest'/);
  const b = capture();
  t.equal(await runRunner(['-t', 'm.onnx', '--configure-output', 'x.yaml'], b.io), 2);
  t.match(b.err(), /--configure-output needs --configure/);
});
