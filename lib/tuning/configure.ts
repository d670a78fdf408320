/**
 * The auto-configurator, after the SDK's model configurator: try every way of laying a model out on this machine's
 * cores (activations × cores per activation × set size, and batch size when the model's batch is a symbol), measure
 * each with a short closed-loop run, and return the table with the best settings for a goal.
 *
 * - `throughput`: `num_activations × set_size` callers keep requests in flight through `Session.run()` (fresh
 *   input copies, transferred), and the figure is inferences (× batch) per second of wall time.
 * - `latency`: one request at a time (single stream), ranked by median latency, then p99; set size does not
 *   matter with one request in flight, so only 1 is tried.
 *
 * Every candidate keeps `num_activations × aic_num_cores` within the cores, so no candidate oversubscribes.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dump } from 'js-yaml';
import { QaicError, describeValue } from '../errors.js';
import { allocate, type DType } from '../dtypes.js';
import { machineCores, type SessionOptions } from '../options.js';
import { Session, type ShapeDict } from '../session.js';
import type { Inputs } from '../tensor.js';
import { warnOnce } from '../warnings.js';
import { nearestRank } from '../metrics/percentiles.js';

/** What to optimise for. */
export type ConfigureGoal = 'throughput' | 'latency';

/** One layout to try. */
export interface Candidate {
  /** activations (worker threads) running the graph side by side: the session option `num_activations` */
  num_activations: number;
  /** CPU cores (onnxruntime intra-op threads) per activation: the session option `aic_num_cores` */
  aic_num_cores: number;
  /** requests each activation keeps in flight: the session option `set_size` (always 1 for goal `latency`) */
  set_size: number;
  /** present only when the model's batch dimension is a symbol */
  batchsize?: number;
}

/** One measured row of the table. */
export interface ConfigureRow extends Candidate {
  /** inferences completed in the measured windows, summed over the rounds */
  completed: number;
  /** samples (inferences × batch) per second: the median over rounds */
  throughput: number;
  /**
   * lowest throughput over the rounds, samples per second: rows whose `throughputMin`-`throughputMax` ranges
   * overlap are not clearly different
   */
  throughputMin: number;
  /** highest throughput over the rounds, samples per second (see `throughputMin`) */
  throughputMax: number;
  /**
   * median per-request latency, `run()` called to resolved on the caller's side, milliseconds: the median of the
   * rounds' medians, each the nearest-rank percentile `getMetrics()` uses (NaN when nothing completed)
   */
  p50Ms: number;
  /** 99th percentile per-request latency, milliseconds: the median of the rounds' p99 (NaN when nothing completed) */
  p99Ms: number;
  /** why this candidate could not run (it is then never chosen) */
  error?: string;
}

/** Settings of {@link configure}. */
export interface ConfigureOptions {
  /** what to rank the candidates by. @defaultValue 'throughput' */
  goal?: ConfigureGoal;
  /** cores to lay activations out on. @defaultValue `os.availableParallelism()` */
  cores?: number;
  /** measured seconds per candidate and round. @defaultValue 1 */
  seconds?: number;
  /**
   * Sweeps over all candidates, each in a rotated order, so that load from elsewhere on the machine hits every
   * candidate alike; a row's throughput is the median over rounds. @defaultValue 3
   */
  rounds?: number;
  /** untimed inferences per caller before measuring. @defaultValue 3 */
  warmup?: number;
  /** set sizes to try for `throughput`. @defaultValue [1, 2] */
  setSizes?: number[];
  /** batch sizes to try when the first dimension of the first input is a symbol. @defaultValue [1] */
  batchSizes?: number[];
  /**
   * Input shapes for dims the model leaves symbolic, e.g. `{x: [1, 3, 256, 384]}`. When a batch size is searched,
   * the first dim is replaced by it. Inputs whose shapes are fixed need no entry.
   */
  inputShapes?: Record<string, number[]>;
  /** further session options every candidate gets (e.g. `pin_cores`, `onnx_define_symbol`) */
  sessionOptions?: SessionOptions;
  /** called after each candidate is measured (progress output) */
  onRow?: (row: ConfigureRow) => void;
}

