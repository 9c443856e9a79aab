// TTA in words, one phrasing for the CLI, the model card and the Evaluate screen. No imports
// beyond types: the renderer uses it (engine/browser.ts).
import type { TtaConfig } from './config.js';

export interface TtaDescribed extends TtaConfig {
  augmentFrom: 'run' | 'default';
}

/** "the plain view and 4 views of the run's training augmentation, combined as fastai's tta (beta 0.25, seed 0)" */
export function describeTta(t: TtaDescribed): string {
  const views = `${t.n} view${t.n === 1 ? '' : 's'} of ${t.augmentFrom === 'run' ? "the run's training augmentation" : 'the default training augmentation'}`;
  const how = t.useMax ? 'the element-wise maximum' : `beta ${t.beta}`;
  return `the plain view and ${views}, combined as fastai's tta (${how}, seed ${t.seed})`;
}
