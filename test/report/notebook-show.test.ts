// show() hands SVG to display.svg and HTML to display.html when a notebook display exists, and returns the markup
// when none does (outside tslab, as in this test process).
import t from 'tap';
import { show, tslabDisplay, type NotebookDisplay } from '../../lib/report/notebook.js';
import { htmlTable, shapeDictRows } from '../../lib/report/table.js';

t.test('routes markup to the right display call', async (t) => {
  const calls: Array<[string, string]> = [];
  const display: NotebookDisplay = { html: (m) => calls.push(['html', m]), svg: (m) => calls.push(['svg', m]) };
  const table = htmlTable({ columns: ['name', 'shape', 'dtype'], rows: shapeDictRows({ x: [[1, 3, 'H', 'W'], 'float32'] }) });
  t.equal(show('<svg xmlns="http://www.w3.org/2000/svg"></svg>', display), undefined);
  t.equal(show(table, display), undefined);
  t.same(calls.map((c) => c[0]), ['svg', 'html']);
  t.match(calls[1]![1], /<td>\[1, 3, H, W\]<\/td><td>float32<\/td>/);
});

t.test('outside a notebook the markup comes back', async (t) => {
  t.equal(tslabDisplay(), undefined, 'no tslab kernel in a tap process');
  t.equal(show('<b>x</b>'), '<b>x</b>');
});
