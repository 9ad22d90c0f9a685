import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The renderer: one build serves Electron (file://, hence relative paths) and web mode.
export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [svelte()],
  build: { outDir: '../../out/renderer', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
});
