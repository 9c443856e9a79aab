// `anneal doctor`: what this machine can run, and what is missing with how to add it.
import type { Command } from 'commander';
import { detectNativeComponents } from '../../engine/index.js';
import type { Io } from '../options.js';

export function registerDoctor(program: Command, io: Io): void {
  program
    .command('doctor')
    .description('report the optional native components (GPU engine, desktop binary) and what is missing')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const components = detectNativeComponents();
      if (opts.json) {
        io.stdout(`${JSON.stringify({ components }, null, 2)}\n`);
        return;
      }
      for (const c of components) {
        io.stdout(`${c.available ? 'ok     ' : 'missing'}  ${c.name}: ${c.purpose}\n         ${c.detail}\n`);
        if (!c.available) io.stdout(`         to add it: ${c.howToAdd}\n`);
      }
    });
}
