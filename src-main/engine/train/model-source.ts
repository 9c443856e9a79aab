// Loading the model a run config's `model` means (model-dir's modelRef and openModelSource answer
// which one) for the dataset's classes: a model source with its head replaced when the labels
// differ, or a freshly built architecture.
import { loadModelSource, modelRef, openModelSource, type ModelMeta } from '../model-dir/index.js';
import { buildModel, getArch, layerGroups, replaceHead, type BuiltModel } from '../models/index.js';
import { ConfigError } from '../schedules/index.js';
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
    return { built: same ? built : replaceHead(built, classes.length), source: meta };
  }
  let spec;
  try {
    spec = getArch(ref);
  } catch (e) {
    throw new ConfigError('model', `${(e as Error).message}, and not a model dir`);
  }
  return { built: buildModel(spec, { numClasses: classes.length, inputSize: config.imageSize }), source: null };
}
