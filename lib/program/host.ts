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
export function missingHostFeatures(required: readonly string[]): string[] {
  const have = hostCpuFeatures();
  return required.filter((f) => !have.has(f.toLowerCase()));
}
