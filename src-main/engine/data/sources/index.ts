// Data sources: decoding image files, reading datasets (ImageFolder, CSV/TSV lists, pre-split
// train/ and val/ folders), seeded stratified splits, and whole-dataset inspection.
export { decodeBmp, MAX_PIXELS } from './bmp.js';
export { chooseDelimiter, parseDelimited, type CsvField, type CsvRecord } from './csv.js';
export { readCsv } from './csv-source.js';
export { readDataset, readSplitFolders, splitFolderNames, type DatasetLayout, type LoadedDataset } from './dataset.js';
export {
  Alpha,
  ALPHA_NAMES,
  alphaBackground,
  DEFAULT_ALPHA,
  flattenAlpha,
  isNearlyUniform,
  UNIFORM_STD,
} from './alpha.js';
export {
  DECODE_MAX_PIXELS,
  decodeImage,
  decodeWithFormat,
  readRegularFile,
  type DecodeOptions,
  type Decoded,
} from './decode.js';
export {
  DEFAULT_NEAR_DUPLICATES,
  colourGrid,
  GRID_TOLERANCE,
  perceptualHash,
  pictureFingerprint,
  describeGroups,
  findDuplicates,
  fingerprintFile,
  groupFingerprints,
  hammingDistance,
  MAX_NEAR_DUPLICATES,
  NearDuplicates,
  type DuplicateGroup,
  type Fingerprint,
  type IndexGroup,
} from './duplicates.js';
export { DataError, DecodeError } from './errors.js';
export { readImageFolder, type SourceOptions } from './image-folder.js';
export {
  inspectDataset,
  parseInspectOptions,
  sizeStats,
  type InspectOptions,
  type InspectReport,
  type SizeStats,
} from './inspect.js';
export { compareCodePoints, sortCodePoints } from './order.js';
export { defaultConcurrency, mapPool } from './pool.js';
export { mulberry32, namedSeed, shuffleInPlace, type Rng } from './prng.js';
export { FORMAT_NAMES, IMAGE_FORMATS, sniffBytes, sniffFile, type ImageFormat, type Sniffed } from './sniff.js';
export { stratifiedSplit, valCount, type SplitOptions } from './split.js';
export { isTruncated } from './truncation.js';
