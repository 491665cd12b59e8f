import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// During `npm run dev` the API and live feed are proxied to a hub started by hand
// (KIDYBOARD_HUB=http://127.0.0.1:PORT), so the page keeps the same-origin URLs it has in production.
const hub = process.env.KIDYBOARD_HUB ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte()],
  build: { target: 'es2022', sourcemap: false },
  server: { proxy: { '/api': { target: hub, ws: true } } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
