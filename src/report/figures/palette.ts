/** Colours of the report's figures: the Okabe–Ito palette, distinguishable with colour-vision deficiency. */
export const PALETTE: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/**
 * mRS 0..6 for Grotta bars: a sequential scale from good (0, light green) to death (6, near-black), as
 * stroke trials print them; `textOn[i]` is the label colour readable on segment i.
 */
export const MRS_COLOURS: readonly string[] = ['#1a9850', '#66bd63', '#a6d96a', '#fee08b', '#fdae61', '#d73027', '#2b2b2b'];
export const MRS_TEXT: readonly string[] = ['#ffffff', '#111111', '#111111', '#111111', '#111111', '#ffffff', '#ffffff'];
