// The demo: a generated dataset to fine-tune on, no download needed.
export { SHAPE_CLASSES, makeShapes } from './shapes.js';
