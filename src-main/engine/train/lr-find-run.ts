// `anneal lr-find` on a run config: the run's data and model wired as for training, then the range
// test (lr-find.ts) on them.
import type { BackendInfo } from '../backend/index.js';
import { parseRunSettings } from './config.js';
import { lrFind, type LrFindResult, type LrFindStep } from './lr-find.js';
import { modelRef } from '../model-dir/index.js';
import { closePrepared, prepareWith } from './prepare.js';

export interface LrFindRunOptions {
  startLr?: number;
  endLr?: number;
  numIt?: number;
  /** Only the head trains, as fastai's lr_find on a frozen learner (default: when the model is pretrained). */
  freezeBackbone?: boolean;
  /** Each measured point, as it is measured. */
  onStep?: (step: LrFindStep) => void | Promise<void>;
}

/** `anneal lr-find`: the LR range test on a run config's data and model; nothing is saved. */
export async function runLrFind(
  input: Record<string, unknown>,
  o: LrFindRunOptions = {},
): Promise<LrFindResult & { backend: BackendInfo }> {
  // The range test is its own schedule: any schedule in the config is not needed here.
  const config = parseRunSettings(input);
  // Only the head trains for a pretrained model (fastai's lr_find on a frozen learner); training
  // every layer needs a backend that can backpropagate through convolutions.
  const freezeBackbone = o.freezeBackbone ?? modelRef(config).pretrained;
  const p = await prepareWith(config, null, { workload: freezeBackbone ? 'frozen' : 'full' });
  try {
    const result = await lrFind(p.built, p.train, config.optimizer, { ...o, freezeBackbone });
    return { ...result, backend: p.backend };
  } finally {
    await closePrepared(p);
  }
}
