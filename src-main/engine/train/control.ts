// Control of a running job: pause, resume, stop, and a rate change (seed 001 stopped with Ctrl+C,
// changed the rate and went on; here that is one command, recorded in events.jsonl). Commands are
// lines appended to <run>/control.jsonl (by `anneal control`, or the desktop app), read before
// every step, so any process can steer a run without sharing memory with it.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStore } from '../runs/index.js';
import { Callback, type TrainState } from './callbacks.js';
import { ControlCommand } from './control-command.js';

export { ControlCommand };

export const CONTROL_FILE = 'control.jsonl';

/** Appends a command for a run (one line, one write: a reader never sees half of it). */
export function sendControl(runDir: string, command: ControlCommand): void {
  const parsed = ControlCommand.parse(command);
  appendFileSync(join(runDir, CONTROL_FILE), `${JSON.stringify({ ...parsed, time: new Date().toISOString() })}\n`);
}

export class RunControl extends Callback {
  #consumed = 0;
  #paused = false;
  readonly #file: string;

  constructor(
    private readonly store: RunStore,
    private readonly pollMs = 250,
  ) {
    super();
    this.#file = join(store.dir, CONTROL_FILE);
    // Commands from before this process started (a resumed run) have had their effect already.
    this.#consumed = this.#read().length;
  }

  #read(): unknown[] {
    if (!existsSync(this.#file)) return [];
    return readFileSync(this.#file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as unknown];
        } catch {
          return []; // a line still being written
        }
      });
  }

  #apply(s: TrainState, c: ControlCommand): void {
    if (c.action === 'pause' && !this.#paused) {
      this.#paused = true;
      this.store.appendEvent('pause', { step: s.step, epoch: s.epoch });
    } else if (c.action === 'resume' && this.#paused) {
      this.#paused = false;
      this.store.appendEvent('resume', { step: s.step, epoch: s.epoch });
    } else if (c.action === 'stop') {
      this.#paused = false;
      s.stopRequested = true;
      s.stopReason ??= { kind: 'requested', message: c.reason ?? 'stopped by request' };
      this.store.appendEvent('stop', { step: s.step, epoch: s.epoch, reason: s.stopReason.message, requested: true });
    } else if (c.action === 'lr') {
      const head = s.lr.at(-1);
      const factor = c.to !== undefined && head ? c.to / (head * s.lrScale) : (c.scale ?? 1);
      const from = s.lrScale;
      s.lrScale *= factor;
      this.store.appendEvent('lr-change', { step: s.step, epoch: s.epoch, scaleFrom: from, scaleTo: s.lrScale, ...c });
    }
  }

  #poll(s: TrainState): void {
    const lines = this.#read();
    for (; this.#consumed < lines.length; this.#consumed++) {
      // Each line is a command plus the time sendControl stamped on it.
      const command = { ...(lines[this.#consumed] as Record<string, unknown>) };
      delete command.time;
      const parsed = ControlCommand.safeParse(command);
      if (parsed.success) this.#apply(s, parsed.data);
      else
        this.store.appendEvent('error', {
          message: `ignored a malformed control command: ${JSON.stringify(lines[this.#consumed])}`,
        });
    }
  }

  /** Runs after the schedule callback, so that a rate change can see the scheduled rates. */
  override async onBatchBegin(s: TrainState): Promise<void> {
    this.#poll(s);
    while (this.#paused && !s.stopRequested) {
      await new Promise((r) => setTimeout(r, this.pollMs));
      this.#poll(s);
    }
  }
}
