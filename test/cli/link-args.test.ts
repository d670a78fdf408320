import t from 'tap';
import { resolve } from 'node:path';
import { parseLinkArgs } from '../../lib/cli/link-args.js';

t.test('qaic-link arguments: SDK-style and GNU-style flags, programs in order', async (t) => {
  t.same(parseLinkArgs(['-o=out', '-names=a,b', 'p1', 'p2'], '/w'), { kind: 'link', programs: [resolve('/w', 'p1'), resolve('/w', 'p2')], outputDir: resolve('/w', 'out'), names: ['a', 'b'] });
  t.same(parseLinkArgs(['--names', 'a', '-o', 'out', 'p1'], '/w'), { kind: 'link', programs: [resolve('/w', 'p1')], outputDir: resolve('/w', 'out'), names: ['a'] });
});

t.test('a flag given twice is refused, naming it, instead of the last one silently winning', async (t) => {
  t.throws(() => parseLinkArgs(['-o=out', '-names=a,b', '-names=c,d', 'p1', 'p2'], '/w'), { code: 'QAIC_CLI_USAGE', message: /-names was given twice \('a,b' and 'c,d'\); give it once/ });
  t.throws(() => parseLinkArgs(['-o=out', '-o=other', 'p1'], '/w'), { code: 'QAIC_CLI_USAGE', message: /-o was given twice/ });
});
