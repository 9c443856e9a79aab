// The augmentation config: defaults, `false` blocks, and refusals that name the field.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUGMENT,
  augmentWithSeed,
  parseAugmentConfig,
} from '../../../../src-main/engine/data/augment/index.js';
import { ConfigError } from '../../../../src-main/engine/schedules/index.js';
import { pattern } from './reference.js';

describe('AugmentConfig', () => {
  it('defaults to RandomResizedCrop at the fastai fine-tuning scale (0.35–1) + flip and a mild colour jitter', () => {
    expect(parseAugmentConfig({})).toEqual({
      randomResizedCrop: { scale: [0.35, 1], ratio: [3 / 4, 4 / 3] },
      hflip: 0.5,
      vflip: 0,
      rotate: 0,
      colorJitter: { brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0 },
      interpolation: 'bilinear',
    });
    expect(DEFAULT_AUGMENT).toEqual(parseAugmentConfig({}));
  });

  it('takes false for every block, and fills the fields a block leaves out', () => {
    const c = parseAugmentConfig({ randomResizedCrop: false, hflip: false, colorJitter: { hue: 0.1 } });
    expect(c.randomResizedCrop).toBe(false);
    expect(c.hflip).toBe(false);
    expect(c.colorJitter).toEqual({ brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.1 });
    expect(parseAugmentConfig({ randomResizedCrop: { scale: [0.5, 1] } }).randomResizedCrop).toEqual({
      scale: [0.5, 1],
      ratio: [3 / 4, 4 / 3],
    });
  });

  it('parses its own output unchanged', () => {
    const c = parseAugmentConfig({ rotate: [-5, 20], colorJitter: { contrast: [0.5, 1.5] } });
    expect(parseAugmentConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it.each([
    [{ hflip: 2 }, 'hflip: must be a probability between 0 and 1'],
    [{ hflip: 'yes' }, 'hflip: expected a probability between 0 and 1, or false, got "yes"'],
    [{ vflip: -0.1 }, 'vflip: must be a probability between 0 and 1'],
    [{ rotate: 200 }, 'rotate: must be between 0 and 180 degrees'],
    [{ rotate: [10, 5] }, 'rotate[1]: must be >= the lower bound 10'],
    [{ rotate: true }, 'rotate: expected degrees d (for an angle in [-d, d]), [lo, hi], or false, got true'],
    [{ randomResizedCrop: { scale: [0, 1] } }, 'randomResizedCrop.scale[0]: must be in (0, 1]'],
    [{ randomResizedCrop: { scale: [0.5, 0.2] } }, 'randomResizedCrop.scale[1]: must be >= the lower bound 0.5'],
    [{ randomResizedCrop: { ratio: [1] } }, 'randomResizedCrop.ratio: expected [lo, hi], got [1]'],
    [{ randomResizedCrop: { size: 3 } }, 'randomResizedCrop: unknown field "size" (known: scale, ratio)'],
    [
      { randomResizedCrop: true },
      'randomResizedCrop: expected an object {"scale": [lo, hi], "ratio": [lo, hi]} or false, got true',
    ],
    [{ colorJitter: { hue: 0.7 } }, 'colorJitter.hue: must be between 0 and 0.5'],
    [{ colorJitter: { hue: [0.1, -0.1] } }, 'colorJitter.hue[1]: must be >= the lower bound 0.1'],
    [{ colorJitter: { brightness: -1 } }, 'colorJitter.brightness: must be >= 0'],
    [{ colorJitter: { brightnes: 0.2 } }, 'colorJitter: unknown field "brightnes" (did you mean "brightness"?)'],
    [{ interpolation: 'nearest' }, 'interpolation: must be one of "bilinear", "bicubic"'],
    [{ flip: 0.5 }, 'unknown field "flip" (did you mean "hflip"?)'],
    [[], 'expected a JSON object of augmentation settings'],
  ])('refuses %j: %s', (input, message) => {
    let error: unknown;
    try {
      parseAugmentConfig(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(message);
  });

  it('names the field inside a bigger file', () => {
    expect(() => parseAugmentConfig({ hflip: 2 }, 'augment')).toThrow('augment.hflip: must be a probability');
    expect(() => parseAugmentConfig(3, 'augment')).toThrow('augment: expected a JSON object of augmentation settings');
  });

  it('refuses a bad config in a worker too, naming the field', () => {
    expect(() => augmentWithSeed(pattern(8, 8), { colorJitter: { hue: 1 } }, 8, 0)).toThrow(/^colorJitter\.hue: /);
  });
});
