// `--tta` and its settings on eval, predict and export: fastai's Learner.tta (engine/tta). Any
// --tta-* flag turns TTA on; the engine validates the values and names the field, which
// errors.ts phrases as the flag.
import type { Command } from 'commander';
import { parseTtaConfig, type TtaConfig } from '../engine/index.js';
import { UsageError } from './errors.js';

export interface TtaFlags {
  tta?: boolean;
  ttaN?: string;
  ttaBeta?: string;
  ttaMax?: boolean;
  ttaSeed?: string;
}

/** The commands that take --tta: what they run is evaluation or prediction. */
const TAKES_TTA = new Set(['eval', 'predict', 'export']);

/** Adds the --tta flags to eval, predict and export (one place, as threads.ts adds --threads). */
export function addTtaOptions(program: Command): void {
  for (const cmd of program.commands) {
    if (!TAKES_TTA.has(cmd.name())) continue;
    cmd
      .option('--tta', "test-time augmentation: fastai's tta over the plain view and n augmented views")
      .option('--tta-n <n>', 'augmented views per image (default 4; implies --tta)')
      .option('--tta-beta <b>', 'weight of the plain view, 0..1: lerp(mean of the views, plain, b) (default 0.25)')
      .option('--tta-max', "the maximum over the views instead (fastai's use_max; implies --tta)")
      .option('--tta-seed <n>', 'seed of the augmented views (default 0)');
  }
}

/** The TTA settings the flags ask for, or null for none. */
export function ttaFromFlags(f: TtaFlags): TtaConfig | null {
  const on = f.tta || [f.ttaN, f.ttaBeta, f.ttaSeed].some((v) => v !== undefined) || f.ttaMax;
  if (!on) return null;
  const num = (flag: string, v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n))
      throw new UsageError(`${flag}: expected a number, got ${JSON.stringify(v)}`);
    return n;
  };
  return parseTtaConfig({
    ...(f.ttaN !== undefined ? { n: num('--tta-n', f.ttaN) } : {}),
    ...(f.ttaBeta !== undefined ? { beta: num('--tta-beta', f.ttaBeta) } : {}),
    ...(f.ttaSeed !== undefined ? { seed: num('--tta-seed', f.ttaSeed) } : {}),
    ...(f.ttaMax ? { useMax: true } : {}),
  });
}
