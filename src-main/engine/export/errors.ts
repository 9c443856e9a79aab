import { InputError, type InputErrorOptions } from '../errors.js';

/** An export that cannot be made as asked (no checkpoint, a layer ONNX cannot express, a taken --out). One line. */
export class ExportError extends InputError {
  constructor(reason: string, options?: InputErrorOptions) {
    super(reason, options);
    this.name = 'ExportError';
  }
}
