// Where a resumed run starts: the split it was trained on, and the point after its last complete
// checkpoint (the next epoch, or the next stage when that epoch closed its stage; or, when a stop
// cut that epoch short, the rest of that same epoch).
import type { Split } from '../data/types.js';
import type { CheckpointData, RunStore } from '../runs/index.js';
import type { CompiledStage } from '../schedules/index.js';
import type { ResumePoint } from './trainer.js';

/**
 * The split a run recorded in split.json (with how it was made), or undefined for a run that has
 * none. Runs from before the method was recorded read as a stratified split of unknown seed.
 */
export function storedSplit(store: RunStore): Split | undefined {
  const f = store.readSplit();
  if (!f) return undefined;
  return {
    train: f.train,
    val: f.val,
    method: f.method ?? 'stratified',
    seed: f.seed ?? null,
    valFraction: f.valFraction ?? null,
  };
}

/**
 * The resume point after a checkpoint. `stepsPerEpoch` counts optimizer steps (batches divided by
 * `accumulate`), the unit of the schedule's time `stageStep`.
 */
export function resumePoint(
  ckpt: CheckpointData,
  stages: readonly CompiledStage[],
  stepsPerEpoch: number,
): ResumePoint {
  const st = ckpt.state;
  const schedule = (st.scheduleState ?? {}) as { history?: Record<string, number[]>; lrScale?: number };
  if (st.within) {
    // A stop cut this epoch short: finish it, from the step after the last one done. The cut
    // epoch's numbers, which its history ends with, make way for the whole epoch's.
    const history = Object.fromEntries(Object.entries(schedule.history ?? {}).map(([k, v]) => [k, v.slice(0, -1)]));
    return {
      stage: st.stage,
      stageEpoch: st.stageEpoch,
      epoch: st.epoch,
      step: st.step + 1,
      stageStep: st.stageEpoch * stepsPerEpoch + st.within.steps,
      optimizer: ckpt.optimizer.json,
      // The optimizer's slots and the EMA's average: a cut epoch's resume needs them as much as any.
      ...(ckpt.optimizer.buffers ? { buffers: ckpt.optimizer.buffers } : {}),
      history,
      within: st.within,
    };
  }
  const stageDone = st.stageEpoch + 1 >= stages[st.stage]!.epochs;
  return {
    stage: stageDone ? st.stage + 1 : st.stage,
    stageEpoch: stageDone ? 0 : st.stageEpoch + 1,
    epoch: st.epoch + 1,
    step: st.step + 1,
    stageStep: stageDone ? 0 : (st.stageEpoch + 1) * stepsPerEpoch,
    optimizer: ckpt.optimizer.json,
    ...(ckpt.optimizer.buffers ? { buffers: ckpt.optimizer.buffers } : {}),
    history: stageDone ? {} : (schedule.history ?? {}),
  };
}
