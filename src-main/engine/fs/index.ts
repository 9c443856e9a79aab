// File-system helpers shared by the engine and its adapters.
export { writeFileAtomic, writeJsonAtomic } from './atomic.js';
export { cleanStaleTemps, doneWithTemp, tempSibling } from './temp.js';
export { isNoSpace, NoSpaceError, onFullDisk, onFullDiskAsync } from './no-space.js';
