import t from 'tap';
import { SCENARIOS, defaultSettings } from '../../lib/loadgen/settings.js';
import { MAX_P99_LATENESS_NS } from '../../lib/loadgen/validity.js';

// The default lateness bound is written once, as MAX_P99_LATENESS_NS: max_schedule_lateness's default (ms) and
// qaic-runner's help derive from it, so changing it changes them all.

t.test('max_schedule_lateness defaults to MAX_P99_LATENESS_NS, in ms, in every scenario', async (t) => {
  for (const scenario of SCENARIOS) t.equal(defaultSettings(scenario).max_schedule_lateness * 1e6, MAX_P99_LATENESS_NS, scenario);
});

t.test('another MAX_P99_LATENESS_NS moves the setting default and the runner help with it', async (t) => {
  // tap resolves relative mock paths against the source-mapped .ts file: absolute URLs of the built files instead
  const at = (path: string) => new URL(path, import.meta.url).href;
  const validity = { ...(await import('../../lib/loadgen/validity.js')), MAX_P99_LATENESS_NS: 5_000_000 };
  const settings = await t.mockImport<typeof import('../../lib/loadgen/settings.js')>(at('../../lib/loadgen/settings.js'), { [at('../../lib/loadgen/validity.js')]: validity });
  t.equal(settings.defaultSettings('Server').max_schedule_lateness, 5);
  t.equal(settings.DEFAULT_MAX_SCHEDULE_LATENESS_MS, 5);
  const runner = await t.mockImport<typeof import('../../lib/cli/runner-args.js')>(at('../../lib/cli/runner-args.js'), { [at('../../lib/loadgen/validity.js')]: validity });
  t.match(runner.runnerUsage(), /schedule lateness of a VALID run, ms \(default 5;/);
});
