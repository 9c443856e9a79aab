/** An evaluation that cannot run as asked (nothing to evaluate, classes that do not match). One line. */
export class EvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalError';
  }
}
