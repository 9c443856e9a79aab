// The CLI's side of "the user's mistake" (engine/errors.ts): every InputError exits 2 with one
// line, its field named as the flag that sets it. Nothing else in the CLI decides what is the
// user's mistake; commands do not catch engine errors of their own.
import { InputError } from '../engine/errors.js';

/** Exit codes: 0 done, 1 the work failed, 2 the command line or a config is wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A usage error the CLI itself finds (a bad flag value): reported as one line on stderr, exit code 2. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Engine fields that a flag sets, by the flag's name. A field with no flag (a config path such as
 * `schedule.inner.lr`) is named as it is written in the config.
 */
const FLAGS: Readonly<Record<string, string>> = {
  data: '--data',
  model: '--model',
  out: '--out',
  checkpoint: '--checkpoint',
  format: '--format',
  rawInput: '--raw-input',
  labels: '--labels',
  naming: '--naming',
  arch: '--arch',
  backend: '--backend',
  batchSize: '--batch-size',
  imageSize: '--image-size',
  stageSizes: '--stage-sizes',
  epochs: '--epochs',
  seed: '--seed',
  evaluate: '--no-eval',
  'tta.n': '--tta-n',
  'tta.beta': '--tta-beta',
  'tta.seed': '--tta-seed',
  class: '--class',
  image: '<image>',
  folds: '--folds',
  filterBy: '--filter-by',
  to: '--to',
  undo: '--undo',
};

export function flagName(field: string): string {
  return FLAGS[field] ?? field;
}

/** An InputError as the CLI prints it (without the "anneal: " prefix). */
export function describeInputError(e: InputError): string {
  return e.phrased(flagName);
}