/** The table and the winner. */
export interface ConfigureResult {
  /** the goal the rows were ranked for */
  goal: ConfigureGoal;
  /** cores the candidates were laid out on */
  cores: number;
  /** measured seconds per candidate and round */
  seconds: number;
  /** sweeps over all candidates */
  rounds: number;
  /** one row per candidate, in measuring order (failed candidates included, with `error`) */
  rows: ConfigureRow[];
  /** 1-minute load average before measuring: above `cores`, other work competed for the cores */
  loadBefore: number;
  /** 1-minute load average after measuring (see `loadBefore`) */
  loadAfter: number;
  /**
   * the winning settings, ready to pass as session options or to {@link writeOptionsYaml}: highest throughput for
   * `throughput`, lowest p50 then p99 for `latency`
   */
  best: Candidate;
  /** the winner's row, with its measurements (the same object as in `rows`) */
  bestRow: ConfigureRow;
}

/**
 * The candidates {@link configure} measures, in the order it measures them.
 *
 * @throws QaicError `QAIC_INVALID_ARGUMENT` for cores, set sizes or batch sizes that are not positive integers
 */
export function candidates(goal: ConfigureGoal, cores: number, setSizes: readonly number[], batchSizes: readonly number[] | undefined): Candidate[] {
  positiveInts('cores', [cores]);
  positiveInts('setSizes', setSizes);
  if (batchSizes !== undefined) positiveInts('batchSizes', batchSizes);
  const out: Candidate[] = [];
  for (const batch of batchSizes ?? [undefined]) {
    for (let coresEach = 1; coresEach <= cores; coresEach++) {
      for (let activations = 1; activations * coresEach <= cores; activations++) {
        // with one request at a time, a second activation or a deeper set cannot help latency
        if (goal === 'latency' && activations > 1) continue;
        for (const setSize of goal === 'latency' ? [1] : setSizes) {
          const c: Candidate = { num_activations: activations, aic_num_cores: coresEach, set_size: setSize };
          if (batch !== undefined) c.batchsize = batch;
          out.push(c);
        }
      }
    }
  }
  return out;
}

function positiveInts(name: string, values: readonly number[]): void {
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `configure(): '${name}' must be positive integers, got ${describeValue(values)}`, { details: { option: name } });
  }
}

/**
 * Measure every candidate layout of `modelPath` and pick the best for `goal`.
 *
 * @param modelPath an `.onnx` model or a program, as for {@link Session}
 * @throws QaicError `QAIC_INVALID_ARGUMENT` for bad settings or when a symbolic input dim has no shape in
 *   `inputShapes`; `QAIC_RUN_FAILED` when no candidate could run (each row's `error` says why)
 */
