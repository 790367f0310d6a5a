import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = (path: string) => decodeURIComponent(new URL(path, import.meta.url).pathname);

/** The browser app, built into dist/web, which the service serves at `/` (see docs/browser-app.md). */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // The service's CSP allows no inline script or style: everything goes into files under /assets.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
    // ECharts (about 515 KB, 175 KB gzipped) is its own chunk, loaded only by the statistics page.
    chunkSizeWarningLimit: 600,
  },
});
