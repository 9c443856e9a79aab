// `anneal sweep`: a hyperparameter search (docs/sweeps.md). The engine draws and writes the trials,
// then one of three executors runs them: this machine (a queue of `anneal train` processes), a
// Slurm job array, or a Kubernetes Indexed Job. `sweep status` and `sweep show` read the folders.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import {
  createSweep,
  onPath,
  readSweepMeta,
  resolveSweepDir,
  runLocal,
  sbatchCommand,
  SLURM_FILES,
  slurmStatus,
  submitSbatch,
  sweepResults,
  trialStatus,
  writeK8sManifests,
  writeSbatch,
  type LocalEvent,
  type SweepResults,
} from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { readJsonFile } from '../io.js';
import { positiveInt, type Io } from '../options.js';

const EXECUTORS = ['local', 'slurm', 'k8s'] as const;
type Executor = (typeof EXECUTORS)[number];

interface SweepFlags {
  config: string;
  trials?: number;
  executor: Executor;
  concurrency?: number;
  data?: string;
  out: string;
  submit: boolean;
  anneal?: string;
  partition?: string;
  gpus?: number;
  cpusPerTask?: number;
  time?: string;
  image: string;
  dataClaim?: string;
  storage?: string;
  json?: boolean;
}

/** How a trial process (or a compute node) runs Anneal: this checkout's bin/anneal.js under this node. */
function annealCommand(flag?: string): string[] {
  if (flag) return flag.split(/\s+/).filter(Boolean);
  return [process.execPath, fileURLToPath(new URL('../../../bin/anneal.js', import.meta.url))];
}

const fmt = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : JSON.stringify(v));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** The `sweep show` table: best first, one column per parameter. */
export function formatSweep(r: SweepResults): string {
  const names = r.meta.parameters.map((p) => p.path);
  const head = ['rank', 'trial', 'status', 'epochs', r.metric, ...names];
  const rows = r.trials.map((t) => [
    t.rank === null ? '-' : String(t.rank),
    String(t.index),
    t.status,
    String(t.epochs),
    t.value === null ? '-' : t.value.toFixed(4),
    ...names.map((n) => fmt(t.params[n])),
  ]);
  const counts = Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  let out = `sweep ${r.meta.id}: ${r.trials.length} trials (${counts}), ranked by ${r.metric} (${r.mode === 'max' ? 'higher' : 'lower'} is better)\n\n`;
  out += table([head, ...rows]);
  if (r.best) {
    out += `\nbest: trial ${r.best.index}, ${r.metric} ${r.best.value.toFixed(4)}. Its run config (anneal train --config best.json):\n`;
    out += `${JSON.stringify(r.best.config, null, 2)}\n`;
  }
  return out;
}

function describeEvent(e: LocalEvent): string {
  switch (e.kind) {
    case 'skip':
      return `trial ${e.index}: already ${e.status}, not run again`;
    case 'start':
      return `trial ${e.index}: ${e.resume ? 'resuming its run from its last checkpoint' : 'started'} (pid ${e.pid})`;
    case 'wait':
      return `trial ${e.index}: still running in another process; waiting for it`;
    case 'end':
      return `trial ${e.index}: ${e.status}${e.code !== null && e.code !== 0 ? ` (exit ${e.code}, see its trial.log)` : ''}`;
  }
}

async function runLocally(io: Io, dir: string, anneal: string[], concurrency: number | undefined, json: boolean) {
  const abort = new AbortController();
  let interrupts = 0;
  const onInt = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    io.stderr('anneal: stopping the sweep: running trials checkpoint and stop; `anneal sweep resume` continues it\n');
    abort.abort();
  };
  process.on('SIGINT', onInt);
  try {
    const summary = await runLocal(dir, {
      anneal,
      concurrency,
      signal: abort.signal,
      onEvent: (e) => (json ? io.stdout(`${JSON.stringify(e)}\n`) : io.stderr(`${describeEvent(e)}\n`)),
    });
    const r = sweepResults(dir);
    if (json)
      io.stdout(`${JSON.stringify({ sweepDir: dir, ran: summary.ran, skipped: summary.skipped, counts: r.counts })}\n`);
    else io.stdout(formatSweep(r));
  } finally {
    process.off('SIGINT', onInt);
  }
}

