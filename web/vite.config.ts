import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/web', import.meta.url));
// The platform's HTTP port during `npm run dev:web` (the dev server proxies the API and the hub to it).
const platform = `http://127.0.0.1:${process.env['PORT'] ?? '8080'}`;

const COMPRESSIBLE = /\.(js|css|html|svg|webmanifest|json)$/;

/** Writes `.br` and `.gz` beside each text file; the gateway serves them (@fastify/static preCompressed). */
function precompress(): Plugin {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  return {
    name: 'indexflow-precompress',
    apply: 'build',
    closeBundle() {
      for (const file of walk(outDir).filter((path) => COMPRESSIBLE.test(path))) {
        const bytes = readFileSync(file);
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  // Preact's automatic JSX runtime through Vite's own transformer: @preact/preset-vite would add Babel.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // No source maps shipped; one CSS file.
    sourcemap: false,
    cssCodeSplit: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': platform,
      '/health': platform,
      '/hubs': { target: platform, ws: true },
    },
  },
});
