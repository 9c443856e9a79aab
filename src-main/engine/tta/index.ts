// Test-time augmentation (fastai's Learner.tta): settings, the combination of views, and the
// augmentation the views use. Evaluation and prediction run the views (evaluate/, predict/).
export { DEFAULT_TTA, parseTtaConfig, TtaConfig, type TtaConfigInput } from './config.js';
export { combineTta, lerp } from './combine.js';
export { ttaRun, type TtaRun } from './source.js';
export { describeTta, type TtaDescribed } from './describe.js';
