import t from 'tap';
import { resolveOptions, NO_EFFECT_VALUE_LIMITS } from '../../lib/options.js';

t.test('no-effect SDK flags take scalars or short lists; anything bigger is QAIC_INVALID_OPTION naming the flag', async (t) => {
  t.same(resolveOptions({ mos: 1, aic_pmu_events: ['a', 'b'], compile_only: true } as never).ignored, { mos: 1, aic_pmu_events: ['a', 'b'], compile_only: true });
  const tooLong = new Array(NO_EFFECT_VALUE_LIMITS.maxListLength + 1).fill(1);
  t.throws(() => resolveOptions({ mos: tooLong } as never), { code: 'QAIC_INVALID_OPTION', message: /option 'mos'.*at most 256/ });
  t.throws(() => resolveOptions({ mos: 'x'.repeat(NO_EFFECT_VALUE_LIMITS.maxStringLength + 1) } as never), { code: 'QAIC_INVALID_OPTION', message: /option 'mos'/ });
  t.throws(() => resolveOptions({ ols: { nested: { deep: [1] } } } as never), { code: 'QAIC_INVALID_OPTION', message: /option 'ols'/ });
  t.throws(() => resolveOptions({ ols: [[1, 2]] } as never), { code: 'QAIC_INVALID_OPTION', message: /option 'ols'/ });
});
