// `anneal control <runDir> pause|resume|stop|lr`: steer a running job from another terminal.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { sendControl, type ControlCommand } from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { positiveNumber, type Io } from '../options.js';

export function registerControl(program: Command, io: Io): void {
  program
    .command('control')
    .description('pause, resume or stop a running training job, or change its learning rate (recorded in events.jsonl)')
    .argument('<runDir>', 'the run folder of the job (runs/<id>)')
    .argument('<action>', 'pause, resume, stop or lr')
    .option('--scale <k>', "lr: multiply every group's rate by k from now on", positiveNumber('--scale'))
    .option('--to <rate>', "lr: scale the rates so the head's becomes this", positiveNumber('--to'))
    .option('--reason <text>', 'stop: why (recorded)')
    .action((runDir: string, action: string, o: { scale?: number; to?: number; reason?: string }) => {
      if (!existsSync(join(runDir, 'run.json'))) throw new UsageError(`${runDir} is not a run folder (no run.json)`);
      let command: ControlCommand;
      if (action === 'pause' || action === 'resume') command = { action };
      else if (action === 'stop') command = { action, ...(o.reason ? { reason: o.reason } : {}) };
      else if (action === 'lr') {
        if ((o.scale === undefined) === (o.to === undefined))
          throw new UsageError('lr needs exactly one of --scale and --to');
        command = { action, ...(o.scale !== undefined ? { scale: o.scale } : { to: o.to! }) };
      } else throw new UsageError(`unknown action "${action}" (expected pause, resume, stop or lr)`);
      sendControl(runDir, command);
      io.stdout(`sent ${action} to ${runDir}; the job applies it before its next step\n`);
    });
}
