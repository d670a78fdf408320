/**
 * Which ONNX operators the CPU backend can run, and the check compile runs before any worker starts: every node of
 * the model (subgraphs included) is looked up in {@link CPU_OPERATOR_TABLE} against the opset version the model
 * imports for the node's domain.
 *
 * The check rejects what is certainly unsupported: a domain onnxruntime's CPU provider does not know (and the model
 * does not define as a local function), or a known operator at an opset version no kernel covers (`Add` at opset 6).
 * An operator missing from a known domain is left to onnxruntime, because ONNX function operators (HardSwish, Mish,
 * ...) have no kernel and are inlined at load; onnxruntime's "Could not find an implementation" error is then mapped
 * to the same error code by {@link unsupportedFromOrtMessage}.
 */
import { QaicError } from '../errors.js';
import type { GraphProto, ModelProto, NodeProto } from '../onnx/schema.js';
import { CPU_OPERATOR_TABLE } from './operator-table.js';

/** One kernel version range: `to` is `Infinity` for an open range. */
export interface VersionRange {
  from: number;
  to: number;
}

/** An operator the CPU provider implements. */
export interface SupportedOperator {
  domain: string;
  name: string;
  ranges: VersionRange[];
}

/** Parse `'7-12,13,14+'` into ranges. */
export function parseRanges(text: string): VersionRange[] {
  return text.split(',').map((part) => {
    if (part.endsWith('+')) return { from: Number(part.slice(0, -1)), to: Infinity };
    const [a, b] = part.split('-');
    return { from: Number(a), to: Number(b ?? a) };
  });
}

/** `'7-12'`, `'13'`, `'14+'` */
export function formatRanges(ranges: readonly VersionRange[]): string {
  return ranges.map((r) => (r.to === Infinity ? `${r.from}+` : r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(', ');
}

/** Every operator of the table, sorted by domain then name. */
export function supportedOperators(): SupportedOperator[] {
  const out: SupportedOperator[] = [];
  for (const [domain, ops] of Object.entries(CPU_OPERATOR_TABLE)) {
    for (const [name, ranges] of Object.entries(ops)) out.push({ domain, name, ranges: parseRanges(ranges) });
  }
  return out.sort((a, b) => (a.domain === b.domain ? a.name.localeCompare(b.name) : a.domain.localeCompare(b.domain)));
}

/** The text `qaic-exec -operators-supported=onnx` prints: one `domain  operator  versions` line per operator. */
export function formatSupportedOperators(): string {
  const ops = supportedOperators();
  const width = Math.max(...ops.map((o) => o.name.length));
  const lines = ['# ONNX operators onnxruntime\'s CPU execution provider implements (domain, operator, opset versions)'];
  for (const op of ops) lines.push(`${op.domain.padEnd(20)} ${op.name.padEnd(width)} ${formatRanges(op.ranges)}`);
  lines.push(`# ${ops.length} operators; ONNX function operators (e.g. HardSwish, Mish) are inlined by onnxruntime and run too`);
  return lines.join('\n');
}

function canonicalDomain(domain: string | undefined): string {
  return domain === undefined || domain === '' ? 'ai.onnx' : domain;
}

/** The opset version a model imports for each domain (`''` and `'ai.onnx'` both mean the default domain). */
export function opsetImports(model: ModelProto): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of model.opset_import ?? []) out.set(canonicalDomain(o.domain), Number(o.version ?? 0));
  return out;
}

/** Where a node sits, for messages: its name, or its index and op when it has none. */
function nodeLabel(node: NodeProto, index: number, path: string): string {
  const name = node.name !== undefined && node.name !== '' ? `'${node.name}'` : `#${index} (unnamed)`;
  return path === '' ? name : `${name} in subgraph ${path}`;
}

