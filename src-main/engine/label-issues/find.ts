// `anneal data issues` and the Dataset screen's label-issues panel: which images are likely
// mislabelled, and what they look like instead. One pass of the frozen backbone over the images
// (features.ts), K-fold out-of-sample probabilities from a softmax head (cross-val.ts), then
// confident learning (confident-learning.ts, cleanlab's find_label_issues), ranked by
// self-confidence. The report is also kept in <data>/.anneal/label-issues.json, so that moving a
// flagged file to its suggested class needs no second pass.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDataset, type DatasetLayout } from '../data/sources/index.js';
import type { Problem } from '../data/types.js';
import { InputError } from '../errors.js';
import { writeJsonAtomic } from '../fs/index.js';
import { loadModelSource, modelRef, openModelSource } from '../model-dir/index.js';
import { buildModel, getArch, layerGroups, type BuiltModel } from '../models/index.js';
import { findLabelIssues } from './confident-learning.js';
import { ANNEAL_DATA_DIR } from './moves.js';
import { crossValProbs } from './cross-val.js';
import { extractFeatures } from './features.js';
import { parseLabelIssuesSettings, type LabelIssuesSettings } from './settings.js';

/** The backbone when none is named: the one `anneal train` fine-tunes by default. */
export const DEFAULT_ISSUES_MODEL = 'resnet_micro';
export const LABEL_ISSUES_FILE = 'label-issues.json';

export interface LabelIssue {
  path: string;
  given: string;
  /** The most probable class out of sample (argmax of the fold's head). */
  suggested: string;
  /** cleanlab's self-confidence: the out-of-sample probability of the given label. */
  score: number;
  /** The out-of-sample probability of the suggested class. */
  suggestedProb: number;
}

export interface LabelIssuesReport {
  root: string;
  layout: DatasetLayout;
  classes: { name: string; images: number; issues: number }[];
  settings: LabelIssuesSettings & { model: string };
  /** The backbone, for people: "resnet_micro (pretrained, models/resnet_micro)". */
  backbone: string;
  /** False where the backbone has random weights (an architecture with none here). */
  pretrained: boolean;
  inputSize: number;
  /** Images analysed (read); the rest are in `skipped`. */
  total: number;
  /** How often the out-of-sample argmax equals the given label. */
  agreement: number;
  /** Likely mislabelled, most likely first. */
  issues: LabelIssue[];
  skipped: Problem[];
  created: string;
}

export interface LabelIssuesOptions {
  /** `phase`: reading images, then training the folds' heads. */
  onProgress?: (done: number, total: number, phase: 'images' | 'folds') => void;
  batchSize?: number;
}

/**
 * The model `anneal train --model` would start from (model-dir's modelRef: a model dir, a run, a
 * checkpoint, a bundled pretrained model, else an architecture from random weights), whole: only
 * its backbone is used, so its head is left as it is (replacing it, as training does, would leave
 * the old head's weights to dispose).
 */
async function loadBackbone(model: string) {
  const { ref, pretrained } = modelRef({ model, pretrained: true });
  if (pretrained) {
    const { model: m, meta } = await loadModelSource(openModelSource(ref));
    const spec = getArch(meta.arch);
    const built: BuiltModel = { spec, model: m, groups: layerGroups(m, spec.groups) };
    return { built, preprocessing: meta.preprocessing, ref, pretrained };
  }
  let spec;
  try {
    spec = getArch(ref);
  } catch (e) {
    throw new InputError(`${(e as Error).message}, and not a model dir or run`, { field: 'model' });
  }
  return { built: buildModel(spec, { numClasses: 2 }), preprocessing: spec.preprocessing, ref, pretrained };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Every class needs an image in each fold: at least `folds` of them. */
function checkCounts(classes: readonly string[], counts: readonly number[], folds: number, after = ''): void {
  const short = classes.map((name, k) => ({ name, n: counts[k]! })).filter((c) => c.n < folds);
  if (!short.length) return;
  const list = short.map((c) => `"${c.name}" has ${plural(c.n, 'image')}`).join(', ');
  throw new InputError(
    `${list}${after}, fewer than the ${folds} folds: each class needs an image in every fold (use fewer folds or add images)`,
    { field: 'folds' },
  );
}

export async function findDataIssues(
  data: string,
  settings: unknown,
  o: LabelIssuesOptions = {},
): Promise<LabelIssuesReport> {
  const s = parseLabelIssuesSettings(settings);
  const model = s.model ?? DEFAULT_ISSUES_MODEL;
  const { layout, dataset } = await readDataset(data);
  const { classes, samples } = dataset;
  if (classes.length < 2) {
    throw new InputError(
      classes.length === 1
        ? `${data} has one class (${classes[0]}): finding mislabelled images needs two or more class folders`
        : `${data} has no class with a readable image`,
      { field: 'data' },
    );
  }
  const count = (labels: readonly number[]) => classes.map((_, k) => labels.filter((l) => l === k).length);
  checkCounts(classes, count(samples.map((x) => x.label)), s.folds);

  const { built, preprocessing, ref, pretrained } = await loadBackbone(model);
  let features;
  const inputSize = built.model.inputs[0]!.shape[1]!;
  try {
    features = await extractFeatures(
      built,
      samples,
      { inputSize, preprocessing },
      { batchSize: o.batchSize, onProgress: (done, total) => o.onProgress?.(done, total, 'images') },
    );
  } finally {
    built.model.dispose();
  }
  const labels = features.kept.map((i) => samples[i]!.label);
  checkCounts(classes, count(labels), s.folds, ' that could be read');
  const C = classes.length;
  const probs = await crossValProbs(features.features, labels, features.dim, {
    folds: s.folds,
    seed: s.seed,
    classNames: classes,
    onFold: (done, total) => o.onProgress?.(done, total, 'folds'),
  });

  const argmax = (r: number) => {
    let best = 0;
    for (let k = 1; k < C; k++) if (probs[r * C + k]! > probs[r * C + best]!) best = k;
    return best;
  };
  const ranked = findLabelIssues({ labels, probs, classes: C }, { filterBy: s.filterBy });
  const issues = ranked.map((r) => {
    const suggested = argmax(r);
    return {
      path: samples[features.kept[r]!]!.path,
      given: classes[labels[r]!]!,
      suggested: classes[suggested]!,
      score: probs[r * C + labels[r]!]!,
      suggestedProb: probs[r * C + suggested]!,
    };
  });
  const agree = labels.filter((l, r) => argmax(r) === l).length;
  const images = count(labels);
  const flagged = count(ranked.map((r) => labels[r]!));
  const report: LabelIssuesReport = {
    root: dataset.root,
    layout,
    classes: classes.map((name, k) => ({ name, images: images[k]!, issues: flagged[k]! })),
    settings: { ...s, model },
    backbone: pretrained ? `${model} (pretrained, ${ref})` : `${model} (random weights: no pretrained weights here)`,
    pretrained,
    inputSize,
    total: labels.length,
    agreement: labels.length ? agree / labels.length : 0,
    issues,
    skipped: [...dataset.problems, ...features.skipped],
    created: new Date().toISOString(),
  };
  if (layout !== 'csv') writeJsonAtomic(join(dataset.root, ANNEAL_DATA_DIR, LABEL_ISSUES_FILE), report);
  return report;
}

/** The last report `findDataIssues` kept for a folder dataset, or null. */
export function readIssuesReport(root: string): LabelIssuesReport | null {
  const file = join(root, ANNEAL_DATA_DIR, LABEL_ISSUES_FILE);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabelIssuesReport;
  } catch {
    return null;
  }
}
