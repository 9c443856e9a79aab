// Issue 15 item 20 / issue 19 item 5: one notion of "the user's mistake". Every engine input error
// extends InputError; the CLI phrases its field as a flag and exits 2; the service calls it usage.
import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../src-main/contract/index.js';
import { describeInputError, UsageError } from '../../../src-main/cli/errors.js';
import { run } from '../../../src-main/cli/program.js';
import {
  BackendError,
  ConfigError,
  EvalError,
  ExportError,
  ImageError,
  ImportError,
  InputError,
  isInputError,
  ModelDirError,
  OnnxModelError,
  RunStoreError,
  StoreError,
} from '../../../src-main/engine/index.js';
import { WeightFileError } from '../../../src-main/engine/weights/index.js';
import { DataError } from '../../../src-main/engine/data/sources/index.js';
import { JobInputError } from '../../../src-main/jobs/index.js';
import { dispatch } from '../../../src-main/service/index.js';
import type { Handlers } from '../../../src-main/service/index.js';

const EVERY = [
  new ConfigError('schedule.lr', 'must be > 0'),
  new DataError('no such folder'),
  new RunStoreError('not a run'),
  new EvalError('nothing to evaluate'),
  new ExportError('taken'),
  new ImportError('wrong arch'),
  new ModelDirError('no model.json'),
  new ImageError('a.png', 'truncated PNG'),
  new OnnxModelError('not ONNX'),
  new BackendError('no such backend'),
  new StoreError('not in the catalog'),
  new WeightFileError('a.pth', 'truncated pickle'),
  new ContractError('bad message'),
  new JobInputError('no file dialog'),
  new UsageError('--port must be a number'),
];

describe('one InputError base', () => {
  it.each(EVERY.map((e) => [e.name, e] as const))('%s is an InputError', (_name, e) => {
    expect(e).toBeInstanceOf(InputError);
    expect(isInputError(e)).toBe(true);
  });

  it('a plain Error is not the user’s mistake', () => {
    expect(isInputError(new Error('boom'))).toBe(false);
    expect(isInputError(new TypeError('x is undefined'))).toBe(false);
  });

  it('engine messages name the field; the CLI names the flag', () => {
    const missing = new EvalError('models/m is a model dir: evaluating it needs a folder of images', {
      kind: 'missing',
      field: 'data',
    });
    expect(missing.message).toBe('models/m is a model dir: evaluating it needs a folder of images (give data)');
    expect(missing.message).not.toMatch(/--/);
    expect(describeInputError(missing)).toBe(
      'models/m is a model dir: evaluating it needs a folder of images (give --data)',
    );
    const bad = new ExportError('"junk": expected best, last, an epoch number or epoch-NNNN', { field: 'checkpoint' });
    expect(bad.message).toBe('checkpoint: "junk": expected best, last, an epoch number or epoch-NNNN');
    expect(describeInputError(bad)).toBe('--checkpoint: "junk": expected best, last, an epoch number or epoch-NNNN');
    // A config path with no flag is named as written in the config.
    expect(describeInputError(new ConfigError('schedule.inner.lr', 'must be > 0'))).toBe(
      'schedule.inner.lr: must be > 0',
    );
    // A file's path leads the message; the reason stays without it.
    const w = new WeightFileError('a.pth', 'truncated pickle');
    expect([w.message, w.reason, w.path]).toEqual(['a.pth: truncated pickle', 'truncated pickle', 'a.pth']);
  });
});

describe('the service and the CLI ask the same question', () => {
  // Before: the dispatch's own list left out BackendError, ExportError and OnnxModelError.
  it.each([new BackendError('no wasm'), new ExportError('taken'), new OnnxModelError('not ONNX'), new StoreError('x')])(
    'the service reports %s as usage',
    async (error) => {
      const handlers = new Proxy({} as Handlers, {
        get: () => () => Promise.reject(error),
      });
      const out = await dispatch(handlers, 'models.list', {});
      expect(out).toEqual({ ok: false, error: error.message, kind: 'usage' });
    },
  );

  it('anything else is a failure', async () => {
    const handlers = new Proxy({} as Handlers, { get: () => () => Promise.reject(new Error('disk on fire')) });
    expect(await dispatch(handlers, 'models.list', {})).toEqual({ ok: false, error: 'disk on fire', kind: 'failure' });
  });

  it('the CLI exits 2 on an engine InputError it does not catch itself (an unknown bench model)', async () => {
    let err = '';
    const code = await run(['bench', '--model', 'resnet_nope'], { stdout: () => {}, stderr: (s) => (err += s) });
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^anneal: unknown architecture "resnet_nope"/);
  });
});
