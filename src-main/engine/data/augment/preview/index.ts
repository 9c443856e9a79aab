// `anneal data preview`'s engine side: which images to show, a summary of the config, and the grid
// PNG. Kept out of augment/index.ts so that worker threads, which only augment, never load Skia.
export { renderDatasetPreview, type DatasetPreviewOptions } from './dataset.js';
export { gridSize, renderPreviewGrid, type GridOptions, type GridRow } from './grid.js';
export { describeAugment, pickPreviewRows, type PreviewRow } from './rows.js';
