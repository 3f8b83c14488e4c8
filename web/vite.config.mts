/**
 * The web app's build (`npm run build:web` = `vite build web`, output web/dist, served by the API: api/app.ts).
 * `npm run web:dev` serves it with hot reload on :5173 and forwards /api to the API on :3000.
 *
 * No @vitejs/plugin-react: Vite 8 compiles TSX with Oxc (tsconfig's `jsx: react-jsx`), which is all the production
 * build needs; the plugin's optional Babel peers also do not resolve beside jest's Babel 7 in one npm tree.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP allows scripts from this origin only: no inline script, no eval (Vite emits neither).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
    rolldownOptions: {
      // antd's modules start with "use client" (for React Server Components); meaningless in a browser bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: { port: 5173, proxy: { '/api': 'http://127.0.0.1:3000' } },
});
