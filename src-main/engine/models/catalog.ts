// The architecture catalog in models/*.json, checked by schema when loaded.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { z } from 'zod';
import { Alpha } from '../data/sources/alpha.js';
import { InputError } from '../errors.js';

const Preprocessing = z.strictObject({
  /** Divide raw 0–255 pixels by this before normalising. */
  scale: z.number().positive().default(255),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  channels: z.enum(['RGB', 'BGR']).default('RGB'),
  /** Resampling for the resize (torchvision: bilinear for ResNet weights, bicubic for EfficientNet). */
  interpolation: z.enum(['bilinear', 'bicubic']).default('bilinear'),
  /** What transparent pixels become (data/sources/alpha.ts); absent: white. Set by the run config. */
  alpha: Alpha.optional(),
});
export type Preprocessing = z.infer<typeof Preprocessing>;

export const IMAGENET_PREPROCESSING: Preprocessing = {
  scale: 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  channels: 'RGB',
  interpolation: 'bilinear',
};

const ResNetConfig = z.strictObject({
  block: z.enum(['basic', 'bottleneck']),
  layers: z.array(z.number().int().positive()).length(4),
  widths: z.array(z.number().int().positive()).length(4),
  stem: z.strictObject({
    width: z.number().int().positive(),
    kernel: z.number().int().positive(),
    stride: z.number().int().positive(),
    maxPool: z.boolean(),
  }),
});
export type ResNetConfig = z.infer<typeof ResNetConfig>;

/** torchvision MBConvConfig rows: expand ratio, kernel, stride, in, out, layers (before scaling). */
const EfficientNetConfig = z.strictObject({
  widthMult: z.number().positive(),
  depthMult: z.number().positive(),
  stages: z.array(z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()])).min(1),
});
export type EfficientNetConfig = z.infer<typeof EfficientNetConfig>;

const Weights = z.strictObject({
  id: z.string(),
  description: z.string(),
  url: z.url(),
  /** Full sha256 when the publisher gives one. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** torch.hub's check: the file's sha256 starts with the hash in its name. */
  sha256Prefix: z.string().regex(/^[0-9a-f]{6,64}$/),
  naming: z.enum(['torchvision', 'timm', 'keras']),
  classes: z.number().int().positive(),
  labels: z.string().optional(),
  license: z.string(),
  /** Download size in MB, torchvision's `_file_size` for these weights. */
  fileSizeMB: z.number().positive().optional(),
});
export type CatalogWeights = z.infer<typeof Weights>;

const Group = z.strictObject({ name: z.string(), prefixes: z.array(z.string()).min(1) });

const Base = {
  id: z.string().regex(/^[a-z0-9_]+$/),
  title: z.string(),
  inputSize: z.number().int().positive(),
  /** Parameters with the 1000-class ImageNet head (torchvision's `num_params`; test/engine/models checks). */
  params: z.number().int().positive().optional(),
  headDropout: z.number().min(0).max(1),
  preprocessing: Preprocessing,
  /** Layer groups, earliest first; a layer belongs to the first group with a matching name prefix. */
  groups: z.array(Group).min(2),
  weights: z.array(Weights),
};

export const ArchSpec = z.discriminatedUnion('family', [
  z.strictObject({ family: z.literal('resnet'), ...Base, resnet: ResNetConfig }),
  z.strictObject({ family: z.literal('efficientnet'), ...Base, efficientnet: EfficientNetConfig }),
]);
export type ArchSpec = z.infer<typeof ArchSpec>;

/** models/ of this checkout, or $ANNEAL_MODELS_DIR (a lab's own catalog of the same families). */
export function modelsDir(): string {
  return process.env.ANNEAL_MODELS_DIR ?? fileURLToPath(new URL('../../../models/', import.meta.url));
}

/** The catalog last read, with its folder ($ANNEAL_MODELS_DIR may change within one process). */
let catalog: { dir: string; specs: Map<string, ArchSpec> } | undefined;

/** Every architecture in models/, validated; a broken entry is an error naming the file. */
export function loadCatalog(dir = modelsDir()): Map<string, ArchSpec> {
  if (catalog?.dir === dir) return catalog.specs;
  const out = new Map<string, ArchSpec>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.includes('.labels.'))
    .sort()) {
    const parsed = ArchSpec.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`models/${file}: ${issue.path.join('.')}: ${issue.message}`);
    }
    if (`${parsed.data.id}.json` !== file)
      throw new Error(`models/${file}: id "${parsed.data.id}" does not match the file name`);
    out.set(parsed.data.id, parsed.data);
  }
  catalog = { dir, specs: out };
  return out;
}

export function getArch(id: string): ArchSpec {
  const spec = loadCatalog().get(id);
  if (!spec) throw new InputError(`unknown architecture "${id}" (known: ${[...loadCatalog().keys()].join(', ')})`);
  return spec;
}
