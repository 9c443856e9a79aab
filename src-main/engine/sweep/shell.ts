// The one shell line every cluster executor runs per trial: `anneal train` on trials/<i>.json into
// runs/<i>/, with i from the scheduler's environment (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX).
import { join } from 'node:path';
import { SWEEP_FILES } from './store.js';

/** POSIX single quotes: safe for any path. */
export const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** `<anneal> train --config <sweep>/trials/"$VAR".json --out <sweep>/runs/"$VAR"`. */
export function trialCommand(anneal: readonly string[], sweepDir: string, indexVar: string): string {
  const trials = shellQuote(join(sweepDir, SWEEP_FILES.trials));
  const runs = shellQuote(join(sweepDir, SWEEP_FILES.runs));
  return `${anneal.map(shellQuote).join(' ')} train --config ${trials}/"$${indexVar}".json --out ${runs}/"$${indexVar}"`;
}
