// qaic-runner --report writes one self-contained HTML file with the run's figures and its latency and throughput
// charts, drawn from the benchmark it just ran.
import t from 'tap';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { runRunner } from '../../lib/cli/qaic-runner.js';
import { addOneModel } from '../fixtures/models.js';
import { deepText, findAll, parseXml } from '../report/xml.js';
import { tempDir } from '../program/helpers.js';

t.test('qaic-runner --report report.html', async (t) => {
  // a private temp dir: t.testdir() is shared by every tap run of this file in the checkout
  const dir = tempDir(t);
  const file = join(dir, 'report.html');
  let out = '';
  let err = '';
  const io = { out: (s: string) => { out += s; }, err: (s: string) => { err += s; }, tty: false };
  const code = await runRunner(['-t', addOneModel([1, 4]), '--time', '1.2', '-a', '2', '-S', '2', '--report', file], io);
  t.equal(code, 0, err);
  t.match(out, new RegExp(`Wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const html = readFileSync(file, 'utf8');
  t.notMatch(html, /<script|\bsrc=|\bhref=/i, 'self-contained: no scripts, no external resources');
  const body = parseXml(html.slice(html.indexOf('<body>'), html.indexOf('</body>') + 7));
  const headings = findAll(body, (e) => e.name === 'figcaption').map((e) => deepText(e.children[0]!));
  t.same(headings, ['Latency by percentile', 'Latency histogram per activation', 'Throughput over time']);
  t.equal(findAll(body, (e) => e.name === 'svg').length, 3);
  const rate = /Inf\/Sec ([\d.]+)/.exec(out)![1]!;
  const shown = findAll(body, (e) => e.name === 'div' && e.children[0]?.text === 'throughput (inf/s)')[0]!.children[1]!.text;
  t.ok(Math.abs(Number(shown) - Number(rate)) <= Number(rate) * 1e-3, `the report's throughput ${shown} is the stats line's ${rate}`);
  const series = findAll(findAll(body, (e) => e.name === 'svg')[0]!, (e) => e.attributes.class === 'series');
  t.same(series.map((s) => s.attributes['data-series']), ['all activations', 'activation 0', 'activation 1'], 'a latency curve per activation');
});
