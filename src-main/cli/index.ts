// The `anneal` command line.
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
export { main } from './main.js';
export { processIo, type Io } from './options.js';
export { buildProgram, run } from './program.js';
