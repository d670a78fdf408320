/**
 * onnxruntime session options as plain data (what crosses into an activation's worker), and the one way to add
 * session config entries to them.
 */

/**
 * Add onnxruntime session config entries (`sessionOptions.extra.session`, e.g. `'intra_op.allow_spinning'`) to an
 * activation's session options, keeping the entries already there; `sessionOptions` is modified.
 */
export function addSessionConfigEntries(sessionOptions: Record<string, unknown>, entries: Record<string, string>): void {
  const extra = (sessionOptions.extra ?? {}) as Record<string, unknown>;
  sessionOptions.extra = { ...extra, session: { ...((extra.session ?? {}) as Record<string, unknown>), ...entries } };
}
