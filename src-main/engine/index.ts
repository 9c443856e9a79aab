// The engine: pure TypeScript (+ TF.js), no Electron, no DOM. The CLI, the server and the
// desktop shell are thin adapters over what this folder exports.
export * from './schedules/index.js';
export * from './plot/index.js';
export * from './runtime/index.js';
export * from './backend/index.js';
export * from './models/index.js';
export * from './model-dir/index.js';
export * from './import/index.js';
export * from './predict/index.js';
export * from './ort-train/index.js';
export * from './store/index.js';
export * from './fs/index.js';
export * from './data/index.js';
export * from './optim/index.js';
export * from './train/index.js';
export * from './runs/index.js';
export * from './demo/index.js';
export * from './evaluate/index.js';
export * from './bench/index.js';
export * from './export/index.js';
export { InputError, isInputError, type FieldNamer, type InputErrorOptions, type InputErrorKind } from './errors.js';
export * from './sweep/index.js';
export * from './tta/index.js';
export * from './explain/index.js';
export * from './label-issues/index.js';
