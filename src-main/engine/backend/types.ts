/** The TF.js backends Anneal can run on, fastest first where a GPU is real. */
export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What a run needs: a forward pass only, training the head on a frozen backbone, or everything. */
export type Workload = 'inference' | 'frozen' | 'full';

export interface BackendInfo {
  name: BackendName;
  available: boolean;
  /** The device it runs on (GPU name, or the CPU), or null when unavailable. */
  device: string | null;
  /** Why it is or is not available, and what it can do. */
  reason: string;
  /** Can run backprop through convolutions (full training); wasm can once Anneal's kernels are registered. */
  canTrainConvolutions: boolean;
  /** A software rasteriser stands in for a GPU (Mesa llvmpipe, SwiftShader). */
  software: boolean;
  /** CPU threads its kernels run on, and why that many (wasm; null or absent elsewhere). */
  threads?: { count: number; why: string } | null;
}

/** Kernels a full fine-tune needs beyond inference (ResNet: conv; EfficientNet: depthwise). */
export const TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
] as const;
