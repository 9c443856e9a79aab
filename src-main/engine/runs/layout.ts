// Where things are in a run folder.

/** The files and folders of runs/<id>/. */
export const RUN_FILES = {
  meta: 'run.json',
  split: 'split.json',
  metrics: 'metrics.jsonl',
  events: 'events.jsonl',
  checkpoints: 'checkpoints',
} as const;

export const BEST_CHECKPOINT = 'best';
/** checkpoints/epoch-0003/: zero-padded so that a file manager lists them in order. */
export const EPOCH_DIR = /^epoch-(\d{4,})$/;
export const epochDirName = (epoch: number): string => `epoch-${String(epoch).padStart(4, '0')}`;
