// The console: src/web built into dist/web, which the server serves at /.
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [react()],
  build: { outDir: '../../dist/web', emptyOutDir: true, sourcemap: true },
  // `vite` (dev) proxies the API to a Muster on :3000, so the console can be worked on with reloads.
  server: { proxy: { '/api': 'http://localhost:3000' } },
})
