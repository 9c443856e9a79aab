// The catalog as people see it: every architecture with its published weights, which of them are
// installed, files registered by hand, and whether Anneal ships pretrained weights for it. One
// answer for `anneal models list` and the Model screen.
import { join } from 'node:path';
import { loadCatalog } from '../models/index.js';
import { bundledModelDir } from '../train/model-source.js';
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
  weights: { id: string; description: string; url: string | null; installed: string | null }[];
  /** Files registered for this architecture that match no published weights. */
  custom: string[];
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
    weights: spec.weights.map((w) => {
      const entry = installed.find((e) => e.arch === spec.id && e.weights === w.id);
      return {
        id: w.id,
        description: w.description,
        url: w.url ?? null,
        installed: entry ? join(weightsDir(), entry.file) : null,
      };
    }),
    custom: installed
      .filter((e) => e.arch === spec.id && !spec.weights.some((w) => w.id === e.weights))
      .map((e) => e.file),
  }));
}
