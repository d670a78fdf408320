import t from 'tap';
import { SCENARIOS, defaultSettings } from '../../lib/loadgen/settings.js';
import { MAX_P99_LATENESS_NS } from '../../lib/loadgen/validity.js';
import { finished, isolated } from '../fixtures/isolated.js';
import { libUrl, moduleUrl, substitutePrelude } from '../fixtures/substitute.js';

// The default lateness bound is written once, as MAX_P99_LATENESS_NS: max_schedule_lateness's default (ms) and
// qaic-runner's help derive from it, so changing it changes them all.

t.test('max_schedule_lateness defaults to MAX_P99_LATENESS_NS, in ms, in every scenario', async (t) => {
  for (const scenario of SCENARIOS) t.equal(defaultSettings(scenario).max_schedule_lateness * 1e6, MAX_P99_LATENESS_NS, scenario);
});

t.test('another MAX_P99_LATENESS_NS moves the setting default and the runner help with it', async (t) => {
  // a child process in which validity.js is the real module with only MAX_P99_LATENESS_NS changed (5 ms)
  const validity = libUrl('loadgen/validity.js');
  const changed = moduleUrl(`export * from ${JSON.stringify(`${validity}?original`)};\nexport const MAX_P99_LATENESS_NS = 5_000_000;\n`);
  const outcome = await isolated(`${substitutePrelude({ [validity]: changed })}
const settings = await lib('loadgen/settings.js');
const runner = await lib('cli/runner-args.js');
report({
  server: settings.defaultSettings('Server').max_schedule_lateness,
  constant: settings.DEFAULT_MAX_SCHEDULE_LATENESS_MS,
  usage: runner.runnerUsage(),
});
`, { timeoutMs: 60_000 });
  const r = finished(t, outcome);
  t.equal(r.server, 5);
  t.equal(r.constant, 5);
  t.match(r.usage, /schedule lateness of a VALID run, ms \(default 5;/);
});
