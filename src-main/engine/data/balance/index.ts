// Class imbalance: loss weights per class and a class-balanced epoch sampler.
export { BalanceConfig, CLASS_WEIGHTS, DEFAULT_BALANCE, DEFAULT_BETA, SAMPLERS, parseBalanceConfig } from './config.js';
export { balancedIndices, epochOrder, shuffledIndices } from './sampler.js';
export { classCounts, classWeights, effectiveNumberWeights, inverseFrequencyWeights } from './weights.js';
