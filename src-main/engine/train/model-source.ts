// Which model a run config's `model` means, and loading it for the dataset's classes: a model dir
// (given, or bundled for an architecture id) with its head replaced when the labels differ, or a
// freshly built architecture.
import { join } from 'node:path';
import { isModelDir, loadModelDir, type ModelMeta } from '../model-dir/index.js';
import { buildModel, getArch, layerGroups, modelsDir, replaceHead, type BuiltModel } from '../models/index.js';
import { ConfigError } from '../schedules/index.js';
import type { RunConfig } from './config.js';

/** models/<id>/: a pretrained model dir shipped with Anneal (resnet_micro, scripts/pretrain-resnet-micro.ts). */
export function bundledModelDir(id: string): string | null {
  const dir = join(modelsDir(), id);
  return isModelDir(dir) ? dir : null;
}

/** What `model` means: a model dir (given, or bundled for an architecture id), or an architecture id. */
export function modelRef(config: RunConfig): { ref: string; pretrained: boolean } {
  const given = config.model ?? 'resnet_micro';
  if (isModelDir(given)) return { ref: given, pretrained: true };
  const bundled = config.pretrained ? bundledModelDir(given) : null;
  return bundled ? { ref: bundled, pretrained: true } : { ref: given, pretrained: false };
}

export async function loadModel(
  config: RunConfig,
  classes: string[],
): Promise<{ built: BuiltModel; source: ModelMeta | null }> {
  const { ref, pretrained } = modelRef(config);
  if (pretrained) {
    const { model, meta } = await loadModelDir(ref);
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
