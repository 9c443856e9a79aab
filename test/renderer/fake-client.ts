// A client whose replies the test scripts, and whose events the test fires.
import type { JobInfo } from '../../src-main/contract/index.js';
import type { Progress } from '../../src-main/engine/browser.js';
import { Client, type CallResult, type Transport } from '../../src-renderer/lib/client/index.js';

/** A training job as the manager reports it. */
export const fakeJob = (state: JobInfo['state'], over: Partial<JobInfo> = {}): JobInfo => ({
  id: 'j1',
  kind: 'train',
  state,
  runDir: null,
  backend: null,
  device: null,
  error: null,
  started: '2026-01-01T00:00:00Z',
  ...over,
});

/** A step event of a 2-epoch, 10-steps-per-epoch run over two layer groups. */
export const fakeStep = (s: number, over: Partial<Progress> = {}): Progress => ({
  kind: 'step',
  epoch: Math.floor(s / 10),
  stage: 0,
  stageName: 'frozen',
  step: s,
  epochStep: (s % 10) + 1,
  stepsPerEpoch: 10,
  epochs: 2,
  lr: [1e-4, 1e-3],
  momentum: 0.9,
  loss: 1 / (s + 1),
  imagesPerSecond: 50,
  updateRatio: null,
  ...over,
});

export function fakeClient(reply: (channel: string, payload: unknown) => unknown) {
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const calls: { channel: string; payload: unknown }[] = [];
  const transport: Transport = {
    call: async (channel, payload): Promise<CallResult> => {
      calls.push({ channel, payload });
      try {
        return { ok: true, result: await reply(channel, payload) };
      } catch (e) {
        return { ok: false, error: (e as Error).message, kind: 'usage' };
      }
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { client: new Client(transport), calls, emit: (e: string, p: unknown) => listeners.forEach((l) => l(e, p)) };
}