export async function configure(modelPath: string, options: ConfigureOptions = {}): Promise<ConfigureResult> {
  const goal = options.goal ?? 'throughput';
  if (goal !== 'throughput' && goal !== 'latency') {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `configure(): 'goal' must be 'throughput' or 'latency', got ${describeValue(goal)}`, { details: { option: 'goal' } });
  }
  const cores = options.cores ?? machineCores();
  const seconds = options.seconds ?? 1;
  const rounds = options.rounds ?? 3;
  positiveInts('rounds', [rounds]);
  if (!(seconds > 0)) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `configure(): 'seconds' must be > 0, got ${describeValue(seconds)}`, { details: { option: 'seconds' } });
  }
  const warmup = options.warmup ?? 3;
  const base = options.sessionOptions ?? {};
  const probe = new Session(modelPath, { ...base });
  const specs = probe.modelInputShapeDict;
  await probe.close();
  const first = Object.values(specs)[0];
  const batchSymbolic = first !== undefined && first[0].length > 0 && typeof first[0][0] !== 'number';
  const list = candidates(goal, cores, options.setSizes ?? [1, 2], batchSymbolic ? (options.batchSizes ?? [1]) : undefined);

  // fail fast on missing shapes rather than once per candidate
  makeInputs(specs, options.inputShapes ?? {}, list[0]?.batchsize);
  const loadBefore = loadavg()[0]!;
  const measured: ConfigureRow[][] = list.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < list.length; k++) {
      const at = (k + round) % list.length;
      measured[at]!.push(await measure(modelPath, list[at]!, specs, options.inputShapes ?? {}, base, goal, seconds, warmup));
    }
  }
  const rows = measured.map((m) => combine(m));
  for (const row of rows) options.onRow?.(row);
  const ok = rows.filter((r) => r.error === undefined && r.completed > 0);
  if (ok.length === 0) {
    throw new QaicError('QAIC_RUN_FAILED', `configure(): no candidate layout of '${modelPath}' could run; first error: ${rows[0]?.error ?? 'none measured'}`, {
      details: { file: modelPath, rows },
    });
  }
  const loadAfter = loadavg()[0]!;
  if (Math.max(loadBefore, loadAfter) > cores) {
    warnOnce(`configure-load:${modelPath}:${loadBefore}`, 'QAIC_CONFIGURE_NOISY',
      `configure(): the machine was busy with other work (load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${cores} cores); layouts that keep threads busy lose CPU to it, so the choice may not hold on a quiet machine`);
  }
  const bestRow = ok.reduce((a, b) => (better(goal, b, a) ? b : a));
  const best: Candidate = { num_activations: bestRow.num_activations, aic_num_cores: bestRow.aic_num_cores, set_size: bestRow.set_size };
  if (bestRow.batchsize !== undefined) best.batchsize = bestRow.batchsize;
  return { goal, cores, seconds, rounds, rows, loadBefore, loadAfter, best, bestRow };
}

/** One row from a candidate's rounds: median throughput and median of the per-round percentiles. */
function combine(rounds: readonly ConfigureRow[]): ConfigureRow {
  const failed = rounds.find((r) => r.error !== undefined);
  if (failed !== undefined) return failed;
  const median = (values: number[]): number => {
    const s = [...values].sort((a, b) => a - b);
    return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  return {
    ...rounds[0]!,
    completed: rounds.reduce((n, r) => n + r.completed, 0),
    throughput: median(rounds.map((r) => r.throughput)),
    throughputMin: Math.min(...rounds.map((r) => r.throughput)),
    throughputMax: Math.max(...rounds.map((r) => r.throughput)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
  };
}

function better(goal: ConfigureGoal, a: ConfigureRow, b: ConfigureRow): boolean {
  if (goal === 'throughput') return a.throughput > b.throughput;
  return a.p50Ms < b.p50Ms || (a.p50Ms === b.p50Ms && a.p99Ms < b.p99Ms);
}

/** Deterministic input values: every run sends the same data, so candidates see the same work. */
function makeInputs(specs: ShapeDict, shapes: Record<string, number[]>, batch: number | undefined): Array<{ name: string; dtype: DType; shape: number[]; data: ReturnType<typeof allocate> }> {
  return Object.entries(specs).map(([name, [dims, dtype]]) => {
    let shape: number[];
    const given = shapes[name];
    if (given !== undefined) {
      shape = [...given];
    } else if (dims.every((d) => typeof d === 'number')) {
      shape = dims as number[];
    } else {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `configure(): input '${name}' has symbolic dims [${dims.map((d) => d ?? '?').join(', ')}]; give its shape in 'inputShapes', e.g. {${name}: [${dims.map((d) => (typeof d === 'number' ? d : 1)).join(', ')}]}`, {
        details: { option: 'inputShapes', input: name },
      });
    }
    if (batch !== undefined && typeof dims[0] !== 'number' && shape.length > 0) shape[0] = batch;
    const length = shape.reduce((a, b) => a * b, 1);
    const data = allocate(dtype as DType, length);
    if (data instanceof Float32Array || data instanceof Float64Array) for (let i = 0; i < length; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
    return { name, dtype: dtype as DType, shape, data };
  });
}

async function measure(
  modelPath: string, c: Candidate, specs: ShapeDict, shapes: Record<string, number[]>,
  base: SessionOptions, goal: ConfigureGoal, seconds: number, warmup: number,
): Promise<ConfigureRow> {
  const row: ConfigureRow = { ...c, completed: 0, throughput: 0, throughputMin: 0, throughputMax: 0, p50Ms: Number.NaN, p99Ms: Number.NaN };
  const options: SessionOptions = { ...base, num_activations: c.num_activations, aic_num_cores: c.aic_num_cores, set_size: c.set_size };
  if (c.batchsize !== undefined) options.batchsize = c.batchsize;
  let session: Session | undefined;
  try {
    const inputs = makeInputs(specs, shapes, c.batchsize);
    const fresh = (): Inputs => {
      const out: Inputs = {};
      for (const i of inputs) out[i.name] = { data: i.data.slice() as typeof i.data, shape: i.shape };
      return out;
    };
    session = new Session(modelPath, options);
    await session.setup();
    const clients = goal === 'latency' ? 1 : c.num_activations * c.set_size;
    const s = session;
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let i = 0; i < warmup; i++) await s.run(fresh());
    }));
    const latencies: number[] = [];
    const start = performance.now();
    const deadline = start + seconds * 1000;
    let last = start;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const inputs = fresh();
        const t0 = performance.now();
        await s.run(inputs);
        last = performance.now();
        latencies.push(last - t0);
      }
    }));
    latencies.sort((a, b) => a - b);
    row.completed = latencies.length;
    row.throughput = (latencies.length * (c.batchsize ?? 1)) / ((last - start) / 1000);
    row.throughputMin = row.throughput;
    row.throughputMax = row.throughput;
    // the library's percentile definition (nearest rank), as getMetrics() and runBenchmark() report; NaN when empty
    row.p50Ms = nearestRank(latencies, 50);
    row.p99Ms = nearestRank(latencies, 99);
  } catch (error) {
    row.error = (error as Error).message;
  } finally {
    await session?.close();
  }
  return row;
}

