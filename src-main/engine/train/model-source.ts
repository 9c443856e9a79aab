// Loading the model a run config's `model` means (model-dir's modelRef and openModelSource answer
// which one) for the dataset's classes: a model source with its head replaced when the labels
// differ, or a freshly built architecture.
import { loadModelSource, modelRef, openModelSource, type ModelMeta } from '../model-dir/index.js';
import { buildModel, getArch, layerGroups, replaceHead, type BuiltModel } from '../models/index.js';
import { ConfigError } from '../schedules/index.js';
import { mulberry32 } from '../data/sources/index.js';
import type { RunConfig } from './config.js';

export async function loadModel(
  config: RunConfig,
  classes: string[],
): Promise<{ built: BuiltModel; source: ModelMeta | null }> {
  const { ref, pretrained } = modelRef(config);
  if (pretrained) {
    // Built at the run's image size: the saved model/ then takes the images it was trained on.
    const src = openModelSource(ref);
    const { model } = await loadModelSource(src, { inputSize: config.imageSize });
    const meta = src.meta!; // as pretrained: its own input size, not the run's
    const spec = getArch(meta.arch);
    const built: BuiltModel = { spec, model, groups: layerGroups(model, spec.groups) };
    const same = meta.classes === classes.length && meta.labels.every((l, i) => l === classes[i]);
    return { built: same ? built : seeded(config.seed, () => replaceHead(built, classes.length)), source: meta };
  }
  let spec;
  try {
    spec = getArch(ref);
  } catch (e) {
    throw new ConfigError('model', `${(e as Error).message}, and not a model dir`);
  }
  const built = seeded(config.seed, () =>
    buildModel(spec, { numClasses: classes.length, inputSize: config.imageSize }),
  );
  return { built, source: null };
}

/**
 * Runs `build` with Math.random drawn from the run's seed: tfjs-layers' initialisers take their
 * seed from Math.random when given none, so a new head (or a model built from scratch) starts from
 * the same weights for the same --seed, as torch.manual_seed makes it in PyTorch.
 */
function seeded<T>(seed: number, build: () => T): T {
  const original = Math.random;
  Math.random = mulberry32(seed);
  try {
    return build();
  } finally {
    Math.random = original;
  }
}
