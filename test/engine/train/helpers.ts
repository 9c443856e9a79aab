// Shared fixtures for the training tests.
import type { TrainState } from '../../../src-main/engine/train/index.js';

/** The loop's state at the start of a run, as a callback sees it; `over` sets what a test needs. */
export const trainState = (over: Partial<TrainState> = {}): TrainState => ({
  epoch: 0,
  stage: 0,
  stageName: 's',
  stageEpoch: 0,
  stageStep: 0,
  step: 0,
  stepsPerEpoch: 1,
  lr: [],
  momentum: null,
  lrScale: 1,
  history: {},
  stopRequested: false,
  stopReason: null,
  ...over,
});
