// ONNX models in onnxruntime-node (its CPU binaries ship inside the npm package), loaded on first
// use so that commands which never touch ONNX do not pay for the native library.
import { readFileSync } from 'node:fs';
import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-node';
import { ExportInfo, ONNX_NAMES } from '../export/metadata.js';
import { decodeModel } from '../export/onnx/proto.js';
import { InputError, type InputErrorOptions } from '../errors.js';

export class OnnxModelError extends InputError {
  constructor(reason: string, options?: InputErrorOptions) {
    super(reason, options);
    this.name = 'OnnxModelError';
  }
}

type Ort = typeof OrtModule;
let ort: Promise<Ort> | undefined;
const runtime = (): Promise<Ort> => (ort ??= import('onnxruntime-node'));

/** The "anneal" entry of an exported model's metadata_props: its labels and preprocessing. */
export function readOnnxInfo(bytes: Uint8Array, what: string): ExportInfo {
  let model: Record<string, unknown>;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new OnnxModelError(`${what} is not an ONNX model: ${(e as Error).message}`);
  }
  const props = (model.metadataProps ?? []) as { key?: string; value?: string }[];
  const raw = props.find((p) => p.key === 'anneal')?.value;
  if (raw === undefined || !model.graph)
    throw new OnnxModelError(
      `${what} is not an ONNX model exported by Anneal (no "anneal" metadata): its labels and preprocessing are unknown`,
    );
  let parsed;
  try {
    parsed = ExportInfo.safeParse(JSON.parse(raw));
  } catch (e) {
    throw new OnnxModelError(`${what}: metadata "anneal" is not valid JSON: ${(e as Error).message}`);
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OnnxModelError(`${what}: metadata "anneal": ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** An exported ONNX classifier: its own description and an onnxruntime session. */
export class OnnxClassifier {
  private constructor(
    private readonly session: InferenceSession,
    readonly info: ExportInfo,
    readonly runtime: string,
  ) {}

  static async fromBytes(bytes: Uint8Array, what: string): Promise<OnnxClassifier> {
    const info = readOnnxInfo(bytes, what);
    const o = await runtime();
    let session: InferenceSession;
    try {
      session = await o.InferenceSession.create(bytes);
    } catch (e) {
      throw new OnnxModelError(`${what}: onnxruntime cannot load it: ${(e as Error).message}`);
    }
    return new OnnxClassifier(session, info, `onnxruntime ${o.env.versions.node ?? o.env.versions.common} (cpu)`);
  }

  static async fromFile(path: string): Promise<OnnxClassifier> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new OnnxModelError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return OnnxClassifier.fromBytes(bytes, path);
  }

  /** `n` inputs laid out as the model's input kind says; logits and probs, [n, classes] row-major. */
  async run(input: Float32Array, n: number): Promise<{ logits: Float32Array; probs: Float32Array }> {
    const o = await runtime();
    const S = this.info.inputSize;
    const nchw = this.info.input === 'normalised-nchw';
    const name = nchw ? ONNX_NAMES.normalised : ONNX_NAMES.image;
    const tensor = new o.Tensor('float32', input, nchw ? [n, 3, S, S] : [n, S, S, 3]);
    const out = await this.session.run({ [name]: tensor });
    const logits = out[ONNX_NAMES.logits]?.data;
    const probs = out[ONNX_NAMES.probs]?.data;
    if (!(logits instanceof Float32Array) || !(probs instanceof Float32Array))
      throw new OnnxModelError('the ONNX model did not output float32 "logits" and "probs"');
    return { logits, probs };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
