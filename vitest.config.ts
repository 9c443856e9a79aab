import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles runes in src-renderer's .svelte.ts state classes for their tests.
  plugins: [svelte()],
  test: {
    include: ['test/**/*.test.ts'],
    // A temporary root per test file, removed after it (test/setup/temp-root.ts).
    setupFiles: ['test/setup/temp-root.ts'],
    testTimeout: 60_000,
    // Some suites build and import full-size models in beforeAll; with the end-to-end tests
    // training beside them on 2 cores, 10 s (vitest's default) is too little. It only catches hangs.
    hookTimeout: 120_000,
    // 2 cores here; the CLI tests spawn processes.
    pool: 'forks',
  },
});
