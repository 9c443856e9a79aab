#!/usr/bin/env node
// The `anneal` command. The CLI is TypeScript run through tsx, so what runs is always the source
// in this checkout (no stale build).
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('../src-main/cli/main.ts', import.meta.url);
await main(process.argv.slice(2));
