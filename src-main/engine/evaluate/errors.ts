import { InputError, type InputErrorOptions } from '../errors.js';

/** An evaluation that cannot run as asked (nothing to evaluate, classes that do not match). One line. */
export class EvalError extends InputError {
  constructor(reason: string, options?: InputErrorOptions) {
    super(reason, options);
    this.name = 'EvalError';
  }
}
