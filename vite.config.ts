import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

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

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  worker: { format: 'es' },
  // The editor chunk (Monaco, ~3.4 MB, ~0.9 MB gzip) is loaded lazily after the page is usable; the
  // warning limit sits above it so that a warning means something else grew.
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 3600 },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
