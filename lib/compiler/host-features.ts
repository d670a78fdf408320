/**
 * The CPU features an onnxruntime 'all'-level optimized graph depends on.
 *
 * At level 'all' onnxruntime rewrites convolutions into its NCHWc layout (domain `com.microsoft.nchwc`), whose block
 * size follows the vector width of the host that optimized the model (8 floats with AVX2, 16 with AVX-512F). Such a
 * graph is only valid on a host with the same vector features, so a program records them and the loader compares.
 */
import type { ModelProto } from '../onnx/schema.js';
import { hostCpuFeatures } from '../program/host.js';

/** The x86 flags that decide MLAS's NCHWc block size and kernels (what an 'all'-optimized graph bakes in). */
export const KERNEL_FEATURE_FLAGS: readonly string[] = ['avx', 'avx2', 'fma', 'avx512f'];

/**
 * The subset of {@link KERNEL_FEATURE_FLAGS} this host has (Linux `/proc/cpuinfo` names, as the program loader
 * compares them). Empty on hosts that publish no flags.
 */
export function hostKernelFeatures(): string[] {
  const have = hostCpuFeatures();
  return KERNEL_FEATURE_FLAGS.filter((f) => have.has(f));
}

/** Whether an optimized model holds host-specific layout nodes (NCHWc). */
export function hasHostSpecificNodes(model: ModelProto): boolean {
  return (model.graph?.node ?? []).some((n) => n.domain === 'com.microsoft.nchwc');
}