export function registerSweep(program: Command, io: Io): void {
  const sweep = program
    .command('sweep')
    .description('hyperparameter search: trials drawn from a sweep config, run here, on Slurm or on Kubernetes');

  sweep
    .command('run', { isDefault: true })
    .description(
      'draw the trials of a sweep config into sweeps/<id>/ and run them (the default: anneal sweep --config …)',
    )
    .requiredOption('--config <file>', 'sweep config JSON (docs/sweeps.md)')
    .option('--trials <n>', 'how many trials (overrides the config)', positiveInt('--trials'))
    .addOption(new Option('--executor <name>', 'where trials run').choices(EXECUTORS).default('local'))
    .option('--concurrency <k>', 'trials at once (default: the config, else 1)', positiveInt('--concurrency'))
    .option('--data <dir>', 'the dataset (overrides base.data)')
    .option('--out <dir>', 'folder that holds sweeps', 'sweeps')
    .option('--no-submit', 'slurm: write sweep.sbatch but do not call sbatch')
    .option('--anneal <command>', 'slurm/local: how a node runs Anneal (default: this node and checkout)')
    .option('--partition <name>', 'slurm: the partition')
    .option('--gpus <n>', 'slurm/k8s: GPUs per trial', positiveInt('--gpus'))
    .option('--cpus-per-task <n>', 'slurm: CPUs per trial', positiveInt('--cpus-per-task'))
    .option('--time <limit>', 'slurm: wall-clock limit per trial (e.g. 02:00:00)')
    .option('--image <image>', 'k8s: container image with anneal on PATH', 'anneal:latest')
    .option('--data-claim <name>', 'k8s: existing PersistentVolumeClaim holding the dataset (mounted read-only)')
    .option('--storage <size>', 'k8s: size of the sweep folder claim', '20Gi')
    .option('--json', 'print JSON lines (trial events, then a summary)')
    .action(async (flags: SweepFlags) => {
      const config = readJsonFile(flags.config, 'sweep config');
      // Every trial would fail on a missing dataset: say so once, before a sweep folder exists. (A
      // Kubernetes dataset lives in a claim, not necessarily here.)
      const base = (config as { base?: { data?: unknown } } | null)?.base;
      const data = flags.data ?? (typeof base?.data === 'string' ? base.data : undefined);
      if (flags.executor !== 'k8s' && data !== undefined && !existsSync(data)) {
        throw new UsageError(`no dataset ${data} (base.data in ${flags.config}, or --data): no such folder or file`);
      }
      const { dir, meta } = await createSweep(config, { root: flags.out, trials: flags.trials, data: flags.data });
      const say = (s: string) => (flags.json ? io.stderr(s) : io.stdout(s));
      say(
        `sweep ${dir}: ${meta.trials.length} trials written to trials/ (each runs alone with anneal train --config)\n`,
      );
      const anneal = annealCommand(flags.anneal);
      if (flags.executor === 'local') return runLocally(io, dir, anneal, flags.concurrency, Boolean(flags.json));
      if (flags.executor === 'slurm') {
        const script = await writeSbatch(dir, meta, {
          anneal,
          concurrency: flags.concurrency,
          partition: flags.partition,
          gpus: flags.gpus,
          cpusPerTask: flags.cpusPerTask,
          time: flags.time,
        });
        if (flags.submit && onPath('sbatch')) {
          const jobId = await submitSbatch(dir);
          say(`submitted job array ${jobId} (${script}); follow it with: anneal sweep status ${dir}\n`);
          if (flags.json) io.stdout(`${JSON.stringify({ sweepDir: dir, script, jobId })}\n`);
        } else {
          const why = flags.submit ? 'sbatch is not on PATH here' : '--no-submit';
          say(`wrote ${script} (${why}); on the cluster's login node run: ${sbatchCommand(dir)}\n`);
          if (flags.json) io.stdout(`${JSON.stringify({ sweepDir: dir, script, jobId: null })}\n`);
        }
        return;
      }
      const k8s = await writeK8sManifests(dir, meta, {
        image: flags.image,
        parallelism: flags.concurrency,
        gpus: flags.gpus,
        dataClaim: flags.dataClaim,
        storage: flags.storage,
      });
      say(
        `wrote ${join(k8s.dir, 'pvc.json')} and ${join(k8s.dir, 'job.json')} (an Indexed Job of ${meta.trials.length} pods, checked against the batch/v1 Job schema); apply them with: kubectl apply -f ${k8s.dir}\n`,
      );
      if (flags.json) io.stdout(`${JSON.stringify({ sweepDir: dir, manifests: k8s.dir })}\n`);
    });

  sweep
    .command('resume')
    .description('run the unfinished trials of a sweep on this machine (finished ones are not run again)')
    .argument('<sweep>', 'the sweep folder, or its id under --out')
    .option('--out <dir>', 'folder that holds sweeps', 'sweeps')
    .option('--concurrency <k>', 'trials at once (default: the config)', positiveInt('--concurrency'))
    .option('--anneal <command>', 'how to run Anneal (default: this node and checkout)')
    .option('--json', 'print JSON lines')
    .action(async (ref: string, flags: { out: string; concurrency?: number; anneal?: string; json?: boolean }) => {
      const dir = await resolveSweepDir(ref, flags.out);
      await runLocally(io, dir, annealCommand(flags.anneal), flags.concurrency, Boolean(flags.json));
    });

  sweep
    .command('status')
    .description("each trial's state: from its run folder and, for a Slurm sweep, squeue and sacct")
    .argument('<sweep>', 'the sweep folder, or its id under --out')
    .option('--out <dir>', 'folder that holds sweeps', 'sweeps')
    .option('--json', 'print {sweepDir, jobId, trials: [{index, status, epochs, slurm}], counts}')
    .action(async (ref: string, flags: { out: string; json?: boolean }) => {
      const dir = await resolveSweepDir(ref, flags.out);
      const meta = await readSweepMeta(dir);
      const isSlurm = existsSync(join(dir, SLURM_FILES.script));
      const st = isSlurm
        ? slurmStatus(dir, meta)
        : {
            jobId: null,
            notes: [],
            trials: meta.trials.map(({ index }) => {
              const t = trialStatus(dir, index);
              return { index, status: t.status, epochs: t.epochs, slurm: null };
            }),
          };
      const counts: Record<string, number> = {};
      for (const t of st.trials) counts[t.status] = (counts[t.status] ?? 0) + 1;
      if (flags.json) {
        io.stdout(
          `${JSON.stringify({ sweepDir: dir, jobId: st.jobId, trials: st.trials, counts, notes: st.notes })}\n`,
        );
        return;
      }
      const summary = Object.entries(counts)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ');
      io.stdout(`sweep ${meta.id}${st.jobId ? ` (Slurm job ${st.jobId})` : ''}: ${summary}\n`);
      const head = ['trial', 'status', 'epochs', ...(isSlurm ? ['slurm'] : [])];
      const rows = st.trials.map((t) => [
        String(t.index),
        t.status,
        String(t.epochs),
        ...(isSlurm ? [t.slurm ?? '-'] : []),
      ]);
      io.stdout(table([head, ...rows]));
      for (const n of st.notes) io.stderr(`anneal: ${n}\n`);
    });

  sweep
    .command('show')
    .description('the trials ranked by the metric, and the best config as a ready run config')
    .argument('<sweep>', 'the sweep folder, or its id under --out')
    .option('--out <dir>', 'folder that holds sweeps', 'sweeps')
    .option('--json', 'print {id, metric, mode, trials: [{rank, index, status, value, params, runDir, curve}], best}')
    .action(async (ref: string, flags: { out: string; json?: boolean }) => {
      const dir = await resolveSweepDir(ref, flags.out);
      const r = await sweepResults(dir);
      if (!flags.json) {
        io.stdout(formatSweep(r));
        return;
      }
      const { meta, ...rest } = r;
      io.stdout(`${JSON.stringify({ id: meta.id, parameters: meta.parameters, ...rest })}\n`);
    });
}
