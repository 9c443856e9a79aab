// The `anneal` command line: a thin adapter that parses arguments and calls the engine.
import { enableProdMode } from '@tensorflow/tfjs-core';
import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerControl } from './commands/control.js';
import { registerData } from './commands/data.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEval } from './commands/eval.js';
import { registerExplain } from './commands/explain.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerLrFind } from './commands/lr-find.js';
import { registerModels } from './commands/models.js';
import { registerPredict } from './commands/predict.js';
import { registerRuns } from './commands/runs.js';
import { registerSchedule } from './commands/schedule.js';
import { registerServe } from './commands/serve.js';
import { registerSweep } from './commands/sweep.js';
import { registerTrain } from './commands/train.js';
import { isInputError } from '../engine/errors.js';
import { describeInputError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './errors.js';
import { escapingIo } from './escape.js';
import { processIo, type Io } from './options.js';
import { addThreadsOption } from './threads.js';
import { addTtaOptions } from './tta-options.js';

declare const ANNEAL_VERSION: string | undefined;

const VERSION = typeof ANNEAL_VERSION === 'string' ? ANNEAL_VERSION : '0.1.0';

export function buildProgram(io: Io): Command {
  const program = new Command('anneal')
    .description('Fine-tune pretrained image classifiers on your own image folders, offline.')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // One line: commander's "error: …" becomes "anneal: …".
      outputError: (s, write) =>
        write(
          `anneal: ${s
            .replace(/^error: /, '')
            .trim()
            .replace(/\n+/g, ' ')}\n`,
        ),
    });
  registerSchedule(program, io);
  registerDoctor(program, io);
  registerModels(program, io);
  registerImport(program, io);
  registerPredict(program, io);
  registerData(program, io);
  registerTrain(program, io);
  registerLrFind(program, io);
  registerControl(program, io);
  registerDemo(program, io);
  registerEval(program, io);
  registerExport(program, io);
  registerRuns(program, io);
  registerBench(program, io);
  registerServe(program, io, VERSION);
  registerSweep(program, io);
  registerExplain(program, io);
  addThreadsOption(program);
  addTtaOptions(program);
  // Every subcommand inherits the same error handling.
  const inherit = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput(program.configureOutput());
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function run(argv: readonly string[], rawIo: Io = processIo): Promise<number> {
  // Production mode: no debug checks, and no "install tfjs-node" banner on every CPU run.
  enableProdMode();
  const io = escapingIo(rawIo);
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        return EXIT_OK;
      }
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (isInputError(e)) {
      io.stderr(`anneal: ${describeInputError(e)}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`anneal: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.ANNEAL_DEBUG && e instanceof Error) io.stderr(`${e.stack}\n`);
    return EXIT_FAILURE;
  }
}
