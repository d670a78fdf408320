/**
 * Hand charts and tables to a notebook. Under a tslab kernel the content is shown as rich output
 * (`tslab.display.svg` / `.html`); anywhere else the markup comes back as a string to save or print. tslab is never
 * a dependency of the library: the display object is either passed in or found among the modules the running
 * tslab kernel has already loaded.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

/** The part of tslab's `Display` interface this module uses (`import * as tslab from 'tslab'; tslab.display`). */
export interface NotebookDisplay {
  /** show an HTML fragment as the cell's rich output */
  html(markup: string): void;
  /** show an SVG document as the cell's rich output */
  svg(markup: string): void;
}

let cached: NotebookDisplay | null | undefined;

/**
 * The running tslab kernel's display, or `undefined` outside tslab. Found through the module cache (tslab loads
 * `tslab/dist/jupyter.js` to run the kernel), so nothing is imported when no kernel is running.
 */
export function tslabDisplay(): NotebookDisplay | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const require = createRequire(import.meta.url);
  const marker = `${sep}tslab${sep}dist${sep}jupyter.js`;
  const kernelModule = Object.keys(require.cache).find((key) => key.endsWith(marker));
  cached = null;
  if (kernelModule !== undefined) {
    try {
      const pub = require(join(dirname(kernelModule), 'public.js')) as { display?: NotebookDisplay };
      if (pub.display !== undefined && typeof pub.display.html === 'function') cached = pub.display;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

/**
 * Show SVG or HTML markup in a notebook, or return it.
 *
 * @param markup an SVG document (starts with `<svg`) or an HTML fragment (anything else)
 * @param display where to show it; default: the running tslab kernel's display, if any
 * @returns `undefined` when the markup was handed to a notebook display; otherwise the markup itself, so scripts
 *   can write it to a file
 */
export function show(markup: string, display: NotebookDisplay | undefined = tslabDisplay()): string | undefined {
  if (display === undefined) return markup;
  if (/^\s*<svg[\s>]/.test(markup)) display.svg(markup);
  else display.html(markup);
  return undefined;
}
