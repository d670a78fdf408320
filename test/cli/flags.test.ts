// The shared parser and help generator: both syntaxes, nearest-flag suggestions, one message shape, and help drawn
// from the same table the parser reads.
import t from 'tap';
import { formatHelp, optionFlags, parseFlags, wantsHelp, type ToolSpec } from '../../lib/cli/flags.js';
import { EXEC_SPEC } from '../../lib/cli/exec-args.js';
import { RUNNER_SPEC } from '../../lib/cli/runner-args.js';
import { LINK_SPEC } from '../../lib/cli/link-args.js';
import { CONFORMANCE_SPEC } from '../../lib/cli/qaic-conformance.js';

const GNU: ToolSpec = {
  tool: 'demo', syntax: 'gnu', synopsis: '[options] <file>', description: 'A demo.',
  positional: { meta: '<file>', max: 1, help: 'the file' },
  flags: [
    { key: 'time', names: ['--time'], kind: 'seconds', meta: '<s>', option: 'inf_time', help: 'seconds' },
    { key: 'count', names: ['-n', '--num-iter'], kind: 'int', min: 1, max: 9, meta: '<n>', help: 'count' },
    { key: 'sym', names: ['--sym'], kind: 'symbol', repeat: true, meta: '<name>,<size>', help: 'symbols\nsecond line' },
    { key: 'verbose', names: ['-v'], kind: 'flag', help: 'talk' },
    { key: 'help', names: ['-h', '--help'], kind: 'flag', help: 'help' },
  ],
};

const SDK: ToolSpec = { ...GNU, syntax: 'sdk', positional: undefined, passthrough: ['aic-hw'] };

t.test('gnu syntax: value as the next argument or after =, repeats accumulate, positionals in order', async (t) => {
  const p = parseFlags(GNU, ['--time', '2.5', '-n=3', '--sym', 'a,1', '--sym=b,2', '-v', 'f.bin']);
  t.same(p.values, { time: 2.5, count: 3, sym: [['a', 1], ['b', 2]], verbose: true });
  t.same(p.positionals, ['f.bin']);
  t.same(p.spelled, { time: '--time', count: '-n', sym: '--sym', verbose: '-v' });
});

t.test('sdk syntax: a value only after =, any dash count, case and _ for -', async (t) => {
  const p = parseFlags(SDK, ['-TIME=1', '--num_iter=2', '-aic-hw', '-aic_hw=2']);
  t.same(p.values, { time: 1, count: 2 });
  t.same(p.passthrough, [['aic-hw', undefined], ['aic-hw', '2']]);
  t.throws(() => parseFlags(SDK, ['-n', '2']), { code: 'QAIC_CLI_USAGE', message: /^-num-iter needs a value, as in -num-iter=1|^-n needs a value, as in -n=1/ });
});

t.test('BAD CALL - every mistake is QAIC_CLI_USAGE naming the flag and ending with the help hint', async (t) => {
  const cases: Array<[ToolSpec, string[], RegExp]> = [
    [GNU, ['--tme', '1'], /^unknown flag '--tme'; did you mean '--time'\? \(run 'demo -h' for usage\)$/],
    [SDK, ['-num-itr=2'], /^unknown flag '-num-itr'; did you mean '-num-iter'\?/],
    [SDK, ['-aic-h'], /did you mean '-aic-hw'\?/],
    [GNU, ['-n', '10'], /^-n must be from 1 to 9, got 10 /],
    [GNU, ['-n', 'x'], /^-n expects an integer from 1 to 9, got 'x'/],
    [GNU, ['--time', '0'], /^--time expects a positive number of seconds, got '0'/],
    [GNU, ['--time'], /^--time needs a value, as in --time 5/],
    [GNU, ['--time', '1', '--time', '2'], /^--time was given twice \('1' and '2'\); give it once/],
    [GNU, ['--sym', 'a'], /^--sym expects <name>,<size> with size >= 1, as in --sym batch,1; got 'a'/],
    [GNU, ['-v=1'], /^-v takes no value, got '-v=1'/],
    [GNU, ['a', 'b'], /^unexpected argument 'b': <file> is given once, already as 'a'/],
    [SDK, ['x'], /^unexpected argument 'x': every value follows its flag after =/],
  ];
  for (const [spec, argv, message] of cases) {
    t.throws(() => parseFlags(spec, argv), { code: 'QAIC_CLI_USAGE', message }, argv.join(' '));
  }
});

t.test('help is generated from the table, under the name the tool was called by', async (t) => {
  const help = formatHelp(GNU, 'other-name');
  t.match(help, /^Usage: other-name \[options\] <file>\n\nA demo\.\n/);
  t.match(help, /\n {2}-n, --num-iter <n> +count\n/);
  t.match(help, /\n {2}--sym <name>,<size> +symbols\n +second line\n/);
  t.match(formatHelp(SDK), /\n {2}-n=<n>, -num-iter=<n> +count\n/);
  t.ok(wantsHelp(GNU, ['--time', 'x', '--help']));
  t.ok(wantsHelp(SDK, ['--HELP']));
  t.same(optionFlags(GNU), { inf_time: '--time' });
});

t.test('every flag of the four tools appears in its help, and every spelling parses', async (t) => {
  for (const spec of [EXEC_SPEC, RUNNER_SPEC, LINK_SPEC, CONFORMANCE_SPEC]) {
    const help = formatHelp(spec);
    for (const flag of spec.flags.filter((f) => f.hidden !== true)) {
      for (const name of flag.names) t.ok(help.includes(spec.syntax === 'sdk' ? `-${name.replace(/^-+/, '')}` : name), `${spec.tool} help lists ${name}`);
    }
    for (const flag of spec.flags.filter((f) => f.key !== 'help')) {
      for (const name of flag.names) {
        const value = flag.kind === 'flag' ? [] : [flag.example ?? (flag.kind === 'int' ? String(flag.min ?? 1) : flag.kind === 'symbol' ? 'b,1' : flag.kind === 'choice' ? flag.choices![0]! : flag.kind === 'seconds' || flag.kind === 'number' ? '1' : 'v')];
        const argv = spec.syntax === 'sdk' ? [value.length === 0 ? name : `${name}=${value[0]}`] : [name, ...value];
        t.doesNotThrow(() => parseFlags(spec, argv), `${spec.tool} ${argv.join(' ')}`);
      }
    }
  }
});
