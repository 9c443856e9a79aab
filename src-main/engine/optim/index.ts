// Optimizers over layer groups with torch.optim semantics (SGD, Adam, AdamW, RMSprop).
export { OptimizerConfig, parseOptimizerConfig, weightDecayPerGroup, type OptimizerConfigInput } from './config.js';
export { createOptimizer } from './optimizer.js';
export { paramKind, paramSpecs, variableOf } from './params.js';
export {
  OPTIMIZER_BUFFER_PREFIX,
  OptimizerState,
  SLOT_NAMES,
  parseOptimizerState,
  type EncodedTensor,
  type ParamState,
  type SlotName,
  type StateBuffers,
} from './state.js';
export {
  DECAY_KINDS,
  OPTIMIZER_TYPES,
  type DecayKind,
  type GroupOptimizer,
  type OptimizerType,
  type ParamKind,
  type ParamSpec,
} from './types.js';
