// What `anneal eval <dir>` evaluates: a run folder (its trained model/, else its best checkpoint,
// on its validation split unless other data is given) or a model dir (on the data given), as
// labelled samples whose labels index the model's classes.
import { readDataset } from '../data/sources/index.js';
import type { Problem, Sample } from '../data/types.js';
import { openModelSource, type ModelMeta, type ModelSource } from '../model-dir/index.js';
import { RUN_FILES, type RunStore } from '../runs/index.js';
import { EvalError } from './errors.js';

export interface EvalTarget {
  kind: 'run' | 'model';
  /** The model to load (loadModelSource): a model dir, a run's model/ or, for a run killed before
   * training ended, its best checkpoint. */
  model: ModelSource;
  meta: ModelMeta;
  /** The run, when a run folder was given. */
  run: RunStore | null;
  samples: Sample[];
  /** What the samples are, for people: "its validation split (40 images)", "photos/ (all 200 images)". */
  source: string;
  /** Files the dataset listing already refused (not images, unreadable, …). */
  problems: Problem[];
}

/** Relabels samples from the dataset's class order to the model's; a class the model lacks is refused. */
export function toModelLabels(
  samples: readonly Sample[],
  classes: readonly string[],
  meta: Pick<ModelMeta, 'labels'>,
  what: string,
): Sample[] {
  const index = new Map(meta.labels.map((l, i) => [l, i]));
  const used = new Set(samples.map((s) => s.label));
  const unknown = classes.filter((c, i) => used.has(i) && !index.has(c));
  if (unknown.length) {
    const list = unknown.map((c) => JSON.stringify(c)).join(', ');
    throw new EvalError(
      `${what}: class${unknown.length > 1 ? 'es' : ''} ${list} not among the model's labels (${meta.labels.join(', ')})`,
    );
  }
  return samples.map((s) => {
    const name = classes[s.label];
    if (name === undefined) throw new EvalError(`${what}: ${s.path} has label ${s.label}, beyond its class list`);
    return { path: s.path, label: index.get(name)! };
  });
}

export async function resolveEvalTarget(path: string, o: { data?: string } = {}): Promise<EvalTarget> {
  const model = openModelSource(path);
  const { run } = model;
  const meta = model.meta!;
  if (o.data !== undefined) {
    const { dataset } = await readDataset(o.data);
    return {
      kind: run ? 'run' : 'model',
      model,
      meta,
      run,
      samples: toModelLabels(dataset.samples, dataset.classes, meta, o.data),
      source: `${o.data} (all ${dataset.samples.length} images)`,
      problems: dataset.problems,
    };
  }
  if (!run)
    throw new EvalError(`${path} is a model dir: evaluating it needs a folder of images`, {
      kind: 'missing',
      field: 'data',
    });
  const split = run.readSplit();
  if (!split) throw new EvalError(`run ${run.id} has no ${RUN_FILES.split}`, { kind: 'missing', field: 'data' });
  if (split.val.length === 0)
    throw new EvalError(`run ${run.id} has no validation images`, { kind: 'missing', field: 'data' });
  return {
    kind: 'run',
    model,
    meta,
    run,
    samples: toModelLabels(split.val, run.meta.dataset.classes, meta, `run ${run.id}`),
    source: `its validation split (${split.val.length} images)`,
    problems: [],
  };
}
