// What an exported model says about itself, so that it can be used without Anneal and without
// guessing: the class names, and exactly which pixels it expects. Stored inside the model (ONNX
// metadata_props, TF.js userDefinedMetadata) and beside it (labels.json, preprocessing.json).
import { z } from 'zod';
import { alphaBackground, DEFAULT_ALPHA, type Alpha } from '../data/sources/index.js';
import { ModelMeta } from '../model-dir/index.js';

export const EXPORT_FORMATS = ['onnx', 'tfjs', 'savedmodel'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * The model's input: 'rgb255-nhwc' raw RGB pixels 0–255, [N, H, W, 3], normalised inside the graph;
 * 'normalised-nhwc' / 'normalised-nchw' pixels already through (p / scale − mean) / std.
 */
export const INPUT_KINDS = ['rgb255-nhwc', 'normalised-nhwc', 'normalised-nchw'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** Kept under the key "anneal" in the model's own metadata. */
export const ExportInfo = z.strictObject({
  format: z.literal('anneal-export'),
  version: z.literal(1),
  modelFormat: z.enum(['onnx', 'tfjs']),
  arch: z.string(),
  labels: z.array(z.string()).min(1),
  inputSize: z.number().int().positive(),
  input: z.enum(INPUT_KINDS),
  preprocessing: ModelMeta.shape.preprocessing,
  created: z.string(),
});
export type ExportInfo = z.infer<typeof ExportInfo>;

/** The graph's input and output names. */
export const ONNX_NAMES = { image: 'image', normalised: 'input', logits: 'logits', probs: 'probs' } as const;

/** How transparent pixels are handled, as one step for people (data/sources/alpha.ts). */
function alphaStep(alpha: Alpha): string {
  const bg = alphaBackground(alpha);
  if (!bg) return 'transparency: drop the alpha channel, keeping each pixel\'s stored colour (PIL convert("RGB"))';
  return `transparency: composite onto ${alpha} (rgb ${bg.join(', ')}): out = (c·a + bg·(255 − a)) / 255, rounded`;
}

/** preprocessing.json: the eval transform in words and numbers, for whoever feeds the model outside Anneal. */
export function preprocessingDocument(info: ExportInfo): Record<string, unknown> {
  const p = info.preprocessing;
  const S = info.inputSize;
  const inGraph = info.input === 'rgb255-nhwc';
  const nchw = info.input === 'normalised-nchw';
  return {
    steps: [
      'decode the image and apply its EXIF orientation; convert to RGB (8 bits per channel)',
      alphaStep(p.alpha ?? DEFAULT_ALPHA),
      `resize so that the shorter side is ${S} px (${p.interpolation}), keeping the aspect ratio`,
      `crop the centre ${S}x${S} px`,
      ...(p.channels === 'BGR' ? ['reorder the channels to BGR'] : []),
      `${inGraph ? 'inside the model: ' : ''}divide by ${p.scale}, subtract mean, divide by std, per channel`,
    ],
    alpha: p.alpha ?? DEFAULT_ALPHA,
    resize: { shorterSide: S, interpolation: p.interpolation, centerCrop: [S, S] },
    normalisation: {
      insideModel: inGraph,
      formula: '(pixel / scale - mean[c]) / std[c]',
      scale: p.scale,
      mean: p.mean,
      std: p.std,
      channels: p.channels,
    },
    input: {
      name: info.modelFormat === 'onnx' ? (inGraph ? ONNX_NAMES.image : ONNX_NAMES.normalised) : 'image',
      dtype: 'float32',
      layout: nchw ? 'NCHW' : 'NHWC',
      shape: nchw ? ['N', 3, S, S] : ['N', S, S, 3],
      values: inGraph ? 'RGB pixels, 0 to 255' : 'normalised as above',
    },
    outputs:
      info.modelFormat === 'onnx'
        ? { [ONNX_NAMES.logits]: ['N', info.labels.length], [ONNX_NAMES.probs]: ['N', info.labels.length] }
        : { logits: ['N', info.labels.length] },
    labels: 'labels.json: class names in output order',
  };
}
