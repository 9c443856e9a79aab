// Electron's entry (package.json "main"): the shell is TypeScript run through tsx, as the CLI is
// (bin/anneal.js), so that the engine's relative files (models/, worker bootstraps) stay where
// they are in the source tree.
import { tsImport } from 'tsx/esm/api';

await tsImport('./main.ts', import.meta.url);
