import { InputError, type InputErrorOptions } from '../errors.js';

/** A run folder (or a file in it) that cannot be read or written as asked. One line, naming the file. */
export class RunStoreError extends InputError {
  constructor(reason: string, options?: InputErrorOptions) {
    super(reason, options);
    this.name = 'RunStoreError';
  }
}

/** The first zod issue as "path: message", the form every run-store error uses. */
export function firstIssue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
  return path ? `${path.replace(/\.\[/g, '[')}: ${issue.message}` : issue.message;
}

export function errnoCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}
