// The engine's input errors: each says what the user gave wrong (a bad config, a missing folder, a
// foreign file), in one line. The CLI exits 2 on them and the app shows them as a message, so both
// ask this one predicate rather than keeping lists of their own.
import { BackendError } from './backend/index.js';
import { DataError } from './data/sources/index.js';
import { EvalError } from './evaluate/index.js';
import { ExportError } from './export/index.js';
import { ImportError } from './import/index.js';
import { ModelDirError } from './model-dir/index.js';
import { ImageError, OnnxModelError } from './predict/index.js';
import { RunStoreError } from './runs/index.js';
import { ConfigError } from './schedules/index.js';
import { SweepError } from './sweep/index.js';

const INPUT_ERRORS = [
  ConfigError,
  RunStoreError,
  DataError,
  BackendError,
  ModelDirError,
  ImportError,
  EvalError,
  ImageError,
  OnnxModelError,
  ExportError,
  SweepError,
];

export function isInputError(e: unknown): e is Error {
  return INPUT_ERRORS.some((kind) => e instanceof kind);
}
