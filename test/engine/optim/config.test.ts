// The optimizer config: type-dependent defaults (torch.optim's where torch has one), and every
// refusal names its field.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/engine/schedules/index.js';
import { parseOptimizerConfig, weightDecayPerGroup } from '../../../src-main/engine/optim/index.js';

const refusal = (input: unknown): ConfigError => {
  try {
    parseOptimizerConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`);
};

describe('defaults', () => {
  it('an empty config is AdamW with decoupled weight decay 0.01', () => {
    expect(parseOptimizerConfig({})).toEqual({
      type: 'adamw',
      momentum: 0,
      nesterov: false,
      betas: [0.9, 0.999],
      eps: 1e-8,
      alpha: 0.99,
      weightDecay: 0.01,
      decay: 'decoupled',
      noDecayOnNormAndBias: true,
      biasLrMult: 1,
    });
  });
  it('sgd: momentum 0.9, L2 decay 0', () => {
    expect(parseOptimizerConfig({ type: 'sgd' })).toMatchObject({ momentum: 0.9, weightDecay: 0, decay: 'l2' });
  });
  it('rmsprop: momentum 0, alpha 0.99, L2 decay 0', () => {
    expect(parseOptimizerConfig({ type: 'rmsprop' })).toMatchObject({ momentum: 0, alpha: 0.99, decay: 'l2' });
  });
  it('adam: L2 decay 0', () => {
    expect(parseOptimizerConfig({ type: 'adam' })).toMatchObject({ weightDecay: 0, decay: 'l2' });
  });
  it.each([{}, { type: 'sgd', nesterov: true }, { type: 'rmsprop', weightDecay: [0, 1e-4] }, { type: 'adam' }])(
    'parsing a resolved config gives it back (%j)',
    (input) => {
      const once = parseOptimizerConfig(input);
      expect(parseOptimizerConfig(JSON.parse(JSON.stringify(once)))).toEqual(once);
    },
  );
});

describe('refusals name the field', () => {
  it.each([
    [{ type: 'lion' }, /^type: must be one of "sgd", "adam", "adamw", "rmsprop"/],
    [{ type: 'adamw', decay: 'l2' }, /^decay: adamw decouples weight decay/],
    [{ type: 'adamw', decay: 'l1' }, /^decay: /],
    [{ decay: 'l3' }, /^decay: must be one of/],
    [{ type: 'sgd', momentum: 1 }, /^momentum: must be in \[0, 1\)/],
    [{ type: 'sgd', momentum: -0.1 }, /^momentum: /],
    [{ type: 'sgd', momentum: 0, nesterov: true }, /^nesterov: Nesterov momentum needs momentum > 0/],
    [{ type: 'adam', nesterov: true }, /^nesterov: is an SGD option/],
    [{ type: 'adam', momentum: 0.9 }, /^momentum: adam has no momentum field: set betas\[0\]/],
    [{ betas: [0.9, 1] }, /^betas\[1\]: must be in \[0, 1\)/],
    [{ betas: [0.9] }, /^betas/],
    [{ eps: 0 }, /^eps: must be > 0/],
    [{ type: 'rmsprop', alpha: 1.5 }, /^alpha: must be in \[0, 1\)/],
    [{ weightDecay: -1 }, /^weightDecay: must be >= 0/],
    [{ weightDecay: [0.1, -1] }, /^weightDecay\[1\]: must be >= 0/],
    [{ weightDecay: [] }, /^weightDecay: /],
    [{ biasLrMult: -2 }, /^biasLrMult: must be >= 0/],
    [{ noDecayOnNormAndBias: 'yes' }, /^noDecayOnNormAndBias: expected boolean/],
    [{ lr: 0.1 }, /unknown field "lr"/],
  ])('%j', (input, message) => {
    expect(refusal(input).message).toMatch(message);
  });

  it('a prefix is put in front of the field', () => {
    expect(() => parseOptimizerConfig({ eps: -1 }, 'optimizer')).toThrow(/^optimizer\.eps: /);
  });
  it('weightDecay needs one value per layer group', () => {
    const c = parseOptimizerConfig({ weightDecay: [0.1, 0.2] });
    expect(weightDecayPerGroup(c, 2)).toEqual([0.1, 0.2]);
    expect(() => weightDecayPerGroup(c, 3)).toThrow(
      /^weightDecay: has 2 per-group values but the model has 3 layer groups/,
    );
    expect(weightDecayPerGroup(parseOptimizerConfig({ weightDecay: 0.3 }), 3)).toEqual([0.3, 0.3, 0.3]);
  });
});
