/**
 * A colour per series, distinguishable and in order: Okabe & Ito's palette, safe for the common
 * colour-vision deficiencies. One list for the PNG charts and the app's live charts.
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];
