import t from 'tap';
import { compileKey, type CompileKeyParts } from '../../lib/compiler/cache.js';
import { DEFAULT_OPTIONS, SPECS, programOptions, type OptionName, type OptionSpec, type ResolvedOptions } from '../../lib/options.js';

// The compile cache key is derived from the option table: these tests fail when an option is added to the table
// without saying whether it changes the program, or when an option that says so does not reach the key.

const NAMES = Object.keys(SPECS) as OptionName[];

function base(overrides: Partial<Record<OptionName, unknown>> = {}): ResolvedOptions {
  return { ...DEFAULT_OPTIONS, ignored: {}, ...overrides } as ResolvedOptions;
}

function key(options: ResolvedOptions, parts: Partial<CompileKeyParts> = {}): string {
  return compileKey({ modelSha256: 'a'.repeat(64), options, onnxruntimeVersion: '1.30.0', hostFeatures: ['avx2'], ...parts });
}

/** A valid value of the option other than its default, or undefined when the option has only one valid value. */
function otherValue(name: OptionName, spec: OptionSpec): unknown {
  const current: unknown = DEFAULT_OPTIONS[name];
  switch (spec.kind) {
    case 'bool':
      return current !== true;
    case 'int': {
      const min = spec.min ?? 0;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      const candidate = current === undefined ? min : (current as number) + 1 <= max ? (current as number) + 1 : (current as number) - 1;
      return candidate >= min && candidate <= max && candidate !== current ? candidate : undefined;
    }
    case 'string':
      return current === 'aic' ? 'qaic' : 'aic';
    case 'symbols':
      return { batch: 3 };
    case 'string[]':
      return ['Softmax'];
    case 'enum':
      return spec.values!.find((v) => v !== current);
    case 'number':
      return current === spec.min ? spec.max : spec.min;
    case 'inputs':
      return undefined;
    case 'specializations':
      return [{ batch: 3 }];
    case 'units':
      return ['gpu', 'cpu'];
    case 'unit-nodes':
      return { cpu: ['Softmax'] };
  }
}

/** The value that turns a prerequisite option on: `true`, or a file path. */
function onValue(name: OptionName): unknown {
  return SPECS[name].kind === 'bool' ? true : '/profiles/p.json';
}

/** Every prerequisite of an option, on (the first) or off (all). */
function prerequisites(spec: OptionSpec, on: boolean): Record<string, unknown> {
  const names = spec.programOnlyWith ?? [];
  if (on) return names.length === 0 ? {} : { [names[0]!]: onValue(names[0]!) };
  return Object.fromEntries(names.map((n) => [n, SPECS[n].kind === 'bool' ? false : undefined]));
}

t.test('every option in the table says whether it changes the program', async (t) => {
  t.ok(NAMES.length >= 20, 'the table lists the options');
  for (const name of NAMES) {
    const spec = SPECS[name];
    t.type(spec.program, 'boolean', `${name} says whether it changes the program`);
    if (spec.programOnlyWith !== undefined) {
      t.equal(spec.program, true, `${name}: programOnlyWith only makes sense for a program option`);
      for (const on of spec.programOnlyWith) t.ok(['bool', 'string'].includes(SPECS[on]?.kind), `${name}: programOnlyWith names a boolean or path option (${on})`);
    }
  }
  t.same(NAMES.slice().sort(), Object.keys(DEFAULT_OPTIONS).sort(), 'every option in the table has a default, and only those');
  t.ok(Object.isFrozen(SPECS), 'the table cannot be changed at run time');
});

t.test('each program option changes the compile key; every other option leaves it alone', async (t) => {
  for (const name of NAMES) {
    const spec = SPECS[name];
    const other = otherValue(name, spec);
    if (other === undefined) {
      t.equal(spec.program, false, `${name} has a single valid value, so it cannot change the program`);
      continue;
    }
    const prerequisite = prerequisites(spec, true);
    const before = key(base(prerequisite));
    const after = key(base({ ...prerequisite, [name]: other }));
    if (spec.program) t.not(after, before, `${name}: program option, a new value gives a new key`);
    else t.equal(after, before, `${name}: not a program option, changing it keeps the key (no recompile)`);
  }
});

t.test('an option that only matters with another leaves the key alone while that one is off', async (t) => {
  const dependent = NAMES.filter((n) => SPECS[n].programOnlyWith !== undefined);
  t.ok(dependent.length > 0, 'the table has such options (keep_original_precision_for_nodes, fp16_clip)');
  for (const name of dependent) {
    const other = otherValue(name, SPECS[name]);
    const off = prerequisites(SPECS[name], false);
    t.equal(key(base({ ...off, [name]: other })), key(base(off)), name);
  }
});

t.test('no-effect flags do not change the key; the model, onnxruntime and host features do', async (t) => {
  const plain = key(base());
  t.equal(key(base({ ignored: { mos: 2 } } as never)), plain, 'a no-effect flag');
  t.not(key(base(), { modelSha256: 'b'.repeat(64) }), plain, 'the model');
  t.not(key(base(), { onnxruntimeVersion: '1.31.0' }), plain, 'the onnxruntime version');
  t.not(key(base(), { hostFeatures: ['avx2', 'avx512f'] }), plain, 'the host features');
});

t.test('equal settings give equal keys: symbol and name order do not matter', async (t) => {
  const a = base({ onnx_define_symbol: { h: 2, batch: 1 }, convert_to_fp16: true, keep_original_precision_for_nodes: ['Softmax', 'Add'] });
  const b = base({ onnx_define_symbol: { batch: 1, h: 2 }, convert_to_fp16: true, keep_original_precision_for_nodes: ['Add', 'Softmax', 'Add'] });
  t.equal(key(a), key(b));
  t.same(programOptions(a), programOptions(b));
  const on = (n: OptionName): boolean => SPECS[n].programOnlyWith?.some((o) => a[o] !== undefined && a[o] !== false) ?? true;
  // keyOmitsDefault: an option at its default is left out (compute_unit 'cpu', what programs were compiled for before it existed)
  const keyed = (n: OptionName): boolean => SPECS[n].keyOmitsDefault !== true || JSON.stringify(a[n]) !== JSON.stringify(DEFAULT_OPTIONS[n]);
  t.same(Object.keys(programOptions(a)), NAMES.filter((n) => SPECS[n].program && on(n) && keyed(n)).sort(), 'the program options whose prerequisites are on, by name');
});

t.test('an option whose default is left out of the key still changes it away from the default', async (t) => {
  const omitting = NAMES.filter((n) => SPECS[n].keyOmitsDefault === true);
  t.same(omitting, ['compute_unit']);
  t.equal(key(base({ compute_unit: ['cpu'] })), key(base()), 'the default gives the key programs had before the option');
  t.not(key(base({ compute_unit: ['gpu', 'cpu'] })), key(base({ compute_unit: ['cpu', 'gpu'] })), 'the order of units is part of the key');
});
