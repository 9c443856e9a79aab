import type { CompiledStage } from '../schedules/index.js';
import { Callback, type TrainState } from './callbacks.js';

/**
 * Sets every step's rates (and momentum) from the stage's compiled schedule: the very function
 * `anneal schedule` previews, evaluated at the stage's own step and the stage's metric history.
 */
export class LearningRateScheduler extends Callback {
  constructor(private readonly stages: readonly CompiledStage[]) {
    super();
  }

  override async onBatchBegin(s: TrainState): Promise<void> {
    const schedule = this.stages[s.stage]!.schedule;
    const history = schedule.monitor ? (s.history[schedule.monitor] ?? []) : [];
    const v = schedule.at(s.stageStep, history);
    s.lr = v.lr;
    s.momentum = v.momentum;
  }
}
