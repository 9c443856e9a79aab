// Builds the renderer (src-renderer) into dist/renderer, served by `anneal serve` and loaded by
// the Electron shell. Relative asset paths, so the same build works over http:// and app://.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src-renderer', import.meta.url)),
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // uPlot and Svelte together are ~150 kB; no need to split for a local app.
    chunkSizeWarningLimit: 1500,
  },
});
