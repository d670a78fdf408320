/**
 * One table-driven command-line parser and help generator for the four tools. Each tool keeps the spellings of
 * the Qualcomm tool it mirrors, described by its {@link ToolSpec}:
 *
 * - `'sdk'` syntax (`qaic-exec`): a value only after `=` (`-m=model.onnx`); one or two dashes, any case, `_` or `-`.
 * - `'gnu'` syntax (`qaic-runner`, `qaic-link`, `qaic-conformance`): exactly the spellings listed; a value after
 *   `=` or as the next argument (`-t x`, `--time 5`, `--time=5`).
 *
 * Every mistake is a `QAIC_CLI_USAGE` error naming the flag (and the nearest known one for a misspelling), ending
 * with `(run '<tool> -h' for usage)`. Pure: no I/O.
 */
import { QaicError } from '../errors.js';
import { closest } from '../options.js';

/** Value kinds a flag can take. */
export type FlagKind =
  /** no value */
  | 'flag'
  /** a non-empty string (a path, a name) */
  | 'string'
  /** an integer within `min`..`max` */
  | 'int'
  /** a positive number of seconds */
  | 'seconds'
  /** a finite number >= `min` (default 0) */
  | 'number'
  /** `<name>,<size>`, size an integer >= 1 */
  | 'symbol'
  /** comma-separated names */
  | 'list'
  /** one of `choices` */
  | 'choice';

/** One row of a tool's flag table. */
export interface FlagSpec {
  /** where the value goes in {@link ParsedFlags.values} */
  key: string;
  /** spellings, e.g. `['-t', '--test-data']`; the first one names the flag in messages */
  names: readonly string[];
  kind: FlagKind;
  /** the values accumulate in an array (the flag may be repeated); otherwise a second use is an error */
  repeat?: boolean;
  /** inclusive bounds for `int` and `number` */
  min?: number;
  max?: number;
  /** accepted values of a `choice` */
  choices?: readonly string[];
  /** metavariable shown in the help, e.g. `<path>` */
  meta?: string;
  /** a valid value, shown in "needs a value, as in ..." */
  example?: string;
  /** help text; `\n` starts a continuation line */
  help: string;
  /** the session option this flag sets, so that a library error naming the option can name the flag */
  option?: string;
  /** left out of the help (a compatibility spelling) */
  hidden?: boolean;
}

/** Positional (non-flag) arguments a tool takes. */
export interface PositionalSpec {
  /** metavariable, e.g. `<program>` */
  meta: string;
  /** at most this many (default: any number) */
  max?: number;
  help: string;
}

/** Everything a tool's command line and help are made of. */
export interface ToolSpec {
  /** the tool's canonical name, e.g. `qaic-exec` */
  tool: string;
  syntax: 'sdk' | 'gnu';
  /** the usage line after `Usage: <tool> ` */
  synopsis: string;
  /** what the tool does (paragraphs, shown after the usage line) */
  description: string;
  flags: readonly FlagSpec[];
  positional?: PositionalSpec;
  /**
   * `'sdk'` syntax only: further flags (normalised names) accepted with or without a value and passed through,
   * e.g. the SDK's compiler flags with no effect here
   */
  passthrough?: readonly string[];
  /** text after the flag list (passthrough list, exit codes) */
  footer?: string;
}

/** The result of {@link parseFlags}. */
export interface ParsedFlags {
  /** by {@link FlagSpec.key}: `true` for a flag, the parsed value, or an array of them for a repeated flag */
  values: Record<string, unknown>;
  /** positional arguments in order */
  positionals: string[];
  /** `'sdk'` passthrough flags in order: normalised name and value (`undefined` when given without one) */
  passthrough: Array<[name: string, value: string | undefined]>;
  /** the spelling each key was given as (for messages about combinations) */
  spelled: Record<string, string>;
}

/**
 * A command-line mistake: `QAIC_CLI_USAGE`, the message followed by `(run '<tool> -h' for usage)`.
 *
 * @param tool the name the tool was called by
 * @param details e.g. `{ flag: '-S' }`
 */
export function usageError(tool: string, message: string, details: Record<string, unknown> = {}): QaicError {
  return new QaicError('QAIC_CLI_USAGE', `${message} (run '${tool} -h' for usage)`, { details });
}

/** `'sdk'` spellings compare without leading dashes, case-insensitively, `_` as `-`. */
function normalise(name: string): string {
  return name.replace(/^-+/, '').toLowerCase().replace(/_/g, '-');
}

