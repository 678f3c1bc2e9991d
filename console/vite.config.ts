// The management console build: a React SPA served by Stepgate under /console/ (see src/web/console/plugin.ts).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // the server's CSP is script-src 'self': no inline scripts, no eval
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    // `npx vite --config console/vite.config.ts` during development: the API and the OP come from a running Stepgate
    proxy: { '/api': 'http://localhost:9443', '/oidc': 'http://localhost:9443', '/.well-known': 'http://localhost:9443', '/console/config.json': 'http://localhost:9443', '/interaction': 'http://localhost:9443', '/assets': 'http://localhost:9443' },
  },
});
