import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import react from '@vitejs/plugin-react';
import { build as esbuild } from 'esbuild';
import { defineConfig, type Plugin, type ResolvedConfig } from 'vite';

/**
 * The built page may talk to its own origin only: no CDN, no font service, no analytics, and nothing a
 * guest program or a shared scenario could make it fetch. Applied to the build only, because the dev
 * server injects inline scripts (React Refresh). Monaco, later, needs inline <style> elements, hence
 * style-src 'unsafe-inline'; scripts stay strictly 'self'.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'virtlab-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  };
}

/** Every file under `dir`, as paths relative to it with forward slashes. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p).map((f) => `${name}/${f}`) : [name];
  });
}

/**
 * The offline app: once the build has written everything (the page, the engine worker, the lazily loaded
 * Monaco chunk and its worker, CSS, the font, public files), list those files, hash their contents into a
 * version, and bundle src/sw/service-worker.ts with both into dist/sw.js. Build only: `npm run dev` has no
 * service worker (the page registers one in production builds only).
 */
function serviceWorker(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'virtlab-service-worker',
    apply: 'build',
    configResolved(c) {
      config = c;
    },
    async closeBundle() {
      const out = config.build.outDir;
      const files = filesUnder(out)
        .filter((f) => !f.endsWith('.map') && f !== 'sw.js')
        .sort();
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update(readFileSync(join(out, f)));
      const version = hash.digest('hex').slice(0, 16);
      const result = await esbuild({
        entryPoints: [join(config.root, 'src/sw/service-worker.ts')],
        bundle: true,
        write: false,
        format: 'iife',
        target: 'es2022',
        minify: true,
        define: { __PRECACHE__: JSON.stringify(['./', ...files.map((f) => f.split(sep).join('/'))]), __VERSION__: JSON.stringify(version) },
      });
      writeFileSync(join(out, 'sw.js'), result.outputFiles[0].text);
      config.logger.info(`sw.js: ${files.length} files precached (version ${version}) in ${relative(config.root, out)}/`);
    },
  };
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy(), serviceWorker()],
  worker: { format: 'es' },
  // The editor chunk (Monaco, ~3.4 MB, ~0.9 MB gzip) is loaded lazily after the page is usable; the
  // warning limit sits above it so that a warning means something else grew.
  // Rolldown's timing report (a warning whenever plugins take most of a build, as on a busy machine)
  // is noise here: a build without warnings means nothing is wrong.
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 3600, rolldownOptions: { checks: { bundlerTimings: false } } },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
