// What `anneal export <dir>` exports: a model dir as it is, or a run's trained weights: its model/
// (what training ended with) or one of its checkpoints, rebuilt on the run's architecture with
// the run's classes, input size and preprocessing. Which model a path means is model-dir's
// openModelSource, shared with train, eval and predict.
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadModelSource, openModelSource, type ModelMeta } from '../model-dir/index.js';
import type { RunStore } from '../runs/index.js';

export interface ExportSource {
  kind: 'run' | 'model';
  /** The folder given. */
  path: string;
  model: tfl.LayersModel;
  meta: ModelMeta;
  run: RunStore | null;
  /** Which weights, in words: "model/ (where training ended)", "checkpoint best (epoch 3)", … */
  weights: string;
}

/**
 * Opens `path` for export. A run's model/ is used unless a checkpoint is asked for; a run killed
 * before training ended exports its best checkpoint, or its last. The model is the caller's to dispose.
 */
export async function openExportSource(
  path: string,
  o: { checkpoint?: string; ema?: boolean } = {},
): Promise<ExportSource> {
  const src = openModelSource(path, { checkpoint: o.checkpoint, ema: o.ema });
  const { model, meta } = await loadModelSource(src);
  return { kind: src.run ? 'run' : 'model', path, model, meta, run: src.run, weights: src.weights };
}
