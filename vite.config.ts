import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The renderer: one build serves Electron (file://, hence relative paths) and web mode.
export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../../out/renderer',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    // Rolldown's profile of slow plugin callbacks is for plugin authors: on a busy two-core machine
    // Svelte's compiler took most of a 5 s build, and every `npm start` ended in that warning.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
