// Issue 15, item 4 on screen: a training job or an LR range test that waits for the device says
// so, and the training job can be stopped while it waits.
import { describe, expect, it } from 'vitest';
import { LrFindState, TrainSession } from '../../src-renderer/lib/state/index.js';
import { fakeClient, fakeJob } from './fake-client.js';

const job = fakeJob;

describe('TrainSession, queued', () => {
  it('shows the jobs ahead, stays stoppable, and clears the note once it starts', async () => {
    const { client, emit, calls } = fakeClient((channel) =>
      channel === 'train.start' ? job('queued', { ahead: 2 }) : job('stopped'),
    );
    const t = new TrainSession(client);
    await t.start({ data: '/d' });
    expect(t.active).toBe(true);
    expect(t.queueNote).toBe('waiting for the device: 2 training jobs ahead (one trains at a time)');
    emit('job.update', job('queued', { ahead: 1 }));
    expect(t.queueNote).toBe('waiting for the device: 1 training job ahead (one trains at a time)');
    // Queued with none ahead is the moment before it starts: nothing to wait for, no "0 jobs ahead".
    emit('job.update', job('queued', { ahead: 0 }));
    expect(t.queueNote).toBeNull();
    emit('job.update', job('starting', { ahead: null }));
    expect(t.queueNote).toBeNull();
    await t.stop();
    expect(calls.at(-1)).toMatchObject({ channel: 'train.control', payload: { command: { action: 'stop' } } });
    expect(t.active).toBe(false);
  });
});

describe('LrFindState, queued', () => {
  it('says it waits behind training while its call is in flight, and not after', async () => {
    let finish!: (v: unknown) => void;
    const { client, emit } = fakeClient(() => new Promise((r) => (finish = r)));
    const lr = new LrFindState(client);
    const running = lr.run({ data: '/d' });
    await Promise.resolve();
    emit('job.update', job('queued', { kind: 'lrFind', ahead: 1 }));
    expect(lr.queueNote).toBe('waiting for the device: 1 training job ahead (one trains at a time)');
    emit('job.update', job('queued', { kind: 'lrFind', ahead: 0 }));
    expect(lr.queueNote).toBeNull();
    emit('job.update', job('running', { kind: 'lrFind' }));
    expect(lr.queueNote).toBeNull();
    emit('job.update', job('queued', { kind: 'train', ahead: 3 }));
    expect(lr.queueNote).toBeNull();
    finish({ lrs: [], losses: [], suggestions: {}, diverged: false, backend: 'cpu', engine: 'TF.js (cpu)' });
    await running;
    expect(lr.queueNote).toBeNull();
  });
});
