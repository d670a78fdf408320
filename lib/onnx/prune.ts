/**
 * Output pruning: the part of a model's graph that a chosen set of its outputs needs.
 *
 * onnxruntime runs every node of a graph whatever outputs a run fetches (microsoft/onnxruntime#16013, #16483,
 * #27615): the only way to skip the compute of the outputs nobody asked for is to hand it a graph without them.
 *
 * @packageDocumentation
 */
import { QaicError } from '../errors.js';
import type { GraphProto, ModelProto, NodeProto } from './schema.js';

/** A model reduced to some of its outputs (see {@link pruneModel}). */
export interface PrunedModel {
  /** the model holding only what the outputs need (shares the kept nodes and tensors with the original: do not edit) */
  model: ModelProto;
  /** the graph inputs the pruned graph still reads, in the original graph's order (initializer-backed inputs left out) */
  inputNames: string[];
  /** the graph outputs kept, in the order asked for */
  outputNames: string[];
  /** how many of the graph's nodes were removed */
  removedNodes: number;
  /** how many initializers were removed (nothing kept reads them any more) */
  removedInitializers: number;
}

/** Every value name a node reads, those read from inside its subgraphs (`If`, `Loop`, `Scan` bodies) included. */
function nodeReads(node: NodeProto, into: Set<string>): void {
  for (const name of node.input ?? []) if (name !== '') into.add(name);
  for (const a of node.attribute ?? []) {
    if (a.g !== undefined) graphReads(a.g, into);
    for (const g of a.graphs ?? []) graphReads(g, into);
  }
}

/**
 * What a subgraph reads from the scopes around it: every name its nodes read. Names it defines itself are included
 * too, which only keeps more of the outer graph than needed when an outer value has the same name (a conservative
 * answer: never one that drops a value the subgraph reads).
 */
function graphReads(graph: GraphProto, into: Set<string>): void {
  for (const node of graph.node ?? []) nodeReads(node, into);
  for (const o of graph.output ?? []) if (o.name !== undefined) into.add(o.name);
}

/**
 * The model with only what `outputs` need: the nodes those outputs depend on (transitively, through subgraphs too),
 * the initializers those nodes read, and the graph inputs they read. The graph keeps the rest of the model as it is
 * (opsets, functions, metadata), and its `value_info` keeps only the values still produced or read.
 *
 * Graph inputs no kept node reads are dropped: onnxruntime refuses a feed whose name is not an input of the model it
 * loaded, so whoever runs the pruned model feeds {@link PrunedModel.inputNames} only.
 *
 * @param model a decoded model (not modified)
 * @param outputs names of graph outputs, distinct, in the order the result lists them
 * @throws QaicError `QAIC_INVALID_ARGUMENT` when a name is not an output of the graph, or none is given
 */
export function pruneModel(model: ModelProto, outputs: readonly string[]): PrunedModel {
  const graph = model.graph ?? {};
  const graphOutputs = graph.output ?? [];
  if (outputs.length === 0) throw new QaicError('QAIC_INVALID_ARGUMENT', 'pruneModel: name at least one output');
  const keptOutputs = outputs.map((name) => {
    const found = graphOutputs.find((o) => o.name === name);
    if (found === undefined) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `pruneModel: '${name}' is not an output of the graph; its outputs are ${graphOutputs.map((o) => `'${o.name ?? ''}'`).join(', ')}`, {
        details: { argument: 'outputs', output: name, outputs: graphOutputs.map((o) => o.name ?? '') },
      });
    }
    return found;
  });

  // walk back from the outputs: nodes are topologically ordered, so one pass from the end sees every consumer of a
  // value before its producer
  const nodes = graph.node ?? [];
  const needed = new Set<string>(outputs);
  const keep = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (!(node.output ?? []).some((name) => name !== '' && needed.has(name))) continue;
    keep[i] = true;
    nodeReads(node, needed);
  }
  const keptNodes = nodes.filter((_, i) => keep[i]);
  const initializers = graph.initializer ?? [];
  const keptInitializers = initializers.filter((t) => t.name !== undefined && needed.has(t.name));
  const initializerNames = new Set(initializers.map((t) => t.name ?? ''));
  const keptInputs = (graph.input ?? []).filter((i) => i.name !== undefined && needed.has(i.name));
  const produced = new Set<string>();
  for (const node of keptNodes) for (const name of node.output ?? []) produced.add(name);

  const pruned: GraphProto = { ...graph, node: keptNodes, input: keptInputs, output: keptOutputs };
  if (graph.initializer !== undefined) pruned.initializer = keptInitializers;
  if (graph.value_info !== undefined) pruned.value_info = graph.value_info.filter((v) => v.name !== undefined && (produced.has(v.name) || needed.has(v.name)));
  return {
    model: { ...model, graph: pruned },
    inputNames: keptInputs.map((i) => i.name!).filter((name) => !initializerNames.has(name)),
    outputNames: [...outputs],
    removedNodes: nodes.length - keptNodes.length,
    removedInitializers: initializers.length - keptInitializers.length,
  };
}
