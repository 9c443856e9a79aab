// A sweep trial's median stopping rule as a training callback: after each epoch it reads the
// sibling trials' metrics.jsonl from the shared sweep folder and stops this run when it is worse
// than their median (the rule itself: sweep/median.ts). The run ends with a 'stop' event whose
// reason says so, and counts as finished: a resumed sweep does not run it again.
import { higherIsBetter, type RunStore } from '../runs/index.js';
import { medianStoppingVerdict, runCurve, siblingRunDirs } from '../sweep/median.js';
import { Callback, type EpochLogs, type TrainState } from './callbacks.js';

export interface MedianStoppingOptions {
  runs: string;
  metric: 'val_accuracy' | 'val_loss';
  graceEpochs: number;
  minTrials: number;
}

export class MedianStoppingCallback extends Callback {
  constructor(
    private readonly store: RunStore,
    private readonly o: MedianStoppingOptions,
  ) {
    super();
  }

  override async onEpochEnd(s: TrainState, logs: EpochLogs): Promise<void> {
    if (logs[this.o.metric] === undefined) return;
    // This run's own curve from its file, so that epochs before a resume count too (the metrics
    // logger, earlier in the list, has already written this epoch).
    const own = runCurve(this.store.dir, this.o.metric);
    const siblings = siblingRunDirs(this.o.runs, this.store.dir).map((d) => runCurve(d, this.o.metric));
    const mode = higherIsBetter(this.o.metric) ? 'max' : 'min';
    const verdict = medianStoppingVerdict(own, siblings, { ...this.o, mode });
    if (verdict?.stop) {
      s.stopRequested = true;
      s.stopReason ??= {
        kind: 'median-stopping',
        message: `median stopping: best ${this.o.metric} ${verdict.best.toPrecision(4)} by epoch ${own.length} is worse than the median ${verdict.median!.toPrecision(4)} of ${verdict.siblings} sibling trials`,
      };
    }
  }
}
