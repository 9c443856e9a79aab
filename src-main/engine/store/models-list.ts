// The catalog as people see it: every architecture with its published weights, which of them are
// installed, files registered by hand, and whether Anneal ships pretrained weights for it. One
// answer for `anneal models list` and the Model screen.
import { join } from 'node:path';
import { loadCatalog } from '../models/index.js';
import { bundledModelDir, modelDirParams, readModelMeta } from '../model-dir/index.js';
import { BUNDLED_MODEL_NOTE } from '../models/index.js';
import { readRegistry, weightsDir } from './weights-store.js';

export interface ModelRow {
  arch: string;
  title: string;
  inputSize: number;
  /** Layer groups (stem … head): one learning rate each in a discriminative schedule. */
  groups: number;
  /** Their names, earliest first, as the catalog gives them (and charts label the rates). */
  groupNames: string[];
  /** models/<arch>/ when Anneal ships pretrained weights for it (resnet_micro). */
  bundled: string | null;
  weights: {
    id: string;
    description: string;
    url: string | null;
    installed: string | null;
    /** Download size in MB (torchvision's). */
    fileSizeMB: number | null;
  }[];
  /** Files registered for this architecture that match no published weights. */
  custom: string[];
  /** Parameters (ImageNet head for catalog weights; the bundled model's own), null where unknown. */
  params: number | null;
  /** The bundled weights: what they were pretrained on (anneal.json source), at what input size. */
  bundledInfo: { pretrainedOn: string; inputSize: number; params: number; note: string } | null;
}

function bundledInfo(arch: string): ModelRow['bundledInfo'] {
  const dir = bundledModelDir(arch);
  if (!dir) return null;
  const meta = readModelMeta(dir);
  const classes = `${meta.classes} classes (${meta.labels.slice(0, 4).join(', ')}${meta.classes > 4 ? ', …' : ''})`;
  const made = meta.source ? `, made by ${meta.source.file}` : '';
  return {
    pretrainedOn: `${classes} at ${meta.inputSize} px${made}`,
    inputSize: meta.inputSize,
    params: modelDirParams(dir),
    note: BUNDLED_MODEL_NOTE,
  };
}

export function listModels(): ModelRow[] {
  const installed = readRegistry();
  return [...loadCatalog().values()].map((spec) => ({
    arch: spec.id,
    title: spec.title,
    inputSize: spec.inputSize,
    groups: spec.groups.length,
    groupNames: spec.groups.map((g) => g.name),
    bundled: bundledModelDir(spec.id),
    params: spec.params ?? null,
    bundledInfo: bundledInfo(spec.id),
    weights: spec.weights.map((w) => {
      const entry = installed.find((e) => e.arch === spec.id && e.weights === w.id);
      return {
        id: w.id,
        description: w.description,
        url: w.url ?? null,
        installed: entry ? join(weightsDir(), entry.file) : null,
        fileSizeMB: w.fileSizeMB ?? null,
      };
    }),
    custom: installed
      .filter((e) => e.arch === spec.id && !spec.weights.some((w) => w.id === e.weights))
      .map((e) => e.file),
  }));
}
