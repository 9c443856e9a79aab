import { run } from './program.js';

/** Process entry point (bin/anneal.js). */
export async function main(argv: readonly string[]): Promise<void> {
  process.exitCode = await run(argv);
}