/**
 * Write the best settings as an options YAML that `Session`'s `options_path` (and the SDK's tools) read.
 *
 * @throws QaicError `QAIC_FILE_NOT_FOUND` when the file cannot be written
 */
export function writeOptionsYaml(result: ConfigureResult, path: string): void {
  const text = `# written by qaic configure (goal: ${result.goal}, ${result.cores} cores, ${result.rounds} round(s) of ${result.seconds} s per candidate)\n` +
    `# measured: ${result.bestRow.throughput.toFixed(1)} inf/s, p50 ${result.bestRow.p50Ms.toFixed(2)} ms, p99 ${result.bestRow.p99Ms.toFixed(2)} ms\n` +
    dump({ ...result.best });
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new QaicError('QAIC_FILE_NOT_FOUND', `cannot write options YAML '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error, details: { file: path },
    });
  }
}

/** The table as aligned text lines (header first), for CLIs and logs. */
export function formatConfigureTable(result: ConfigureResult): string[] {
  const batch = result.rows.some((r) => r.batchsize !== undefined);
  const head = ['activations', 'cores/act', 'set_size', ...(batch ? ['batch'] : []), 'inf/s', 'min-max', 'p50 ms', 'p99 ms', ''];
  const lines = [head];
  for (const r of result.rows) {
    const isBest = r === result.bestRow;
    lines.push([
      String(r.num_activations), String(r.aic_num_cores), String(r.set_size), ...(batch ? [String(r.batchsize)] : []),
      r.error !== undefined ? 'error' : r.throughput.toFixed(1), r.error !== undefined ? '' : `${r.throughputMin.toFixed(1)}-${r.throughputMax.toFixed(1)}`,
      r.p50Ms.toFixed(2), r.p99Ms.toFixed(2),
      isBest ? `<- best (${result.goal})` : (r.error ?? ''),
    ]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((cell, i) => cell.padStart(i === l.length - 1 ? 0 : widths[i]!)).join('  ').trimEnd());
}
