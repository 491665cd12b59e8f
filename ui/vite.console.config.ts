import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

// The owner's console (console.html → src/console/), built apart from the store's UI into
// dist-console/, which `kidyboard-cloud serve --console-dir` serves. The cloud answers index.html
// for every page, so the built console.html is renamed to it. `npm run dev -- --config
// vite.console.config.ts` proxies /api to a cloud started by hand (KIDYBOARD_CLOUD).
const cloud = process.env.KIDYBOARD_CLOUD ?? 'http://127.0.0.1:8090';
const outDir = 'dist-console';

function indexHtml(): Plugin {
  return {
    name: 'kidyboard-console-index',
    apply: 'build',
    closeBundle() {
      renameSync(join(outDir, 'console.html'), join(outDir, 'index.html'));
    },
  };
}

export default defineConfig({
  plugins: [svelte(), indexHtml()],
  publicDir: false,
  build: { target: 'es2022', sourcemap: false, outDir, emptyOutDir: true, rollupOptions: { input: 'console.html' } },
  server: { proxy: { '/api': { target: cloud } } },
});
