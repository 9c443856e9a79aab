// Data: dataset sources (folders, CSV lists, decoding, inspection), augmentation and its preview
// grid, class balance, and the worker pipeline that feeds training.
export * from './sources/index.js';
export * from './augment/index.js';
export * from './augment/preview/index.js';
export * from './balance/index.js';
export * from './pipeline/index.js';
export type * from './types.js';
