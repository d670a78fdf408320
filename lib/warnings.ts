/**
 * Warnings go through `process.emitWarning`, the Node convention: they print once to stderr as
 * `(node:PID) [CODE] Warning: ...`, can be observed with `process.on('warning')`, and silenced with
 * `--no-warnings`. Each distinct warning is emitted once per process.
 *
 * `QAIC_ENGINE_FALLBACK` (runtime/engine.ts): the worker engine runs although the native engine was asked for or is
 * the default, because it cannot apply (`isolation: 'process'`) or its addon
 * cannot be loaded (the reason is in the message; once per process).
 *
 * `QAIC_OUTPUTS_NOT_PRUNED` (runtime/pruned-graphs.ts): a `run({ outputs })` computes the whole graph because its graph
 * already has `MAX_PRUNED_GRAPHS` pruned output sets or could not be pruned (once per session, not per process).
 */
const emitted = new Set<string>();

/** Emit a warning once per process for a given key. */
export function warnOnce(key: string, code: string, message: string): void {
  if (emitted.has(key)) return;
  emitted.add(key);
  process.emitWarning(message, { code, type: 'QaicWarning' });
}
