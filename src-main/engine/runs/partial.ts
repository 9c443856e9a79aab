// A run stopped in the middle of an epoch ends on numbers over part of that epoch's data. They are
// labelled wherever they are shown (the Train headline, the Runs table and detail, `anneal train`'s
// summary, `runs list|show`), in the same words. Pure: the renderer imports it (engine/browser.ts).

/** How far a cut epoch got: optimizer steps done, of the epoch's. */
export interface EpochCutSteps {
  epochStep: number;
  stepsPerEpoch: number;
}

/** The cut of an epoch record (metrics.jsonl), as an object to spread: `{ partial }` or nothing. */
export function cutSteps(record: {
  partial?: boolean | undefined;
  epochStep?: number | undefined;
  stepsPerEpoch?: number | undefined;
}): { partial?: EpochCutSteps } {
  if (!record.partial) return {};
  // Runs recorded before the steps were: a cut epoch of unknown extent.
  return { partial: { epochStep: record.epochStep ?? 0, stepsPerEpoch: record.stepsPerEpoch ?? 0 } };
}

/**
 * "stopped at epoch 3, step 12/40 (partial epoch)" for final numbers from a cut epoch (epoch counted
 * from 1, as people count), or null for a whole one.
 */
export function partialLabel(
  final: { epoch: number; partial?: EpochCutSteps | null | undefined } | null,
): string | null {
  if (!final?.partial) return null;
  return `stopped at epoch ${final.epoch + 1}, ${cutLabel(final.partial)}`;
}

/** "step 12/40 (partial epoch)": where tables already name the epoch (`anneal runs show`, from 0). */
export function cutLabel(p: EpochCutSteps): string {
  return p.stepsPerEpoch ? `step ${p.epochStep}/${p.stepsPerEpoch} (partial epoch)` : 'partial epoch';
}