/** Spelling of a flag as shown in help and suggestions. */
function shown(spec: ToolSpec, name: string): string {
  return spec.syntax === 'sdk' ? `-${normalise(name)}` : name;
}

function example(flag: FlagSpec): string {
  if (flag.example !== undefined) return flag.example;
  switch (flag.kind) {
    case 'int': return String(Math.max(1, flag.min ?? 1));
    case 'seconds': return '5';
    case 'number': return '0.001';
    case 'symbol': return 'batch,1';
    case 'list': return 'a,b';
    case 'choice': return flag.choices?.[0] ?? 'x';
    default: return flag.meta ?? '<value>';
  }
}

function parseValue(spec: ToolSpec, flag: FlagSpec, given: string, raw: string): unknown {
  const fail = (message: string): QaicError => usageError(spec.tool, message, { flag: given, given: raw });
  switch (flag.kind) {
    case 'int': {
      const min = flag.min ?? 0;
      const range = flag.max === undefined ? `of at least ${min}` : `from ${min} to ${flag.max}`;
      if (!/^\d+$/.test(raw)) throw fail(`${given} expects an integer ${range}, got '${raw}'`);
      const v = Number(raw);
      if (v < min || v > (flag.max ?? Number.MAX_SAFE_INTEGER)) throw fail(`${given} must be ${flag.max === undefined ? `at least ${min}` : range}, got ${raw}`);
      return v;
    }
    case 'seconds': {
      const v = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw) || !(v > 0)) throw fail(`${given} expects a positive number of seconds, got '${raw}'`);
      return v;
    }
    case 'number': {
      const v = Number(raw);
      const min = flag.min ?? 0;
      const range = flag.max === undefined ? `of at least ${min}` : `from ${min} to ${flag.max}`;
      if (raw.trim() === '' || !Number.isFinite(v) || v < min || (flag.max !== undefined && v > flag.max)) throw fail(`${given} expects a number ${range}, got '${raw}'`);
      return v;
    }
    case 'symbol': {
      const comma = raw.lastIndexOf(',');
      const name = comma > 0 ? raw.slice(0, comma) : '';
      const size = comma > 0 ? raw.slice(comma + 1) : '';
      if (name === '' || !/^\d+$/.test(size) || Number(size) < 1) {
        throw fail(`${given} expects <name>,<size> with size >= 1, as in ${spec.syntax === 'sdk' ? `${given}=batch,1` : `${given} batch,1`}; got '${raw}'`);
      }
      return [name, Number(size)];
    }
    case 'list': {
      const items = raw.split(',').map((s) => s.trim());
      if (items.some((s) => s === '')) throw fail(`${given} expects comma-separated names, as in ${given}${spec.syntax === 'sdk' ? '=' : ' '}${example(flag)}; got '${raw}'`);
      return items;
    }
    case 'choice': {
      // any case is accepted; the value is the table's spelling (Int8, symmetric_with_uint8)
      const v = flag.choices!.find((c) => c.toLowerCase() === raw.toLowerCase());
      if (v === undefined) throw fail(`${given} expects ${flag.choices!.map((c) => `'${c}'`).join(' or ')}, got '${raw}'`);
      return v;
    }
    default:
      if (raw === '') throw fail(`${given} needs a non-empty value`);
      return raw;
  }
}

/**
 * Parse arguments (without `node` and the script) against a tool's table.
 *
 * @param tool the name the tool was called by (for messages; default `spec.tool`)
 * @throws QaicError `QAIC_CLI_USAGE` for an unknown flag (naming the nearest known one), a missing, malformed or
 *   out-of-range value, a value given to a flag that takes none, a repeated single-valued flag, or an unexpected
 *   positional argument
 */
