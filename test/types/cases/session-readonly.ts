// Type tests (see session-options.ts): Session.options is read-only all the way down.
import type { ResolvedOptions, Session } from '../../../lib/index.js';

declare const session: Session;

// --- reading compiles
const setSize: number = session.options.set_size;
const symbols: Readonly<Record<string, number>> = session.options.onnx_define_symbol;
const keep: readonly string[] = session.options.keep_original_precision_for_nodes;
const copy: ResolvedOptions = { ...session.options, set_size: 4 };
void [setSize, symbols, keep, copy];

// --- writing does not
// @ts-expect-error options change through updateBackendOptions()
session.options.set_size = 3;
// @ts-expect-error not even runtime-looking ones
session.options.num_activations = 2;
// @ts-expect-error the symbol map is read-only
session.options.onnx_define_symbol.batch = 2;
// @ts-expect-error the list is read-only
session.options.keep_original_precision_for_nodes.push('Add');
// @ts-expect-error the recorded no-effect flags are read-only
session.options.ignored.mos = 1;
// @ts-expect-error the options object itself cannot be replaced
session.options = copy;