function* walk(graph: GraphProto, path: string): Generator<{ node: NodeProto; index: number; path: string }> {
  const nodes = graph.node ?? [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    yield { node, index: i, path };
    for (const attr of node.attribute ?? []) {
      const sub = `${path === '' ? '' : `${path}/`}${node.op_type ?? '?'}.${attr.name ?? '?'}`;
      if (attr.g !== undefined) yield* walk(attr.g, sub);
      for (const g of attr.graphs ?? []) yield* walk(g, sub);
    }
  }
}

/**
 * Reject a model that uses an operator the CPU backend certainly cannot run, naming the operator, its opset version
 * and its node. Pure data check: no onnxruntime, no worker.
 *
 * @throws QaicError `QAIC_UNSUPPORTED_OPERATOR` with details `{operator, domain, version, node, supported}`
 */
export function checkOperators(model: ModelProto, source: string): void {
  const imports = opsetImports(model);
  const localFunctions = new Set((model.functions ?? []).map((f) => `${canonicalDomain(f.domain)}::${f.name ?? ''}`));
  for (const { node, index, path } of walk(model.graph ?? {}, '')) {
    const domain = canonicalDomain(node.domain);
    const op = node.op_type ?? '';
    if (localFunctions.has(`${domain}::${op}`)) continue;
    const version = imports.get(domain);
    const where = nodeLabel(node, index, path);
    const table = CPU_OPERATOR_TABLE[domain];
    if (table === undefined) {
      throw new QaicError('QAIC_UNSUPPORTED_OPERATOR',
        `${source}: node ${where} uses operator ${op} (opset ${version ?? '?'} of domain '${domain}'), which onnxruntime's CPU provider does not implement ` +
        `(known domains: ${Object.keys(CPU_OPERATOR_TABLE).join(', ')}); run 'qaic-exec -operators-supported=onnx' for the list`,
        { details: { operator: op, domain, version, node: node.name ?? '', nodeIndex: index, file: source } });
    }
    const entry = table[op];
    if (entry === undefined || version === undefined) continue; // function operators and odd imports: onnxruntime decides
    const ranges = parseRanges(entry);
    if (!ranges.some((r) => version >= r.from && version <= r.to)) {
      throw new QaicError('QAIC_UNSUPPORTED_OPERATOR',
        `${source}: node ${where} uses operator ${op} at opset ${version} (domain '${domain}'); onnxruntime's CPU provider implements ` +
        `${op} for opset versions ${formatRanges(ranges)} only; re-export the model at a supported opset`,
        { details: { operator: op, domain, version, node: node.name ?? '', nodeIndex: index, supported: formatRanges(ranges), file: source } });
    }
  }
}

const ORT_NO_KERNEL = /Could not find an implementation for (\w+)\((\d+)\) node with name '([^']*)'/;
const ORT_NO_SCHEMA = /No Op registered for (\w+) with domain_version of (\d+)/;

/**
 * Map onnxruntime's "Could not find an implementation for X(v) node with name 'n'" (and "No Op registered for X")
 * load errors to `QAIC_UNSUPPORTED_OPERATOR`; `undefined` for any other message.
 */
export function unsupportedFromOrtMessage(message: string, source: string): QaicError | undefined {
  const kernel = ORT_NO_KERNEL.exec(message);
  if (kernel !== null) {
    const [, op, version, node] = kernel;
    return new QaicError('QAIC_UNSUPPORTED_OPERATOR',
      `${source}: node '${node}' uses operator ${op}(${version}), for which onnxruntime's CPU provider has no kernel (onnxruntime: ${firstLine(message)})`,
      { details: { operator: op, version: Number(version), node, file: source } });
  }
  const schema = ORT_NO_SCHEMA.exec(message);
  if (schema !== null) {
    const [, op, version] = schema;
    return new QaicError('QAIC_UNSUPPORTED_OPERATOR',
      `${source}: operator ${op} at opset ${version} is unknown to onnxruntime (onnxruntime: ${firstLine(message)})`,
      { details: { operator: op, version: Number(version), file: source } });
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
