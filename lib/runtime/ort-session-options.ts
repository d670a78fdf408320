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

/**
 * A copy of an activation's session options without onnxruntime profiling: for the sessions an activation makes
 * besides its own (the placement measurement, graphs pruned to an output set), whose profiles nobody would end.
 */
export function withoutProfiling(options: Record<string, unknown>): Record<string, unknown> {
  const { enableProfiling: _on, profileFilePrefix: _prefix, ...rest } = options;
  return rest;
}

/**
 * A copy of an activation's session options with the CPU fallback allowed again (the session config entry
 * `session.disable_cpu_ep_fallback`, set for a `compute_unit` list without `cpu`, removed): to measure where the nodes
 * onnxruntime refused would have run, so that the error can name them.
 */
export function withCpuFallback(options: Record<string, unknown>): Record<string, unknown> {
  const extra = (options.extra ?? {}) as { session?: Record<string, string> };
  const { disable_cpu_ep_fallback: _off, ...session } = extra.session ?? {};
  return { ...options, extra: { ...extra, session } };
}
