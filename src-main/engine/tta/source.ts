// Which augmentation the test-time views use: the run's own training augmentation (run.json's
// config.augment, as training drew it), or, for a model dir or export that carries none, the
// training defaults (data/augment/config.ts), which the result then says.
import { DEFAULT_AUGMENT, type AugmentConfig } from '../data/augment/index.js';
import type { RunStore } from '../runs/index.js';
import { parseRunSettings } from '../train/config.js';
import type { TtaConfig } from './config.js';

export interface TtaRun extends TtaConfig {
  augment: AugmentConfig;
  /** Where the augmentation comes from: the run's own config, or the defaults (a model dir, an export). */
  augmentFrom: 'run' | 'default';
}

/** The views' augmentation for a model from `run` (null: a model dir or export). */
export function ttaRun(config: TtaConfig, run: RunStore | null): TtaRun {
  let augment: AugmentConfig | false = false;
  if (run) {
    try {
      augment = parseRunSettings(run.meta.config).augment;
    } catch {
      // A run.json from another version: its model still predicts, with the default views.
      augment = false;
    }
  }
  return augment
    ? { ...config, augment, augmentFrom: 'run' }
    : { ...config, augment: DEFAULT_AUGMENT, augmentFrom: 'default' };
}
