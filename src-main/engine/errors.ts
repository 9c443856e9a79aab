// One notion of "the user's mistake". Every error the user can fix (a bad config, a missing folder,
// a foreign or oversized file, a run another process is writing) extends InputError; the CLI exits 2
// on it and the app shows it as a message, and nothing else decides. The engine speaks no CLI: an
// error names the option it is about by its field (`data`, `checkpoint`, `out`), and each adapter
// phrases the field for its people (the CLI says "--data", the app "data").
//
// This module imports nothing, so that every error class in the engine can extend it.

/**
 * What is wrong with the input:
 * - `invalid`: a value is wrong (a config field, a file's contents);
 * - `missing`: something needed was not given (the message says what, the adapter says how);
 * - `not-found`: a path that does not exist or holds nothing usable;
 * - `exists`: a destination already taken;
 * - `conflict`: options that do not go together;
 * - `unsupported`: a file or request this build cannot handle;
 * - `busy`: another process holds it (a run being written);
 * - `too-large`: past a documented limit (docs/security.md), which a setting can raise.
 */
export type InputErrorKind =
  'invalid' | 'missing' | 'not-found' | 'exists' | 'conflict' | 'unsupported' | 'busy' | 'too-large';

export interface InputErrorOptions {
  kind?: InputErrorKind;
  /** The option or config field the error is about, as the engine names it (`data`, `schedule.inner.lr`). */
  field?: string;
  /** The file or folder it is about; the message starts with it ("a.pth: truncated pickle"). */
  path?: string;
  cause?: unknown;
}

/** How an adapter names a field: the CLI maps `data` to `--data`; by default the field itself. */
export type FieldNamer = (field: string) => string;

export class InputError extends Error {
  readonly kind: InputErrorKind;
  readonly field: string | undefined;
  readonly path: string | undefined;
  /** The message without the field and the path, e.g. "must be > 0". */
  readonly reason: string;

  constructor(reason: string, options: InputErrorOptions = {}) {
    const kind = options.kind ?? 'invalid';
    super(
      phrase(reason, kind, options, (f) => f),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'InputError';
    this.kind = kind;
    this.field = options.field;
    this.path = options.path;
    this.reason = reason;
  }

  /** The message with the field named as an adapter names it. */
  phrased(name: FieldNamer): string {
    return phrase(this.reason, this.kind, this, name);
  }
}

function phrase(
  reason: string,
  kind: InputErrorKind,
  { field, path }: { field?: string | undefined; path?: string | undefined },
  name: FieldNamer,
): string {
  if (path !== undefined) reason = `${path}: ${reason}`;
  if (field === undefined || field === '') return reason;
  // "run x has no validation images (give --data)" reads better than "--data: run x has …".
  if (kind === 'missing') return `${reason} (give ${name(field)})`;
  return `${name(field)}: ${reason}`;
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
