// Progressive resizing in the plan: stages[].imageSize, where the size changes (the schedule
// preview's and the charts' markers), and --stage-sizes applied to stages or a fine_tune recipe.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  fineTuneStages,
  FineTuneRecipe,
  parseScheduleFile,
  parseStageSizes,
  previewSchedule,
  sizeChanges,
  stageSizes,
  withStageSizes,
} from '../../../src-main/engine/schedules/index.js';

const oneCycle = { type: 'oneCycle', maxLr: 1e-3 };
const stages = (...sizes: (number | undefined)[]) => ({
  stages: sizes.map((imageSize, i) => ({
    epochs: i + 1,
    schedule: oneCycle,
    ...(imageSize === undefined ? {} : { imageSize }),
  })),
});

const refused = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('stages[].imageSize', () => {
  it('is read into the plan, and a stage without one takes the fallback', () => {
    const plan = parseScheduleFile(stages(32, undefined, 64));
    expect(plan.stages.map((s) => s.imageSize)).toEqual([32, undefined, 64]);
    expect(stageSizes(plan, 48)).toEqual([32, 48, 64]);
  });

  it.each([
    [40.5, /int/],
    [0, />0|> 0|too small/],
    [5000, /4096/],
    ['64', /number/],
  ])('refuses %s, naming the stage', (bad, reason) => {
    const e = refused(() => parseScheduleFile(stages(32, bad as number)));
    expect(e.field).toBe('stages[1].imageSize');
    expect(e.message).toMatch(reason);
  });

  it('leaves the preview as the contract has it (no new keys)', () => {
    const p = previewSchedule(parseScheduleFile(stages(32, 48)), { stepsPerEpoch: 4 });
    expect(Object.keys(p).sort()).toEqual(['epoch', 'lr', 'momentum', 'step']);
    expect(p.step).toHaveLength(12);
  });
});

describe('sizeChanges', () => {
  it('marks the first stage and each change of size, at the first step of the stage', () => {
    expect(sizeChanges(parseScheduleFile(stages(32, 32, 64)), { stepsPerEpoch: 10 })).toEqual([
      { stage: 0, epoch: 0, step: 0, size: 32 },
      { stage: 2, epoch: 3, step: 30, size: 64 },
    ]);
  });

  it('gives a stage without a size the fallback, or null (the run’s own) without one', () => {
    const plan = parseScheduleFile(stages(undefined, 64));
    expect(sizeChanges(plan, { stepsPerEpoch: 5 }).map((c) => c.size)).toEqual([null, 64]);
    expect(sizeChanges(plan, { stepsPerEpoch: 5, fallback: 64 })).toEqual([]);
  });

  it('is empty when every stage trains at one size', () => {
    expect(sizeChanges(parseScheduleFile(stages(48, 48)), { stepsPerEpoch: 5 })).toEqual([]);
    expect(sizeChanges(parseScheduleFile({ schedule: oneCycle }), { stepsPerEpoch: 5 })).toEqual([]);
  });
});

describe('--stage-sizes', () => {
  it('parses a list of whole pixel counts', () => {
    expect(parseStageSizes('128,224')).toEqual([128, 224]);
    expect(parseStageSizes(' 32, 48 ')).toEqual([32, 48]);
  });

  it.each(['', '32,abc', '32,4.5', '0', '9000'])('refuses "%s", naming the field', (text) => {
    expect(refused(() => parseStageSizes(text)).field).toBe('stageSizes');
  });

  it('sizes the stages of a config', () => {
    const out = withStageSizes({ data: 'd', ...stages(undefined, undefined) }, [32, 48]);
    expect(out.data).toBe('d');
    expect(parseScheduleFile(out).stages.map((s) => s.imageSize)).toEqual([32, 48]);
  });

  it('writes a fine_tune recipe out as its two stages (fastai fine_tune), each with its size', () => {
    const recipe = { type: 'fineTune', epochs: 3, freezeEpochs: 1, baseLr: 1e-3 };
    const out = withStageSizes({ recipe }, [32, 48]);
    expect(out.recipe).toBeUndefined();
    const plan = parseScheduleFile(out);
    const expected = fineTuneStages(FineTuneRecipe.parse(recipe));
    expect(plan.stages.map((s) => [s.name, s.epochs, s.freeze, s.schedule, s.imageSize])).toEqual(
      expected.map((s, i) => [s.name, s.epochs, s.freeze, s.schedule, [32, 48][i]]),
    );
  });

  it('refuses a count that differs from the stages, and a lone schedule', () => {
    expect(refused(() => withStageSizes({ recipe: { type: 'fineTune', epochs: 2 } }, [32])).message).toMatch(
      /1 size for 2 stages/,
    );
    expect(refused(() => withStageSizes(stages(1, 2, 3), [32, 48])).field).toBe('stageSizes');
    expect(refused(() => withStageSizes({ schedule: oneCycle }, [32])).message).toMatch(/set imageSize/);
    expect(refused(() => withStageSizes({}, [32])).field).toBe('stageSizes');
  });
});