export function parseFlags(spec: ToolSpec, argv: readonly string[], tool = spec.tool): ParsedFlags {
  const named = { ...spec, tool };
  const byName = new Map<string, FlagSpec>();
  for (const f of spec.flags) for (const n of f.names) byName.set(spec.syntax === 'sdk' ? normalise(n) : n, f);
  const passthrough = new Set(spec.passthrough ?? []);
  const out: ParsedFlags = { values: {}, positionals: [], passthrough: [], spelled: {} };
  const looksLikeFlag = (arg: string): boolean => /^--?[A-Za-z]/.test(arg);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!looksLikeFlag(arg)) {
      if (spec.positional === undefined || (spec.positional.max !== undefined && out.positionals.length >= spec.positional.max)) {
        const expected = spec.positional === undefined ? `every value follows its flag${spec.syntax === 'sdk' ? ' after =, as in -m=model.onnx' : ''}` : `${spec.positional.meta} is given once, already as '${out.positionals[0]}'`;
        throw usageError(tool, `unexpected argument '${arg}': ${expected}`, { argument: arg });
      }
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const given = eq > 0 ? arg.slice(0, eq) : arg;
    const lookup = spec.syntax === 'sdk' ? normalise(given) : given;
    const flag = byName.get(lookup);
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (flag === undefined) {
      if (spec.syntax === 'sdk' && passthrough.has(lookup)) {
        out.passthrough.push([lookup, inline]);
        continue;
      }
      const candidates = [...byName.keys(), ...passthrough];
      // a misspelling, or a cut-short name (-output for -output-dir)
      const prefixed = lookup.replace(/^-+/, '').length >= 3 ? candidates.filter((c) => c.startsWith(lookup)).sort((a, b) => a.length - b.length)[0] : undefined;
      const suggestion = closest(lookup, candidates) ?? prefixed;
      const suggested = suggestion === undefined ? undefined : shown(spec, suggestion);
      throw usageError(tool, `unknown flag '${given}'${suggested === undefined ? '' : `; did you mean '${suggested}'?`}`, { flag: given, ...(suggested === undefined ? {} : { suggestion: suggested }) });
    }
    const name = spec.syntax === 'sdk' ? shown(spec, lookup) : given;
    let value: unknown = true;
    if (flag.kind === 'flag') {
      if (inline !== undefined) throw usageError(tool, `${name} takes no value, got '${arg}'`, { flag: name });
    } else {
      let raw = inline;
      if (raw === undefined && spec.syntax === 'gnu' && i + 1 < argv.length && !looksLikeFlag(argv[i + 1]!)) raw = argv[++i];
      if (raw === undefined || (raw === '' && flag.kind !== 'string')) {
        const sep = spec.syntax === 'sdk' ? '=' : ' ';
        throw usageError(tool, `${name} needs a value, as in ${name}${sep}${example(flag)}`, { flag: name });
      }
      value = parseValue(named, flag, name, raw);
    }
    if (flag.repeat === true) {
      ((out.values[flag.key] ??= []) as unknown[]).push(value);
    } else if (out.values[flag.key] !== undefined && flag.kind !== 'flag') {
      throw usageError(tool, `${name} was given twice ('${String(out.values[flag.key])}' and '${String(value)}'); give it once`, { flag: name });
    } else {
      out.values[flag.key] = value;
    }
    out.spelled[flag.key] ??= name;
  }
  return out;
}

/** Whether the arguments ask for help (any spelling of the table's `help` key), whatever else they hold. */
export function wantsHelp(spec: ToolSpec, argv: readonly string[]): boolean {
  const help = spec.flags.find((f) => f.key === 'help');
  if (help === undefined) return false;
  const names = new Set(help.names.map((n) => (spec.syntax === 'sdk' ? normalise(n) : n)));
  return argv.some((a) => names.has(spec.syntax === 'sdk' ? normalise(a) : a));
}

/**
 * The help text: usage line, description, one row per flag (from the table), footer.
 *
 * @param tool the name the tool was called by (default `spec.tool`)
 */
export function formatHelp(spec: ToolSpec, tool = spec.tool): string {
  const rows = spec.flags.filter((f) => f.hidden !== true).map((f) => {
    const names = f.names.map((n) => shown(spec, n)).filter((n, i, all) => all.indexOf(n) === i);
    const meta = f.kind === 'flag' || f.meta === undefined ? '' : f.meta;
    const left = spec.syntax === 'sdk'
      ? names.map((n) => (meta === '' ? n : `${n}=${meta}`)).join(', ')
      : `${names.join(', ')}${meta === '' ? '' : ` ${meta}`}`;
    return [left, f.help] as const;
  });
  if (spec.positional !== undefined) rows.unshift([spec.positional.meta, spec.positional.help]);
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = rows.flatMap(([left, help]) => help.split('\n').map((h, i) => `  ${(i === 0 ? left : '').padEnd(width)}  ${h}`));
  return [
    `Usage: ${tool} ${spec.synopsis}`,
    '',
    spec.description,
    '',
    ...lines,
    ...(spec.footer === undefined ? [] : ['', spec.footer]),
  ].join('\n');
}

/**
 * The flag that sets each session option, from the table: `{ allow_oversubscription: '--allow-oversubscription' }`.
 * Used to name the flag when a library error suggests an option.
 */
export function optionFlags(spec: ToolSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of spec.flags) if (f.option !== undefined) out[f.option] ??= shown(spec, f.names[0]!);
  return out;
}
