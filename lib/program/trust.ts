/**
 * What a program may ask of the host, beyond its checksums. Anyone can re-seal a program with valid checksums, so a
 * verified program is only as trusted as its content is harmless: it may carry only the onnxruntime session options
 * the compiler itself writes (never a path onnxruntime would write to), and its graphs may take external data only
 * from the program's own weight section, at the places the manifest lists.
 */
import { isDType, onnxFromDType } from '../dtypes.js';
import type { ModelProto, TensorProto, GraphProto, AttributeProto } from '../onnx/schema.js';
import { PROGRAM_FILE, type ManifestWeight } from './format.js';

/**
 * The session options a program may carry, with the values each may take: what `activationLoadOptions()` writes
 * (the optimization level activations load at, and the prepacking switch). Everything else (`optimizedModelFilePath`,
 * `profileFilePrefix`, execution providers, thread counts, other config entries) is refused.
 */
export const PROGRAM_SESSION_OPTIONS: Readonly<{ graphOptimizationLevel: readonly string[]; sessionConfig: Readonly<Record<string, readonly string[]>> }> = Object.freeze({
  graphOptimizationLevel: Object.freeze(['disabled', 'basic', 'extended', 'layout', 'all']),
  sessionConfig: Object.freeze({ disable_prepacking: Object.freeze(['0', '1']) }),
});

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function short(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Why a graph's session options are refused, or undefined when they are all on the allowlist. */
export function sessionOptionsProblem(graph: string, options: unknown): string | undefined {
  if (!isPlainObject(options)) return `graph '${graph}' has no session options object`;
  for (const [key, value] of Object.entries(options)) {
    if (key === 'graphOptimizationLevel') {
      if (typeof value !== 'string' || !PROGRAM_SESSION_OPTIONS.graphOptimizationLevel.includes(value)) {
        return `graph '${graph}' asks for graphOptimizationLevel ${short(value)} (allowed: ${PROGRAM_SESSION_OPTIONS.graphOptimizationLevel.join(', ')})`;
      }
    } else if (key === 'extra') {
      if (!isPlainObject(value)) return `graph '${graph}' has malformed session option 'extra' ${short(value)}`;
      for (const [group, entries] of Object.entries(value)) {
        if (group !== 'session' || !isPlainObject(entries)) return `graph '${graph}' sets the session option 'extra.${group}', which a program may not set`;
        for (const [entry, setting] of Object.entries(entries)) {
          const allowed = Object.hasOwn(PROGRAM_SESSION_OPTIONS.sessionConfig, entry) ? PROGRAM_SESSION_OPTIONS.sessionConfig[entry]! : undefined;
          if (allowed === undefined) return `graph '${graph}' sets the session config entry '${entry}', which a program may not set (allowed: ${Object.keys(PROGRAM_SESSION_OPTIONS.sessionConfig).join(', ')})`;
          if (typeof setting !== 'string' || !allowed.includes(setting)) return `graph '${graph}' sets the session config entry '${entry}' to ${short(setting)} (allowed: ${allowed.join(', ')})`;
        }
      }
    } else {
      return `graph '${graph}' sets the onnxruntime session option '${key}', which a program may not set (allowed: graphOptimizationLevel, extra.session.${Object.keys(PROGRAM_SESSION_OPTIONS.sessionConfig).join(', extra.session.')})`;
    }
  }
  return undefined;
}

/** Bits per element of the ONNX element types a weight can have (sub-byte types round up to whole bytes). */
const ELEMENT_BITS: Readonly<Record<number, number>> = {
  1: 32, 2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 7: 64, 9: 8, 10: 16, 11: 64, 12: 32, 13: 64, 14: 64, 15: 128, 16: 16,
  17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4, 23: 4,
};

/** Bytes a tensor of this element type and shape holds, or undefined when the type has no fixed size. */
function tensorBytes(t: TensorProto): number | undefined {
  const bits = ELEMENT_BITS[t.data_type ?? 0];
  if (bits === undefined) return undefined;
  let count = 1;
  for (const d of t.dims ?? []) {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0) return undefined;
    count *= n;
  }
  return Number.isSafeInteger(count) ? Math.ceil((count * bits) / 8) : undefined;
}

function isExternal(t: TensorProto): boolean {
  return t.data_location === 1 || (t.external_data?.length ?? 0) > 0;
}

// ONNX fields that hold tensors but are not in this library's schema: sparse initializers (GraphProto 15), training
// info (ModelProto 20) and sparse tensor attributes (AttributeProto 22, 23). The compiler never writes them.
const UNCHECKED_TENSOR_FIELDS = { graph: [15], model: [20], attribute: [22, 23] } as const;

