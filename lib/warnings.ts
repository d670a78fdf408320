/**
 * Warnings go through `process.emitWarning`, the Node convention: they print once to stderr as
 * `(node:PID) [CODE] Warning: ...`, can be observed with `process.on('warning')`, and silenced with
 * `--no-warnings`. Each distinct warning is emitted once per process.
 */
const emitted = new Set<string>();

/** Emit a warning once per process for a given key. */
export function warnOnce(key: string, code: string, message: string): void {
  if (emitted.has(key)) return;
  emitted.add(key);
  process.emitWarning(message, { code, type: 'QaicWarning' });
}
