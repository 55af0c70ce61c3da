// The service worker of the offline app. The build (vite.config.ts, `serviceWorker()`) bundles this file
// into dist/sw.js with the list of every file it emitted (the page, its scripts, the engine worker, the
// Monaco chunk and its worker, CSS, the font, icons, manifest) and a version made from their contents.
//
// Install: every file into a cache named after the version. Fetch: cache first (the app works with the
// network cut), the network only for what is not cached. A new version installs in the background and
// waits; the page offers it, and it takes over only when the page asks (`skip-waiting`): never by itself
// in the middle of a lecture.
/// <reference lib="webworker" />

export {};

declare const self: ServiceWorkerGlobalScope;
declare const __PRECACHE__: readonly string[];
declare const __VERSION__: string;

const CACHE = `virtlab-${__VERSION__}`;
const scope = new URL(self.registration.scope);
const url = (path: string) => new URL(path, scope).href;
const INDEX = url('index.html');

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `reload`: the files as the server has them now, not as the browser's HTTP cache remembers.
      await cache.addAll(__PRECACHE__.map((p) => new Request(url(p), { cache: 'reload' })));
      // The first version has nothing to replace: it takes over at once. Later ones wait to be asked.
      if (!self.registration.active) await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('virtlab-') && key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if ((event.data as { kind?: unknown } | null)?.kind === 'skip-waiting') void self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(scope.origin)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      // Any address of the app is the app (a share link's fragment never reaches the server anyway).
      if (request.mode === 'navigate') {
        const page = await cache.match(INDEX, { ignoreVary: true });
        if (page) return page;
      }
      // ignoreVary: the server may vary on Origin, and a module script is asked for with one (the cache was filled without).
      const hit = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
      return hit ?? fetch(request);
    })(),
  );
});
