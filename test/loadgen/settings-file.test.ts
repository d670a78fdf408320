import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, lookupSettings, parseSettingsText, resolveScenarioSettings } from '../../lib/loadgen/settings.js';

const CONF = `
# LoadGen-style settings
*.*.min_duration = 2000
*.Server.target_latency = 10          # ms
*.Server.target_latency_percentile = 99
det.*.min_duration = 3000
det.Server.target_qps = 42.5
*.Server.min_duration = 2500
cls.Server.target_qps = 7
*.*.qsl_rng_seed = 123
*.MultiStream.samples_per_query = 8
det.Offline.performance_sample_count_override = 16
ch_ppocr_mobile_v2.0_cls_infer.Server.target_qps = 9
`;

t.test('lookup order: model.scenario > *.scenario > model.* > *.*', async (t) => {
  const parsed = parseSettingsText(CONF, 'user.conf');
  t.same(parsed.ignored, ['qsl_rng_seed'], 'LoadGen keys without effect here are reported, not refused');
  t.same(lookupSettings(parsed, 'det', 'Server'), { min_duration: 2500, target_latency: 10, target_latency_percentile: 99, target_qps: 42.5 });
  t.same(lookupSettings(parsed, 'det', 'SingleStream'), { min_duration: 3000 }, 'model.* beats *.*');
  t.same(lookupSettings(parsed, 'rec', 'SingleStream'), { min_duration: 2000 });
  t.same(lookupSettings(parsed, 'det', 'MultiStream'), { min_duration: 3000, samples_per_query: 8 });
  t.same(lookupSettings(parsed, 'det', 'Offline'), { min_duration: 3000, performance_sample_count: 16 }, 'LoadGen file key performance_sample_count_override');
  t.equal(lookupSettings(parsed, 'ch_ppocr_mobile_v2.0_cls_infer', 'Server').target_qps, 9, 'a model name with dots');
});

t.test('defaults are the LoadGen struct defaults', async (t) => {
  t.same(defaultSettings('Server'), {
    target_qps: 1, target_latency: 100, target_latency_percentile: 99, min_duration: 10000, max_duration: 0,
    min_query_count: 100, max_query_count: 0, samples_per_query: 1, schedule_rng_seed: 0, performance_sample_count: 4,
    max_schedule_lateness: 1, // not LoadGen's: the qaic lateness rule's bound
  });
  t.equal(defaultSettings('SingleStream').target_latency_percentile, 90);
  t.equal(defaultSettings('MultiStream').samples_per_query, 4);
  t.equal(defaultSettings('MultiStream').target_latency_percentile, 99);
});

t.test('settings_path is read with the model name, and arguments win over the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qaic-conf-'));
  const file = join(dir, 'user.conf');
  writeFileSync(file, CONF);
  const s = resolveScenarioSettings('runBenchmark()', { scenario: 'Server', settings_path: file, target_latency: 15 }, '/models/det.onnx');
  t.equal(s.target_qps, 42.5, 'model name from the model file: det');
  t.equal(s.sources.target_qps, 'file');
  t.equal(s.target_latency, 15, 'the argument wins');
  t.equal(s.sources.target_latency, 'argument');
  t.equal(s.min_duration, 2500);
  t.equal(s.min_query_count, 100);
  t.equal(s.sources.min_query_count, 'default');
  const other = resolveScenarioSettings('runBenchmark()', { scenario: 'Server', settings_path: file, settings_model: 'cls' }, '/models/det.onnx');
  t.equal(other.target_qps, 7, 'settings_model overrides the name');
  t.throws(() => resolveScenarioSettings('runBenchmark()', { scenario: 'Server', settings_path: join(dir, 'missing.conf') }, 'det.onnx'), { code: 'QAIC_FILE_NOT_FOUND' });
  t.throws(() => resolveScenarioSettings('runBenchmark()', { scenario: 'Server', settings_path: dir }, 'det.onnx'), { code: 'QAIC_FILE_INVALID' });
});

t.test('bad settings files and arguments name what is wrong', async (t) => {
  t.throws(() => parseSettingsText('*.Server.target_qsp = 5', 'u.conf'), { code: 'QAIC_INVALID_OPTION', message: /u\.conf', line 1: unknown setting 'target_qsp'; did you mean 'target_qps'/ });
  t.throws(() => parseSettingsText('\n*.Server.target_qps = fast', 'u.conf'), { message: /line 2: 'target_qps' must be an integer or a decimal number, got 'fast'/ });
  t.throws(() => parseSettingsText('*.Sever.target_qps = 5', 'u.conf'), { message: /unknown scenario 'Sever'/ });
  t.throws(() => parseSettingsText('target_qps = 5', 'u.conf'), { message: /expected 'model\.scenario\.key' before '='/ });
  t.throws(() => parseSettingsText('*.Server.target_qps 5', 'u.conf'), { message: /expected 'model\.scenario\.key = value'/ });
  const r = (a: object): unknown => resolveScenarioSettings('runBenchmark()', a as never, 'm.onnx');
  t.throws(() => r({ scenario: 'Servr' }), { code: 'QAIC_INVALID_ARGUMENT', message: /'scenario' must be one of 'SingleStream', 'MultiStream', 'Server', 'Offline', got 'Servr'/ });
  t.throws(() => r({ scenario: 'Server', target_qsp: 3 }), { message: /did you mean 'target_qps'/ });
  t.throws(() => r({ scenario: 'Server', target_qps: 0 }), { message: /'target_qps' must be a positive number/ });
  t.throws(() => r({ scenario: 'Server', target_latency_percentile: 0.99 * 100 + 1 }), { message: /'target_latency_percentile' must be a percent above 0 and below 100/ });
  t.throws(() => r({ scenario: 'Server', samples_per_query: 2 }), { message: /'samples_per_query' must be 1 in the Server scenario/ });
  t.throws(() => r({ scenario: 'Server', min_query_count: 50, max_query_count: 10 }), { message: /'max_query_count' must be 0 \(no limit\) or at least min_query_count \(50\)/ });
  t.throws(() => r({ scenario: 'SingleStream', min_duration: -1 }), { message: /'min_duration' must be a non-negative number of milliseconds/ });
  const dir = mkdtempSync(join(tmpdir(), 'qaic-conf-'));
  writeFileSync(join(dir, 'bad.conf'), '*.Server.target_qps = -3\n');
  t.throws(() => resolveScenarioSettings('runBenchmark()', { scenario: 'Server', settings_path: join(dir, 'bad.conf') }, 'm.onnx'), { message: /'target_qps' must be a positive number of queries per second \(from the settings file/ });
});
