// `qaic-runner ... | head`: the reader closes the pipe early; the tool ends quietly instead of crashing on EPIPE.
// Here the reader (`true`) has exited before the tool starts writing (the tool starts 2 s later), so every write
// to stdout fails with EPIPE.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const RUNNER = join(process.cwd(), 'dist', 'lib', 'cli', 'qaic-runner.js');

t.test('a closed stdout pipe ends the tool quietly, without an EPIPE stack', async (t) => {
  const script = `{ sleep 2; "${process.execPath}" "${RUNNER}" -h; echo "status=$?" >&2; } | true`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120_000 });
  t.match(r.stderr, /status=0/, 'exit status 0');
  t.notMatch(r.stderr, /EPIPE|Unhandled|at .*\(/, 'nothing on stderr about the closed pipe');
});
