// qaic-runner --time reports the window actually measured next to the time asked; the window line and the stats
// line agree (no timing is asserted: a loaded machine may stretch the window).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { addOneModel } from '../fixtures/models.js';

const RUNNER = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-runner.js');

t.test('--time 0.5 prints the measured window, the time asked, and the wall time', async (t) => {
  const r = spawnSync(process.execPath, [RUNNER, '-t', addOneModel([1, 4]), '--time', '0.5', '-S', '2'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr);
  const stats = /^InferenceCnt (\d+) TotalDuration (\d+)us/m.exec(r.stdout);
  const window = /^Measured window: (\d+\.\d{3}) s \(--time asked 0\.5 s\); (\d+\.\d{3}) s from start to results, warm-up included$/m.exec(r.stdout);
  t.ok(stats, 'stats line');
  t.ok(window, 'window line');
  t.ok(Math.abs(Number(window![1]) - Number(stats![2]) / 1e6) <= 0.0011, 'the window is the TotalDuration of the stats line');
  t.ok(Number(window![2]) >= Number(window![1]), 'the wall time holds the window');
  const lines = r.stdout.split('\n');
  t.equal(lines.findIndex((l) => l.startsWith('Measured window')), lines.findIndex((l) => l.startsWith('InferenceCnt')) + 1, 'right after the stats line');
});

t.test('-n runs print the window without a time asked', async (t) => {
  const r = spawnSync(process.execPath, [RUNNER, '-t', addOneModel([1, 4]), '-n', '20'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^Measured window: \d+\.\d{3} s; \d+\.\d{3} s from start to results, warm-up included$/m);
});
