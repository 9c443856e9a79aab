/** An export that cannot be made as asked (no checkpoint, a layer ONNX cannot express, a taken --out). One line. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}
