// Builds the UI into packages/web/dist, which `sluice server` serves on its UI port.
// During development, `vite` proxies /api to a running server (SLUICE_API, default 127.0.0.1:5601).
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No source maps in dist: they would be served and weighed as part of the bundle.
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/api': process.env.SLUICE_API ?? 'http://127.0.0.1:5601' },
  },
})
