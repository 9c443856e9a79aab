// Shared shapes of the data layer: sources list samples, decoding gives RGB pixels, transforms
// turn pixels into model input, the pipeline batches them off the training thread.

/** One labelled image file. `label` indexes Dataset.classes. */
export interface Sample {
  path: string;
  label: number;
}

/** Something wrong with a file or folder, reported instead of crashing. */
export interface Problem {
  path: string;
  reason: string;
}

export interface Dataset {
  /** The folder (or CSV file) the dataset was read from. */
  root: string;
  /** Class names, sorted as torchvision's ImageFolder sorts them (plain string order). */
  classes: string[];
  samples: Sample[];
  /** Files and folders that could not be used, each once. */
  problems: Problem[];
}

/** Decoded 8-bit RGB, row-major HWC. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A dataset split into training and validation samples (stored with a run). */
export interface Split {
  train: Sample[];
  val: Sample[];
  /** How it was made: a seeded stratified split, or pre-split train/ and val/ folders. */
  method: 'stratified' | 'folders';
  seed: number | null;
  valFraction: number | null;
  /** Duplicate groups kept on one side (byte-identical or near-duplicate files), as paths. */
  duplicateGroups?: string[][];
}
