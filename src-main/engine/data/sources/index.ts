// Data sources: decoding image files, reading datasets (ImageFolder, CSV/TSV lists, pre-split
// train/ and val/ folders), seeded stratified splits, and whole-dataset inspection.
export { decodeBmp, MAX_PIXELS } from './bmp.js';
export { chooseDelimiter, parseDelimited, type CsvField, type CsvRecord } from './csv.js';
export { readCsv } from './csv-source.js';
export { readDataset, readSplitFolders, splitFolderNames, type DatasetLayout, type LoadedDataset } from './dataset.js';
export { DECODE_MAX_PIXELS, decodeImage, decodeWithFormat, readRegularFile, type Decoded } from './decode.js';
export { DataError, DecodeError } from './errors.js';
export { readImageFolder, type SourceOptions } from './image-folder.js';
export { inspectDataset, sizeStats, type InspectOptions, type InspectReport, type SizeStats } from './inspect.js';
export { compareCodePoints, sortCodePoints } from './order.js';
export { defaultConcurrency, mapPool } from './pool.js';
export { mulberry32, namedSeed, shuffleInPlace, type Rng } from './prng.js';
export { FORMAT_NAMES, IMAGE_FORMATS, sniffBytes, sniffFile, type ImageFormat, type Sniffed } from './sniff.js';
export { stratifiedSplit, valCount, type SplitOptions } from './split.js';
export { isTruncated } from './truncation.js';
