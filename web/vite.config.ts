import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Two single-page apps from one source tree: the citizen app (index.html, served at /) and the
 * officer console (officer/index.html, at /officer/), sharing web/src/shared. The platform serves
 * web/dist (src/http/web.ts), building it at start-up when stale; `npm run build:web` by hand.
 */
const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: {
        citizen: path.join(root, 'index.html'),
        officer: path.join(root, 'officer/index.html'),
      },
    },
  },
});
