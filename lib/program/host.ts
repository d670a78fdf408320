/**
 * The CPU features of this host, for programs whose graphs hold host-specific optimizations (onnxruntime's
 * 'all' level lays weights out for the vector units it found, e.g. NCHWc blocks sized for AVX-512).
 */
import { readFileSync } from 'node:fs';

let cached: Set<string> | undefined;

/**
 * CPU feature flags of this host, lowercase as Linux names them in `/proc/cpuinfo` (`avx2`, `avx512f`,
 * `avx512_vnni`, `amx_tile`, ... on x86; `asimd`, `sve`, ... on arm64). Empty when the host does not publish them
 * (non-Linux), in which case any program that needs features is treated as a mismatch.
 */
export function hostCpuFeatures(): ReadonlySet<string> {
  if (cached !== undefined) return cached;
  const features = new Set<string>();
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    // x86 calls the line "flags", arm64 "Features"; the first processor's line speaks for all of them
    const line = /^(?:flags|features)\s*:(.*)$/im.exec(text);
    for (const f of (line?.[1] ?? '').trim().split(/\s+/)) if (f !== '') features.add(f.toLowerCase());
  } catch {
    // no /proc (macOS, Windows): no known features
  }
  cached = features;
  return features;
}

/** The features of `required` this host lacks (empty when the host can run the graph). */
export function missingHostFeatures(required: readonly string[], have: ReadonlySet<string> = hostCpuFeatures()): string[] {
  return required.filter((f) => !have.has(f.toLowerCase()));
}

/**
 * Flags whose presence must be the same on the compiling and the loading host, not merely available: MLAS picks the
 * NCHWc block size from AVX-512F (16 floats with it, 8 without), and a graph laid out for one block size computes
 * wrong results under kernels built for the other. So an AVX2 graph is refused on an AVX-512 host too.
 */
export const EXACT_MATCH_FEATURES: readonly string[] = ['avx512f'];

/**
 * Why this host cannot run a graph that recorded `required` features: each entry names a missing feature, or an
 * exact-match feature this host has but the compiling host did not. Empty when the graph is portable (no
 * features recorded) or the host matches.
 */
export function hostFeatureMismatch(required: readonly string[], have: ReadonlySet<string> = hostCpuFeatures()): string[] {
  if (required.length === 0) return [];
  const problems = missingHostFeatures(required, have).map((f) => `lacks ${f}`);
  const wanted = new Set(required.map((f) => f.toLowerCase()));
  for (const f of EXACT_MATCH_FEATURES) {
    if (have.has(f) && !wanted.has(f)) problems.push(`has ${f}, which changes the NCHWc block size the graph was laid out for`);
  }
  return problems;
}
