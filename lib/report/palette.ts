/**
 * Series colours: the Okabe–Ito palette, readable for the common forms of colour blindness and in print.
 */
const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'] as const;

/** Colour of the `index`-th series (cycles after eight). */
export function seriesColor(index: number): string {
  return OKABE_ITO[((index % OKABE_ITO.length) + OKABE_ITO.length) % OKABE_ITO.length]!;
}
