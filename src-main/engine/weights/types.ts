// What every reader returns: names, shapes and float32 values, nothing framework-specific.
import type { WeightDType } from './dtype.js';

export interface RawTensor {
  name: string;
  /** The dtype stored in the file (for a quantized TF.js weight, the dtype it decodes to). */
  dtype: WeightDType;
  shape: number[];
  /** Values converted to float32, row-major in the file's own layout (no transposition). */
  data: Float32Array;
}

export type WeightFormat = 'safetensors' | 'torch' | 'keras-h5' | 'keras-v3' | 'tfjs-layers';

export interface WeightFile {
  format: WeightFormat;
  path: string;
  /**
   * Hex SHA-256 of the file's bytes. For a TF.js model: of model.json followed by every shard in
   * manifest order.
   */
  sha256: string;
  tensors: Map<string, RawTensor>;
  /** Tensor names in the order the file stores them. */
  names: string[];
}

export interface ReadOptions {
  /** Largest file (and decoded float32 data) to accept; default ANNEAL_MAX_WEIGHT_BYTES or 4 GB (file.ts). */
  maxBytes?: number;
}