/**
 * Why a graph section is refused, or undefined when every external tensor in it is a main-graph initializer that
 * points into `programqpc.bin` at exactly one of the manifest's weights, with the length its type and shape need.
 * External data anywhere else (subgraphs, node attributes, functions, sparse tensors) is refused: the writer never
 * puts it there.
 */
export function graphSectionProblem(graph: string, model: ModelProto, weights: readonly ManifestWeight[]): string | undefined {
  if ((model.$unknown ?? []).some((f) => (UNCHECKED_TENSOR_FIELDS.model as readonly number[]).includes(f.no))) {
    return `graph '${graph}' carries training info, which a program does not hold`;
  }
  const byPlace = new Map(weights.map((w) => [`${w.offset}:${w.length}`, w]));
  const main = model.graph;
  if (main === undefined) return `graph '${graph}' has no graph`;
  for (const t of main.initializer ?? []) {
    if (!isExternal(t)) continue;
    const entries = new Map<string, string>();
    for (const e of t.external_data ?? []) {
      if (entries.has(e.key ?? '')) return `initializer '${t.name ?? ''}' of graph '${graph}' gives its external data key '${e.key ?? ''}' twice`;
      entries.set(e.key ?? '', e.value ?? '');
    }
    const extra = [...entries.keys()].filter((k) => k !== 'location' && k !== 'offset' && k !== 'length');
    if (t.data_location !== 1 || entries.get('location') !== PROGRAM_FILE || extra.length > 0) {
      return `initializer '${t.name ?? ''}' of graph '${graph}' takes external data from ${short(Object.fromEntries(entries))}; a program's graphs may only point into ${PROGRAM_FILE}'s weight section`;
    }
    const offset = entries.get('offset') ?? '';
    const length = entries.get('length') ?? '';
    if (!/^(0|[1-9][0-9]{0,15})$/.test(offset) || !/^(0|[1-9][0-9]{0,15})$/.test(length)) {
      return `initializer '${t.name ?? ''}' of graph '${graph}' has external data offset ${short(offset)} and length ${short(length)}, expected decimal byte counts`;
    }
    const weight = byPlace.get(`${offset}:${length}`);
    if (weight === undefined) {
      return `initializer '${t.name ?? ''}' of graph '${graph}' points at bytes ${offset}..${Number(offset) + Number(length)} of ${PROGRAM_FILE}, which is no weight the manifest lists`;
    }
    const need = tensorBytes(t);
    if (need !== Number(length)) {
      return `initializer '${t.name ?? ''}' of graph '${graph}' needs ${need ?? 'an unknown number of'} bytes for its type and shape but points at ${length}`;
    }
  }
  const problem = nestedProblem(graph, main, true) ?? (model.functions ?? []).map((f) => nodesProblem(graph, f.node ?? [])).find((p) => p !== undefined);
  return problem;
}

function tensorProblem(graph: string, t: TensorProto, where: string): string | undefined {
  return isExternal(t) ? `graph '${graph}' has external data in ${where} '${t.name ?? ''}', where a program never puts it` : undefined;
}

function nestedProblem(graph: string, g: GraphProto, isMain: boolean): string | undefined {
  if ((g.$unknown ?? []).some((f) => (UNCHECKED_TENSOR_FIELDS.graph as readonly number[]).includes(f.no))) {
    return `graph '${graph}' has sparse initializers, which a program does not hold`;
  }
  if (!isMain) {
    for (const t of g.initializer ?? []) {
      const p = tensorProblem(graph, t, 'the subgraph initializer');
      if (p !== undefined) return p;
    }
  }
  return nodesProblem(graph, g.node ?? []);
}

function nodesProblem(graph: string, nodes: readonly { attribute?: AttributeProto[] }[]): string | undefined {
  for (const n of nodes) {
    for (const a of n.attribute ?? []) {
      if ((a.$unknown ?? []).some((f) => (UNCHECKED_TENSOR_FIELDS.attribute as readonly number[]).includes(f.no))) {
        return `graph '${graph}' has a sparse tensor attribute '${a.name ?? ''}', which a program does not hold`;
      }
      for (const t of [...(a.t === undefined ? [] : [a.t]), ...(a.tensors ?? [])]) {
        const p = tensorProblem(graph, t, `the tensor of attribute '${a.name ?? ''}'`);
        if (p !== undefined) return p;
      }
      for (const sub of [...(a.g === undefined ? [] : [a.g]), ...(a.graphs ?? [])]) {
        const p = nestedProblem(graph, sub, false);
        if (p !== undefined) return p;
      }
    }
  }
  return undefined;
}

/** Whether a manifest input/output spec's dtype is one this library knows and agrees with its ONNX type code. */
export function specDTypeSound(spec: { dtype?: unknown; onnxType: number }): boolean {
  if (spec.dtype === undefined) return true;
  return isDType(spec.dtype) && onnxFromDType(spec.dtype) === spec.onnxType;
}
