import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { manifestFile, manifestFor, PAGES } from './src/lib/manifest.ts';

// During `npm run dev` the API and live feed are proxied to a hub started by hand
// (KIDYBOARD_HUB=http://127.0.0.1:PORT), so the page keeps the same-origin URLs it has in production.
const hub = process.env.KIDYBOARD_HUB ?? 'http://127.0.0.1:8080';

/** The web app manifests (src/lib/manifest.ts), one a page: written into the build, served in dev. */
function manifests(): Plugin {
  const files = new Map([null, ...PAGES].map((page) => [`/${manifestFile(page)}`, JSON.stringify(manifestFor(page), null, 2)]));
  return {
    name: 'kidyboard-manifests',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const body = files.get((req.url ?? '').split('?')[0] ?? '');
        if (body === undefined) return next();
        res.setHeader('content-type', 'application/manifest+json');
        res.end(body);
      });
    },
    generateBundle() {
      for (const [path, source] of files) this.emitFile({ type: 'asset', fileName: path.slice(1), source });
    },
  };
}

export default defineConfig({
  plugins: [svelte(), manifests()],
  build: { target: 'es2022', sourcemap: false },
  server: { proxy: { '/api': { target: hub, ws: true } } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
